"""What a job costs in USDC base units: the price-source seam.

:class:`GovernedPrices` reads governance's ``ProtocolParams`` price table
(through :class:`~dispatch_chain.governance.reader.CachedParams`, job type
``<TIER>_<KIND>``) when the manifest records it
(``Connections.price_source``); :class:`WhitepaperPrices` serves otherwise
(``../shared/DESIGN.md``, "pricing"). Anything with a ``price(tier, kind)``
method is a price source.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dispatch_chain.governance.reader import CachedParams

USDC_DECIMALS = 6


class JobTier(StrEnum):
    FAST = "FAST"
    CHEAP = "CHEAP"


class JobKind(StrEnum):
    LLM = "LLM"
    TASK = "TASK"


class PriceSource(Protocol):
    def price(self, tier: JobTier, kind: JobKind) -> int:
        """The job's price in USDC base units (6 decimals)."""
        ...


#: Whitepaper prices in USDC base units: FAST LLM $0.010, FAST TASK $0.003, CHEAP LLM $0.005, CHEAP TASK $0.001.
WHITEPAPER_PRICES: dict[tuple[JobTier, JobKind], int] = {
    (JobTier.FAST, JobKind.LLM): 10_000,
    (JobTier.FAST, JobKind.TASK): 3_000,
    (JobTier.CHEAP, JobKind.LLM): 5_000,
    (JobTier.CHEAP, JobKind.TASK): 1_000,
}


class WhitepaperPrices:
    """The whitepaper's price table (until ProtocolParams exists)."""

    def price(self, tier: JobTier, kind: JobKind) -> int:
        return WHITEPAPER_PRICES[(JobTier(tier), JobKind(kind))]


class GovernedPrices:
    """ProtocolParams' price table (re-read once per the cache's TTL); ParamsError for a job type it lacks."""

    def __init__(self, params: CachedParams) -> None:
        self.params = params

    def price(self, tier: JobTier, kind: JobKind) -> int:
        return self.params.price(f"{JobTier(tier)}_{JobKind(kind)}")


def usdc_text(units: int) -> str:
    """``10000`` -> ``"0.010000"``: base units as a decimal USDC amount."""
    return f"{units // 10**USDC_DECIMALS}.{units % 10**USDC_DECIMALS:06d}"
