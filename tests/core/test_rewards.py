"""Worker rewards without a chain: the emission curve (year boundaries, 375M
plus the 25M reserve), the deterministic epoch computation (eligibility,
window bounds, rounding, order independence), the reward tree against the
npm @openzeppelin/merkle-tree with the same leaf encoding, and claim files."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from solders.pubkey import Pubkey

from dispatch_chain.merkle import verify_proof
from dispatch_chain.rewards import (
    EMISSION_TOTAL,
    RESERVE,
    WORKER_REWARDS_ALLOCATION,
    YEAR_SECONDS,
    RewardsError,
    RewardTree,
    SettledJob,
    compute_epoch,
    epoch_budget,
    read_claim_file,
    released,
    reward_leaf,
    write_claim_files,
)
from dispatch_chain.rewards.claims import ClaimFile, claims_of

M = 10**6 * 10**9
START = 1_800_000_000
WEEK = 7 * 24 * 3600
PROGRAM = Pubkey.from_string("A2KkiX1pQGyacrh6HpW94cWhr4DqrEZr3PrWX4TkpDki")


def key(i: int) -> Pubkey:
    return Pubkey(bytes([i % 256, i // 256]) + bytes(30))


def test_curve_at_each_year_boundary_and_the_reserve() -> None:
    assert [released(START, START + k * YEAR_SECONDS) for k in range(5)] == [0, 200 * M, 300 * M, 350 * M, 375 * M]
    assert released(START, START - 1) == 0
    assert released(START, START + YEAR_SECONDS - 1) == 200 * M - 200 * M // YEAR_SECONDS - 1
    assert released(START, START + YEAR_SECONDS // 2) == 100 * M
    assert released(START, START + 3 * YEAR_SECONDS + YEAR_SECONDS // 2) == 362_500_000 * 10**9
    assert released(START, START + 100 * YEAR_SECONDS) == EMISSION_TOTAL == 375 * M
    assert (RESERVE, EMISSION_TOTAL + RESERVE) == (25 * M, WORKER_REWARDS_ALLOCATION)


def test_epoch_budgets_add_up_to_the_release() -> None:
    # 209 weekly epochs cover just over 4 years; their budgets sum to the release at the last end.
    budgets = [epoch_budget(START, WEEK, n) for n in range(209)]
    assert sum(budgets) == released(START, START + 209 * WEEK) == EMISSION_TOTAL
    assert sum(budgets[:52]) == released(START, START + 52 * WEEK)
    assert epoch_budget(START, WEEK, 500) == 0
    with pytest.raises(RewardsError):
        epoch_budget(START, 0, 1)


def jobs() -> list[SettledJob]:
    begin = START + 3 * WEEK
    return [
        SettledJob(key(1), 600, begin),            # the first second of epoch 3
        SettledJob(key(2), 300, begin + 100),
        SettledJob(key(1), 100, begin + WEEK - 1),  # the last second
        SettledJob(key(3), 10_000, begin + 5),     # not SENTINEL
        SettledJob(key(2), 999, begin + WEEK),     # epoch 4
        SettledJob(key(4), 999, begin - 1),        # epoch 2
    ]


def test_an_epoch_from_settlements() -> None:
    d = compute_epoch(3, start=START, epoch_seconds=WEEK, settlements=jobs(), sentinels={key(1), key(2), key(4)},
                      budget=1_000_001)
    assert (d.begin, d.end) == (START + 3 * WEEK, START + 4 * WEEK)
    assert d.weights == {key(1): 700, key(2): 300}
    assert d.ineligible == {key(3): 10_000}
    assert d.rewards == ((key(1), 1_000_001 * 700 // 1000), (key(2), 1_000_001 * 300 // 1000))
    assert d.total == 700_000 + 300_000 <= d.budget
    default = compute_epoch(3, start=START, epoch_seconds=WEEK, settlements=jobs(), sentinels={key(1)})
    assert default.budget == epoch_budget(START, WEEK, 3)
    assert default.rewards == ((key(1), default.budget),)
    empty = compute_epoch(3, start=START, epoch_seconds=WEEK, settlements=jobs(), sentinels=set())
    assert empty.rewards == () and empty.total == 0


def test_two_coordinators_get_the_same_root() -> None:
    a = jobs()
    b = list(reversed(a))
    random.Random(7).shuffle(b)
    sentinels = {key(1), key(2)}
    da = compute_epoch(3, start=START, epoch_seconds=WEEK, settlements=a, sentinels=sentinels)
    db = compute_epoch(3, start=START, epoch_seconds=WEEK, settlements=b, sentinels=frozenset(sentinels))
    assert da == db
    assert RewardTree(3, da.rewards).root == RewardTree(3, db.rewards).root


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 10**15), st.integers(0, 2 * WEEK)), max_size=60),
       st.sets(st.integers(0, 40)), st.integers(0, 10**17))
def test_rewards_never_exceed_the_budget_and_follow_the_weights(
        raw: list[tuple[int, int, int]], sentinel_ids: set[int], budget: int) -> None:
    settlements = [SettledJob(key(w), amount, START + t) for w, amount, t in raw]
    d = compute_epoch(0, start=START, epoch_seconds=WEEK, settlements=settlements,
                      sentinels={key(i) for i in sentinel_ids}, budget=budget)
    assert d.total <= budget
    assert all(amount > 0 for _, amount in d.rewards)
    assert [bytes(w) for w, _ in d.rewards] == sorted(bytes(w) for w, _ in d.rewards)
    for worker, amount in d.rewards:
        assert worker in d.weights and amount == budget * d.weights[worker] // d.total_weight
    # What rounding leaves out is less than one base unit per eligible worker.
    if d.total_weight:
        assert budget - d.total < max(1, len(d.weights))


def test_reward_tree_matches_openzeppelin(node_interop: Callable[[str, Any], Any]) -> None:
    rewards = [(key(i), 10**9 * i + 7) for i in range(1, 12)]
    tree = RewardTree(5, rewards)
    values = [["5", "0x" + bytes(w).hex(), str(a)] for w, a in rewards]
    reference = node_interop("merkle", {"values": values, "encoding": ["uint256", "bytes32", "uint256"]})
    assert "0x" + tree.root.hex() == reference["root"]
    assert tree.dump() == reference["dump"]
    for (worker, amount), proof in zip(rewards, reference["proofs"], strict=True):
        assert ["0x" + p.hex() for p in tree.proof(worker)] == proof
        assert verify_proof(tree.root, reward_leaf(5, worker, amount), tree.proof(worker))


def test_tree_inputs_are_checked() -> None:
    with pytest.raises(RewardsError):
        RewardTree(1, [])
    with pytest.raises(RewardsError):
        RewardTree(1, [(key(1), 1), (key(1), 2)])
    with pytest.raises(RewardsError):
        RewardTree(1, [(key(1), 2**64)])
    with pytest.raises(RewardsError):
        RewardTree(1, [(key(1), 1)]).proof(key(2))


def test_claim_files_round_trip_and_are_checked(tmp_path: Path) -> None:
    tree = RewardTree(2, [(key(i), 1000 + i) for i in range(1, 6)])
    folder = write_claim_files(tmp_path, tree, PROGRAM)
    expected = sorted([f"{key(i)}.json" for i in range(1, 6)] + ["tree.json"])
    assert sorted(p.name for p in folder.iterdir()) == expected
    for claim in claims_of(tree, PROGRAM):
        read = read_claim_file(folder / f"{claim.worker}.json")
        assert read == claim and read.verifies()
        assert (read.program, read.epoch, read.root, read.amount) == (PROGRAM, 2, tree.root, tree.amount_of(claim.worker))
    # A claim file whose amount was raised no longer verifies.
    path = folder / f"{key(3)}.json"
    data = json.loads(path.read_text())
    data["amount"] = str(int(data["amount"]) + 1)
    path.write_text(json.dumps(data))
    with pytest.raises(RewardsError, match="does not lead"):
        read_claim_file(path)
    with pytest.raises(RewardsError):
        ClaimFile.from_json({"format": "other"})
    assert json.loads((folder / "tree.json").read_text())["leafEncoding"] == ["uint256", "bytes32", "uint256"]
