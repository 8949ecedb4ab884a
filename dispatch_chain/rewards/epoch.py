"""One epoch's worker rewards, computed deterministically from settlements.

Eligibility: workers whose stake tier is SENTINEL (whitepaper §5.4: SENTINEL
workers earn protocol rewards). Weight: the BOLT settled to the worker during
the epoch, ``[begin, end)`` by the settlement record's ``settled_at``, the
protocol fee included (the ``amount`` field of dispatch_settlement records).
Amount: ``budget * weight // total_weight`` per worker, rounded down; workers
whose share rounds to zero get no leaf. The rounding dust and the budget of
an epoch without eligible settlements stay in the vault, released but never
distributed. Rewards are ordered by worker key bytes, so two coordinators
given the same records and tiers build the same tree and root.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from solders.pubkey import Pubkey

from dispatch_chain.rewards.emission import epoch_budget, epoch_window
from dispatch_chain.rewards.errors import RewardsError


@dataclass(frozen=True, slots=True)
class SettledJob:
    """What the computation needs of one settlement record."""

    worker: Pubkey
    amount: int
    settled_at: int


@dataclass(frozen=True, slots=True)
class EpochDistribution:
    epoch: int
    begin: int
    end: int
    budget: int
    #: Eligible (SENTINEL) workers' settled BOLT in the epoch, by worker.
    weights: dict[Pubkey, int]
    #: ``(worker, amount)`` in worker-key order; amounts are positive.
    rewards: tuple[tuple[Pubkey, int], ...]
    #: Settled BOLT of workers that were not SENTINEL (no reward), by worker.
    ineligible: dict[Pubkey, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(amount for _, amount in self.rewards)

    @property
    def total_weight(self) -> int:
        return sum(self.weights.values())


def compute_epoch(
    epoch: int,
    *,
    start: int,
    epoch_seconds: int,
    settlements: Iterable[SettledJob],
    sentinels: Collection[Pubkey],
    budget: int | None = None,
) -> EpochDistribution:
    """The rewards of ``epoch`` of a curve starting at ``start``.

    ``budget`` defaults to what the curve releases during the epoch
    (:func:`epoch_budget`); a smaller one may be given, never a negative one.
    """
    begin, end = epoch_window(start, epoch_seconds, epoch)
    if budget is None:
        budget = epoch_budget(start, epoch_seconds, epoch)
    if budget < 0:
        raise RewardsError(f"the budget must not be negative, got {budget}")
    weights: dict[Pubkey, int] = {}
    ineligible: dict[Pubkey, int] = {}
    for job in settlements:
        if job.amount < 0:
            raise RewardsError(f"a settlement of {job.worker} has a negative amount")
        if not begin <= job.settled_at < end:
            continue
        bucket = weights if job.worker in sentinels else ineligible
        bucket[job.worker] = bucket.get(job.worker, 0) + job.amount
    total_weight = sum(weights.values())
    rewards: list[tuple[Pubkey, int]] = []
    if total_weight > 0:
        for worker in sorted(weights, key=bytes):
            amount = budget * weights[worker] // total_weight
            if amount > 0:
                rewards.append((worker, amount))
    return EpochDistribution(
        epoch,
        begin,
        end,
        budget,
        dict(sorted(weights.items(), key=lambda kv: bytes(kv[0]))),
        tuple(rewards),
        dict(sorted(ineligible.items(), key=lambda kv: bytes(kv[0]))),
    )
