"""The worker-rewards emission curve, exactly as dispatch_rewards computes it.

Released by time ``t`` for a curve starting at ``start``: 200M BOLT in year 1,
100M in year 2, 50M in year 3, 25M in year 4, linear within each year and
rounded down (375M in all); the remaining 25M of the 400M allocation is a
reserve the curve never emits. Integers in base units (9 decimals) only.
"""

from __future__ import annotations

from dispatch_chain.rewards.errors import RewardsError

BOLT = 10**9
YEAR_SECONDS = 365 * 24 * 3600
YEAR_EMISSIONS: tuple[int, ...] = (200_000_000 * BOLT, 100_000_000 * BOLT, 50_000_000 * BOLT, 25_000_000 * BOLT)
EMISSION_TOTAL = sum(YEAR_EMISSIONS)
WORKER_REWARDS_ALLOCATION = 400_000_000 * BOLT
RESERVE = WORKER_REWARDS_ALLOCATION - EMISSION_TOTAL


def released(start: int, t: int) -> int:
    """BOLT base units the curve has released by unix time ``t``."""
    if t <= start:
        return 0
    elapsed = t - start
    full_years, within = divmod(elapsed, YEAR_SECONDS)
    if full_years >= len(YEAR_EMISSIONS):
        return EMISSION_TOTAL
    return sum(YEAR_EMISSIONS[:full_years]) + YEAR_EMISSIONS[full_years] * within // YEAR_SECONDS


def epoch_window(start: int, epoch_seconds: int, epoch: int) -> tuple[int, int]:
    """``[begin, end)`` of ``epoch`` in unix seconds (epoch 0 begins at ``start``)."""
    if epoch_seconds <= 0:
        raise RewardsError("the epoch length must be positive")
    if epoch < 0:
        raise RewardsError(f"epochs are numbered from 0, got {epoch}")
    begin = start + epoch * epoch_seconds
    return begin, begin + epoch_seconds


def epoch_budget(start: int, epoch_seconds: int, epoch: int) -> int:
    """What the curve releases during ``epoch``: ``released(end) - released(begin)``.

    The budgets of epochs ``0..n`` sum to ``released(end of n)``, so roots
    computed from them never exceed what the program lets a distributor post
    once the epoch has ended.
    """
    begin, end = epoch_window(start, epoch_seconds, epoch)
    return released(start, end) - released(start, begin)
