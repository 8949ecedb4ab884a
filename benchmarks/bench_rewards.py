"""Computing an epoch of worker rewards for 10,000 SENTINEL workers.

From 50,000 settlement records (five per worker, plus records outside the
epoch and of non-SENTINEL workers): the deterministic computation, the tree
and the claim files, against building the Merkle tree alone over the same
10,000 leaves, interleaved in the same run. Posting the root is one
transaction whatever the epoch's size; its on-chain cost and a claim's
compute units are printed by the Rust tests of dispatch_rewards
(`cargo test -p dispatch_rewards -- --nocapture`), since the local node does
not load the SBF programs yet.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from common import figure, header, interleaved
from solders.pubkey import Pubkey

from dispatch_chain.merkle import ReceiptTree
from dispatch_chain.rewards import RewardTree, SettledJob, compute_epoch, write_claim_files
from dispatch_chain.rewards.tree import reward_leaf_values

WORKERS = 10_000
START = 1_800_000_000
WEEK = 7 * 24 * 3600
PROGRAM = Pubkey.from_string("A2KkiX1pQGyacrh6HpW94cWhr4DqrEZr3PrWX4TkpDki")


def main() -> None:
    rng = random.Random(14)
    workers = [Pubkey(rng.randbytes(32)) for _ in range(WORKERS)]
    others = [Pubkey(rng.randbytes(32)) for _ in range(WORKERS // 10)]
    epoch = 3
    begin = START + epoch * WEEK
    jobs = [SettledJob(w, rng.randrange(10**6, 10**12), begin + rng.randrange(WEEK)) for w in workers for _ in range(5)]
    jobs += [SettledJob(w, 10**9, begin + rng.randrange(WEEK)) for w in others]
    jobs += [SettledJob(w, 10**9, begin - 1 - rng.randrange(WEEK)) for w in workers[:5_000]]
    sentinels = frozenset(workers)
    distribution = compute_epoch(epoch, start=START, epoch_seconds=WEEK, settlements=jobs, sentinels=sentinels)
    leaves = [reward_leaf_values(epoch, w, a) for w, a in distribution.rewards]

    with tempfile.TemporaryDirectory() as tmp:

        def compute() -> object:
            return compute_epoch(epoch, start=START, epoch_seconds=WEEK, settlements=jobs, sentinels=sentinels)

        def compute_and_tree() -> object:
            return RewardTree(epoch, compute().rewards).root

        def compute_tree_and_files() -> object:
            d = compute()
            return write_claim_files(Path(tmp), RewardTree(epoch, d.rewards), PROGRAM)

        def tree_alone() -> object:
            return ReceiptTree(leaves).root

        times = interleaved(
            {"tree": tree_alone, "compute": compute, "compute+tree": compute_and_tree, "all": compute_tree_and_files},
            rounds=3,
        )

    header(f"rewards epoch: {WORKERS:,} SENTINEL workers, {len(jobs):,} settlement records")
    figure("baseline: Merkle tree alone (10,000 leaves)", f"{times['tree'] * 1e3:>8.0f} ms")
    figure("weights and amounts from the records", f"{times['compute'] * 1e3:>8.0f} ms")
    figure(
        "computation + tree (the root to post)",
        f"{times['compute+tree'] * 1e3:>8.0f} ms ({times['compute+tree'] / times['tree']:.2f}x the tree)",
    )
    figure(
        "computation + tree + 10,000 claim files",
        f"{times['all'] * 1e3:>8.0f} ms ({times['all'] / times['tree']:.2f}x the tree)",
    )
    figure("epoch total / budget (base units)", f"{distribution.total:,} / {distribution.budget:,}")


if __name__ == "__main__":
    main()
