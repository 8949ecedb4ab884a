"""Coordinators' view of the governed parameters: ProtocolParams read once per TTL.

A coordinator prices jobs, computes the burned fee and maps stake to tiers
from :class:`CachedParams` instead of the whitepaper constants, so a passed
proposal takes effect off chain at most ``ttl`` seconds after its execution.
When the chain cannot be read the last good set is served (stale, flagged) and
the error is raised only if there has never been one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from dispatch_chain.errors import ChainError
from dispatch_chain.governance.params import ParamsError, ProtocolParamSet
from dispatch_chain.protocol import Tier, protocol_fee


class ParamsSource(Protocol):
    def params(self) -> ProtocolParamSet: ...


class CachedParams:
    """The parameter set, re-read after ``ttl`` seconds; also the coordinator's fee/tier/price helpers."""

    def __init__(self, source: ParamsSource, *, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.ttl = ttl
        self.clock = clock
        self._cached: ProtocolParamSet | None = None
        self._read_at = float("-inf")
        self.reads = 0  # chain reads made, for tests and benchmarks
        self.stale = False  # the last refresh failed and an older set is served

    def current(self) -> ProtocolParamSet:
        now = self.clock()
        if self._cached is None or now - self._read_at >= self.ttl:
            try:
                self._cached = self.source.params()
                self.reads += 1
                self.stale = False
            except ChainError:
                if self._cached is None:
                    raise
                self.stale = True
            self._read_at = now
        return self._cached

    def invalidate(self) -> None:
        """Forget the cached set (e.g. on a ParamsChanged event)."""
        self._read_at = float("-inf")

    def fee_bps(self) -> int:
        return self.current().fee_bps

    def burned_fee(self, amount: int) -> int:
        """The burned part of a settlement of ``amount`` base units under the current fee."""
        return protocol_fee(amount, self.fee_bps())

    def tier_for_stake(self, active_stake: int) -> Tier:
        return self.current().tier_for_stake(active_stake)

    def price(self, job_type: str) -> int:
        """USDC base units of a job type ('FAST_LLM'); ParamsError if the table has no such type."""
        prices = self.current().prices
        if job_type not in prices:
            raise ParamsError(f"no price for job type {job_type!r} (known: {', '.join(prices)})", field="job_type")
        return prices[job_type]
