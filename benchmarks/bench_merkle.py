"""Time to build the receipt tree and every proof for 100k receipts.

Baseline, measured in the same run: the keccak calls alone that any
StandardMerkleTree of n leaves needs (2n for the double-hashed leaves, n-1
for the inner nodes), in a tight loop. Aim: <= 5 s for 100k receipts.
"""

from __future__ import annotations

import argparse
import os
import time

from common import figure, header
from dispatch_chain.hashing import keccak256
from dispatch_chain.merkle import ReceiptTree, verify_proof


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=100_000)
    args = parser.parse_args()
    n = args.leaves
    values = [(os.urandom(32), os.urandom(32), os.urandom(32)) for _ in range(n)]

    started = time.perf_counter()
    data = os.urandom(96)
    for _ in range(2 * n + n - 1):
        keccak256(data[:64])
    floor = time.perf_counter() - started

    started = time.perf_counter()
    tree = ReceiptTree(values)
    built = time.perf_counter() - started
    started = time.perf_counter()
    proofs = tree.proofs()
    proved = time.perf_counter() - started
    sample = range(0, n, max(1, n // 100))
    assert all(verify_proof(tree.root, tree.leaf(i), proofs[i]) for i in sample)

    header(f"receipt Merkle tree, {n:,} leaves")
    figure("keccak floor: 3n-1 hashes in a tight loop (baseline)", f"{floor:>8.2f} s")
    figure("build tree (leaf hashes, sort, inner nodes)", f"{built:>8.2f} s")
    figure("all proofs", f"{proved:>8.2f} s")
    figure("tree + all proofs (aim <= 5 s)", f"{built + proved:>8.2f} s")
    figure("ratio to the keccak floor", f"{(built + proved) / floor:>8.2f}x")
    figure("proof length", f"{len(proofs[0]):>8} hashes")


if __name__ == "__main__":
    main()
