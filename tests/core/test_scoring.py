"""worker_score and the protocol constants reproduce the whitepaper's examples."""

from __future__ import annotations

import pytest

from dispatch_chain.protocol import BOLT, BOLT_SUPPLY, Tier, protocol_fee, tier_for_stake
from dispatch_chain.scoring import heartbeat_points, worker_score


def test_reputation_80_gives_8_points() -> None:
    score = worker_score(policy_match=False, heartbeat_age=0, reputation=80, tier=Tier.OPEN)
    assert score.reputation == 8
    assert score.effective_reputation == 80


def test_sentinel_doubles_reputation() -> None:
    score = worker_score(policy_match=True, heartbeat_age=2, reputation=80, tier=Tier.SENTINEL)
    assert score.effective_reputation == 160
    assert score.reputation == 10  # capped at the full reputation score
    assert score.stake == 10
    assert score.total == 10 + 5 + 10 + 10


def test_verified_multiplier_and_bonus() -> None:
    score = worker_score(policy_match=False, heartbeat_age=0, reputation=40, tier=Tier.VERIFIED)
    assert score.effective_reputation == 60 and score.reputation == 6 and score.stake == 5


def test_unrated_and_failing_workers() -> None:
    assert worker_score(policy_match=False, heartbeat_age=0, reputation=None, tier=Tier.OPEN).reputation == 0
    # 20/100 (failures) -> +2: a penalty relative to successful workers, no token slashing
    assert worker_score(policy_match=False, heartbeat_age=0, reputation=20, tier=Tier.OPEN).reputation == 2


@pytest.mark.parametrize(("age", "points"), [(0, 5), (10, 5), (15, 3.75), (20, 2.5), (30, 0), (31, 0)])
def test_heartbeat_freshness(age: float, points: float) -> None:
    assert heartbeat_points(age) == pytest.approx(points)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError):
        heartbeat_points(-1)
    with pytest.raises(ValueError):
        worker_score(policy_match=True, heartbeat_age=0, reputation=101, tier=Tier.OPEN)


@pytest.mark.parametrize(
    ("stake", "tier"),
    [(0, Tier.OPEN), (100 * BOLT - 1, Tier.OPEN), (100 * BOLT, Tier.VERIFIED),
     (1_000 * BOLT - 1, Tier.VERIFIED), (1_000 * BOLT, Tier.SENTINEL), (BOLT_SUPPLY, Tier.SENTINEL)],
)
def test_tier_thresholds(stake: int, tier: Tier) -> None:
    assert tier_for_stake(stake) is tier


def test_protocol_fee_is_five_percent_rounded_down() -> None:
    assert protocol_fee(1_000 * BOLT) == 50 * BOLT
    assert protocol_fee(19) == 0 and protocol_fee(20) == 1


def test_bolt_amounts_format_exactly() -> None:
    from dispatch_chain.protocol import format_bolt

    assert format_bolt(7_765_000_000) == "7.765000000"
    assert format_bolt(BOLT_SUPPLY - 7_765_000_000) == "999,999,992.235000000"
    assert format_bolt(1) == "0.000000001" and format_bolt(-BOLT) == "-1.000000000"


def test_an_unrateable_worker_ranks_below_every_rateable_one() -> None:
    """A worker that blocks our feedback (self-feedback rule) must not keep a frozen good score."""
    frozen = worker_score(policy_match=True, heartbeat_age=0, reputation=100, tier=Tier.SENTINEL, unrateable=True)
    worst = worker_score(policy_match=True, heartbeat_age=0, reputation=0, tier=Tier.SENTINEL)
    unrated = worker_score(policy_match=True, heartbeat_age=0, reputation=None, tier=Tier.SENTINEL)
    assert frozen.reputation == -10 and frozen.effective_reputation == 0
    assert frozen.total < worst.total and frozen.total < unrated.total
