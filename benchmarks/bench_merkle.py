"""Time to build the receipt tree and every proof for 100k receipts.

Baseline, measured in the same run: the keccak calls alone that any
StandardMerkleTree of n leaves needs (2n for the double-hashed leaves, n-1
for the inner nodes), in a tight loop, interleaved with the tree rounds.
Aim: <= 2x the floor (and <= 5 s) for 100k receipts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from common import figure, header

from dispatch_chain.hashing import keccak256
from dispatch_chain.merkle import ReceiptTree, verify_proof


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    n = args.leaves
    values = [(os.urandom(32), os.urandom(32), os.urandom(32)) for _ in range(n)]

    data = os.urandom(96)

    def floor() -> None:
        for _ in range(2 * n + n - 1):
            keccak256(data[:64])

    # Interleaved rounds (floor, build, proofs), medians kept. Freeing the previous
    # round's tree and proofs happens outside the timed spans, as in one real use.
    times: dict[str, list[float]] = {"floor": [], "build": [], "prove": []}
    tree = proofs = None
    for _ in range(args.rounds):
        tree = proofs = None
        started = time.perf_counter()
        floor()
        times["floor"].append(time.perf_counter() - started)
        started = time.perf_counter()
        tree = ReceiptTree(values)
        times["build"].append(time.perf_counter() - started)
        started = time.perf_counter()
        proofs = tree.proofs()
        times["prove"].append(time.perf_counter() - started)
    median = {name: statistics.median(spans) for name, spans in times.items()}
    median["both"] = median["build"] + median["prove"]
    assert tree is not None and proofs is not None
    sample = range(0, n, max(1, n // 100))
    assert all(verify_proof(tree.root, tree.leaf(i), proofs[i]) for i in sample)

    header(f"receipt Merkle tree, {n:,} leaves (median of {args.rounds} interleaved rounds)")
    figure("keccak floor: 3n-1 hashes in a tight loop (baseline)", f"{median['floor']:>8.2f} s")
    figure("build tree (leaf hashes, sort, inner nodes)", f"{median['build']:>8.2f} s")
    figure("all proofs", f"{median['prove']:>8.2f} s")
    figure("tree + all proofs (aim <= 5 s)", f"{median['both']:>8.2f} s")
    figure("ratio to the keccak floor (aim <= 2x)", f"{median['both'] / median['floor']:>8.2f}x")
    figure("proof length", f"{len(proofs[0]):>8} hashes")


if __name__ == "__main__":
    main()
