"""USDC to BOLT at settlement: the swap seam (whitepaper: each job's USDC is swapped to BOLT).

A :class:`UsdcToBolt` gives a :class:`SwapQuote` for a verified USDC payment and
then executes it; the BOLT amount settled for the job is what the execution
returned, so it derives from the payment instead of being assumed.

Locally :class:`FixedPriceSwap` serves: a fixed BOLT-per-USDC rate, no market,
the BOLT coming from the coordinator's own holding (its execution sends no
transaction). On mainnet the implementation is a Jupiter client, which this
repository does not contain (nothing here could exercise one). It must:

- ``quote(usdc_in)``: ask Jupiter's quote API for ``inputMint`` = USDC,
  ``outputMint`` = BOLT, ``amount`` = ``usdc_in`` base units, exact-in, with the
  coordinator's slippage bound; return ``bolt_out`` as the quote's minimum
  out-amount (``otherAmountThreshold``), ``expires_at`` from its context slot
  or a short deadline, and keep the raw quote in ``route``;
- ``execute(quote)``: refuse an expired quote (:class:`SwapError`), build the
  swap transaction from the quote, sign it with the coordinator's key, send and
  confirm it, and return the BOLT actually received (the coordinator's BOLT
  token balance delta in the transaction's meta), never the quoted figure;
  a received amount below ``bolt_out`` is a :class:`SwapError`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.payments.verify import VerifiedPayment


class SwapError(DispatchChainError):
    """A quote could not be had or executed (expired, below its minimum, zero)."""


@dataclass(frozen=True, slots=True)
class SwapQuote:
    usdc_in: int  # USDC base units (6 decimals)
    bolt_out: int  # BOLT base units (9 decimals) guaranteed at least
    expires_at: float  # unix time
    route: Any = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SwapResult:
    quote: SwapQuote
    bolt_received: int
    tx: str | None  # None when no transaction was needed (the fixed-price swap)


class UsdcToBolt(Protocol):
    def quote(self, usdc_in: int) -> SwapQuote: ...

    def execute(self, quote: SwapQuote) -> SwapResult: ...


class FixedPriceSwap:
    """A fixed rate: ``bolt_per_usdc`` BOLT base units per USDC base unit (local chains and tests)."""

    def __init__(self, bolt_per_usdc: int, *, ttl: float = 30.0, clock: Any = time.time) -> None:
        if bolt_per_usdc <= 0:
            raise SwapError(f"the fixed rate must be positive, got {bolt_per_usdc}")
        self.rate, self.ttl, self.clock = bolt_per_usdc, ttl, clock

    def quote(self, usdc_in: int) -> SwapQuote:
        if usdc_in <= 0:
            raise SwapError(f"nothing to swap: {usdc_in} USDC base units")
        return SwapQuote(usdc_in, usdc_in * self.rate, self.clock() + self.ttl)

    def execute(self, quote: SwapQuote) -> SwapResult:
        if self.clock() > quote.expires_at:
            raise SwapError(f"the quote for {quote.usdc_in} USDC base units expired")
        return SwapResult(quote, quote.bolt_out, None)


def bolt_for_payment(swap: UsdcToBolt, payment: VerifiedPayment) -> SwapResult:
    """Swap the USDC a verified payment brought in; the result's ``bolt_received`` is what gets settled."""
    return swap.execute(swap.quote(payment.amount))
