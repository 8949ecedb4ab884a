"""dispatch_chain.payments against the local Solana node with the local USDC mint: a real SPL
transfer verifies; too small, wrong payee, wrong mint, failed and unknown transactions each get
their own error; batched and one-by-one reads agree."""

from __future__ import annotations

import pytest
import spl.token.instructions as token_ix
from conftest import funded
from solders.keypair import Keypair
from solders.signature import Signature

from dispatch_chain.payments.errors import (
    PaymentNotFound,
    PaymentReverted,
    PaymentTooSmall,
    WrongPayee,
    WrongPaymentToken,
)
from dispatch_chain.payments.verify import PaymentClaim, PaymentVerifier, SolanaPayments, VerifiedPayment
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM
from dispatch_chain.solana.usdc import USDC, USDC_DECIMALS, create_usdc, fund_usdc

PRICE = 3_000  # FAST TASK: $0.003


def _pay(solana, payer: Keypair, mint, to, amount: int, *, preflight: bool = True) -> str:
    ixs = [token_ix.create_idempotent_associated_token_account(payer.pubkey(), to, mint),
           token_ix.transfer_checked(token_ix.TransferCheckedParams(
               program_id=TOKEN_PROGRAM, source=associated_token_account(payer.pubkey(), mint), mint=mint,
               dest=associated_token_account(to, mint), owner=payer.pubkey(), amount=amount,
               decimals=USDC_DECIMALS))]
    prepared = solana.prepare(ixs, [payer])
    solana.broadcast(prepared, preflight=preflight)
    try:
        solana.confirm(prepared, timeout=30)
    except Exception:  # the failed transfer: landed, failed
        assert not preflight
    return prepared.signature


@pytest.fixture(scope="module")
def world(solana):
    authority, payer, pay_to, stranger = funded(solana), funded(solana), Keypair().pubkey(), Keypair().pubkey()
    usdc, other = Keypair(), Keypair()
    create_usdc(solana, authority, usdc)
    create_usdc(solana, authority, other)
    fund_usdc(solana, authority, usdc.pubkey(), {payer.pubkey(): 10 * USDC})
    fund_usdc(solana, authority, other.pubkey(), {payer.pubkey(): 10 * USDC})
    sigs = {
        "good": _pay(solana, payer, usdc.pubkey(), pay_to, PRICE),
        "small": _pay(solana, payer, usdc.pubkey(), pay_to, PRICE - 1),
        "payee": _pay(solana, payer, usdc.pubkey(), stranger, PRICE),
        "token": _pay(solana, payer, other.pubkey(), pay_to, PRICE),
        "failed": _pay(solana, payer, usdc.pubkey(), pay_to, 1000 * USDC, preflight=False),
        "unknown": str(Signature.new_unique()),
    }
    payments = SolanaPayments(solana.network.rpc_url, solana.caip2, usdc=str(usdc.pubkey()), pay_to=str(pay_to))
    return PaymentVerifier({solana.caip2: payments}, lambda refs: {}), sigs, solana.caip2


def test_each_bad_payment_has_its_own_error(world) -> None:
    verifier, sigs, caip2 = world
    results = verifier.verify([PaymentClaim(f"{caip2}:{sig}", PRICE, "0x01") for sig in sigs.values()])
    assert isinstance(results[0], VerifiedPayment) and results[0].amount == PRICE
    assert [type(r) for r in results[1:]] == [PaymentTooSmall, WrongPayee, WrongPaymentToken, PaymentReverted,
                                              PaymentNotFound], results


def test_batched_and_one_by_one_agree(world) -> None:
    verifier, sigs, caip2 = world
    claims = [PaymentClaim(f"{caip2}:{sig}", PRICE, "0x01") for sig in sigs.values()] * 2
    assert [repr(r) for r in verifier.verify(claims)] == [repr(r) for r in verifier.verify_one_by_one(claims)]
