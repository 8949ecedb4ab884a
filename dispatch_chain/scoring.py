"""``worker_score``: how the coordinator ranks candidate workers (whitepaper §3.3, §5.3).

A pure function of four inputs, so any coordinator (TypeScript or Python)
can reproduce it exactly::

    policy match       +10 when the job's policy prefers this worker's device
    heartbeat          +5 while the last heartbeat is at most 10 s old, falling
                       linearly to 0 at the 30 s heartbeat timeout
    reputation         ERC-8004 score (0-100) times the tier's reputation
                       multiplier, divided by 10, capped at +10
                       (80/100 -> +8; SENTINEL 80 -> 160 effective -> +10)
    stake tier         OPEN +0, VERIFIED +5, SENTINEL +10

An unrated worker (no feedback yet) gets +0 for reputation.

An *unrateable* worker gets ``UNRATEABLE_PENALTY`` (-10) instead of its
reputation points, whatever its average: the registry refuses our feedback for
it for good (ERC-8004 forbids feedback from the agent's owner or operators, so
a worker that approves the coordinator's account as its operator would freeze
its score otherwise). It ranks below every rateable worker with the same
policy, heartbeat and stake. The mark is lifted when a feedback lands again.
"""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_chain.protocol import HEARTBEAT_TIMEOUT_S, STALENESS_GRACE_S, Tier

POLICY_MATCH_POINTS = 10.0
HEARTBEAT_POINTS = 5.0
REPUTATION_POINTS = 10.0
UNRATEABLE_PENALTY = -10.0  # reputation points of a worker the registry will not let us rate


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """A worker's score and where each point came from."""

    policy: float
    heartbeat: float
    reputation: float
    stake: float
    effective_reputation: float  # reputation (0-100) after the tier multiplier

    @property
    def total(self) -> float:
        return self.policy + self.heartbeat + self.reputation + self.stake


def heartbeat_points(age_seconds: float) -> float:
    """+5 up to 10 s, linear down to 0 at the 30 s timeout, 0 after."""
    if age_seconds < 0:
        raise ValueError("heartbeat age cannot be negative")
    if age_seconds <= STALENESS_GRACE_S:
        return HEARTBEAT_POINTS
    if age_seconds >= HEARTBEAT_TIMEOUT_S:
        return 0.0
    return HEARTBEAT_POINTS * (HEARTBEAT_TIMEOUT_S - age_seconds) / (HEARTBEAT_TIMEOUT_S - STALENESS_GRACE_S)


def worker_score(
    *, policy_match: bool, heartbeat_age: float, reputation: float | None, tier: Tier, unrateable: bool = False
) -> ScoreBreakdown:
    """Score a candidate worker; ``reputation`` is the 0-100 ERC-8004 score or None if unrated.

    ``unrateable``: the registry refuses our feedback for this worker for good; its reputation
    counts ``UNRATEABLE_PENALTY`` points and 0 effective reputation.
    """
    if reputation is not None and not 0 <= reputation <= 100:
        raise ValueError(f"reputation is a score out of 100, got {reputation}")
    effective = 0.0 if reputation is None or unrateable else reputation * tier.rep_multiplier
    return ScoreBreakdown(
        policy=POLICY_MATCH_POINTS if policy_match else 0.0,
        heartbeat=heartbeat_points(heartbeat_age),
        reputation=UNRATEABLE_PENALTY if unrateable else min(REPUTATION_POINTS, effective / 10.0),
        stake=float(tier.match_bonus),
        effective_reputation=effective,
    )
