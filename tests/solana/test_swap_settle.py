"""The swap seam at settlement (issue 15): the BOLT settled for a paid job is what its verified USDC
payment swaps to (quote, then execute), here through the local fixed-price swap, on the SBF programs."""

from __future__ import annotations

import os

import pytest
from conftest import holder
from solders.keypair import Keypair
from solders.signature import Signature

from dispatch_chain.payments.ref import PaymentRef
from dispatch_chain.payments.swap import FixedPriceSwap, SwapError
from dispatch_chain.payments.verify import VerifiedPayment
from dispatch_chain.protocol import BOLT, protocol_fee
from dispatch_chain.solana.bolt import associated_token_account, token_balance

RATE = 200_000  # BOLT base units per USDC base unit: 1 USDC = 200 BOLT


def _payment(usdc: int) -> VerifiedPayment:
    return VerifiedPayment(PaymentRef("solana:" + "1" * 32, str(Signature.new_unique())), usdc, 1)


def test_the_settled_bolt_derives_from_the_verified_payment(solana, deployed) -> None:
    coordinator = holder(solana, deployed, 1_000 * BOLT)
    worker = Keypair().pubkey()
    payment = _payment(10_000)  # $0.010
    record, swapped = deployed.settlement.settle_paid(coordinator, "paid-job", worker, payment,
                                                      FixedPriceSwap(RATE), os.urandom(32))
    assert swapped is not None and swapped.bolt_received == 10_000 * RATE == 2 * BOLT
    assert record.amount == 2 * BOLT
    assert token_balance(solana, associated_token_account(worker, deployed.mint)) == 2 * BOLT - protocol_fee(2 * BOLT)
    again, none = deployed.settlement.settle_paid(coordinator, "paid-job", worker, _payment(99_999),
                                                  FixedPriceSwap(RATE), os.urandom(32))
    assert none is None and again.amount == 2 * BOLT  # settled once: no second swap, the first amount stays


def test_expired_and_empty_quotes_are_refused() -> None:
    now = [1_000.0]
    swap = FixedPriceSwap(RATE, ttl=5, clock=lambda: now[0])
    quote = swap.quote(3_000)
    assert (quote.usdc_in, quote.bolt_out) == (3_000, 3_000 * RATE)
    now[0] += 6
    with pytest.raises(SwapError, match="expired"):
        swap.execute(quote)
    with pytest.raises(SwapError, match="nothing to swap"):
        swap.quote(0)
    with pytest.raises(SwapError, match="positive"):
        FixedPriceSwap(0)
