"""dispatch_chain.payments against anvil with LocalUsdc: every way a payment_ref fails, each its own
error; batched reads give the same answers as one round trip per reference."""

from __future__ import annotations

import os

import pytest
from web3 import Web3

from dispatch_chain.payments.errors import (
    MalformedPaymentRef,
    PaymentNotDeepEnough,
    PaymentNotFound,
    PaymentReplayed,
    PaymentReverted,
    PaymentTooSmall,
    WrongPayee,
    WrongPaymentChain,
    WrongPaymentToken,
)
from dispatch_chain.payments.verify import EvmPayments, PaymentClaim, PaymentVerifier, VerifiedPayment

USDC = 10**6
PRICE = 10_000  # FAST LLM: $0.010


@pytest.fixture(scope="module")
def world(project, accounts, chain):
    owner, payer, pay_to, stranger = accounts[0], accounts[1], accounts[2], accounts[3]
    usdc = owner.deploy(project.LocalUsdc, owner.address)
    other = owner.deploy(project.LocalUsdc, owner.address)  # same code, another token
    usdc.mint(payer, 100 * USDC, sender=owner)
    other.mint(payer, 100 * USDC, sender=owner)
    w3 = Web3(Web3.HTTPProvider(chain.provider.uri))
    caip2 = f"eip155:{chain.chain_id}"

    def pay(token, to, amount) -> str:
        return "0x" + token.transfer(to, amount, sender=payer).txn_hash.removeprefix("0x").lower()

    def reverted() -> str:  # mined, failed: more than the payer holds, gas given so it is not estimated away
        data = usdc.transfer.encode_input(pay_to.address, 10**18)
        tx = w3.eth.send_transaction({"from": payer.address, "to": usdc.address, "data": data, "gas": 100_000})
        w3.eth.wait_for_transaction_receipt(tx)
        return "0x" + tx.hex().removeprefix("0x")

    refs = {
        "good": pay(usdc, pay_to, PRICE),
        "more": pay(usdc, pay_to, 2 * PRICE),
        "small": pay(usdc, pay_to, PRICE - 1),
        "payee": pay(usdc, stranger, PRICE),
        "token": pay(other, pay_to, PRICE),
        "reverted": reverted(),
    }
    chain.mine(3)

    def verifier(confirmations: int = 1, claims=None) -> PaymentVerifier:
        payments = EvmPayments(chain.provider.uri, caip2, usdc=usdc.address, pay_to=pay_to.address,
                               confirmations=confirmations)
        return PaymentVerifier({caip2: payments}, claims or (lambda refs: {}))

    return caip2, refs, verifier, chain


def _claim(caip2, tx, price=PRICE, receipt="0x01") -> PaymentClaim:
    return PaymentClaim(f"{caip2}:{tx}", price, receipt)


def test_each_bad_payment_has_its_own_error(world) -> None:
    caip2, refs, verifier, _ = world
    claims = [_claim(caip2, refs["good"]), _claim(caip2, refs["more"]), _claim(caip2, refs["small"]),
              _claim(caip2, refs["payee"]), _claim(caip2, refs["token"]), _claim(caip2, refs["reverted"]),
              _claim(caip2, "0x" + os.urandom(32).hex()), _claim("eip155:1", refs["good"]),
              PaymentClaim("not-a-ref", PRICE, "0x01"), PaymentClaim(None, PRICE, "0x01")]
    results = verifier().verify(claims)
    assert isinstance(results[0], VerifiedPayment) and results[0].amount == PRICE
    assert isinstance(results[1], VerifiedPayment) and results[1].amount == 2 * PRICE
    expected = [PaymentTooSmall, WrongPayee, WrongPaymentToken, PaymentReverted, PaymentNotFound, WrongPaymentChain,
                MalformedPaymentRef, MalformedPaymentRef]
    assert [type(r) for r in results[2:]] == expected, results
    assert len({type(r).exit_code for r in results[2:-1]}) == 7
    assert "9999 USDC base units paid, the job costs 10000" in str(results[2])


def test_not_deep_enough_until_the_chain_moves_on(world) -> None:
    caip2, refs, verifier, chain = world
    depth = chain.blocks.head.number - chain.provider.web3.eth.get_transaction_receipt(refs["good"]).blockNumber + 1
    (early,) = verifier(confirmations=depth + 2).verify([_claim(caip2, refs["good"])])
    assert isinstance(early, PaymentNotDeepEnough) and f"{depth} of {depth + 2} confirmations" in str(early)
    chain.mine(2)
    (later,) = verifier(confirmations=depth + 2).verify([_claim(caip2, refs["good"])])
    assert isinstance(later, VerifiedPayment)


def test_a_payment_claimed_by_another_receipt_is_a_replay(world) -> None:
    caip2, refs, verifier, _ = world
    ref = f"{caip2}:{refs['good']}"
    claims = verifier(claims=lambda wanted: {r: "0xfirst" for r in wanted if r == ref})
    mine, theirs = claims.verify([_claim(caip2, refs["good"], receipt="0xfirst"),
                                  _claim(caip2, refs["good"], receipt="0xsecond")])
    assert isinstance(mine, VerifiedPayment)
    assert isinstance(theirs, PaymentReplayed) and theirs.claimed_by == "0xfirst"


def test_batched_and_one_by_one_agree(world) -> None:
    caip2, refs, verifier, _ = world
    claims = [_claim(caip2, tx) for tx in refs.values()] * 3
    v = verifier()
    batched, single = v.verify(claims), v.verify_one_by_one(claims)
    assert [(type(a), str(a)) for a in batched] == [(type(b), str(b)) for b in single]
