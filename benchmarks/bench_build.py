"""Build times of the Solana programs and the local node on this machine.

Warm: rebuild after touching one program's source, in the shared cache
(what a developer and CI pay on every change). Cold (--cold): everything from
an empty target directory, the node and then the test targets, as a fresh
machine's first ./dev test pays (each step's figure is what it adds). The ratio of warm to cold is the figure the
cache buys. Nothing is asserted; the README test command must stay well
inside 90 minutes cold.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time

from common import REPO, figure, header

#: In the order a fresh machine's ./dev test runs them: setup builds the node,
#: then the test runner builds the test targets, sharing every artifact.
STEPS = [
    ("dispatch-solana-node, dev profile (./dev setup)", ["cargo", "build", "--locked", "-p", "dispatch-solana-node"]),
    ("then programs + svm + node test targets (cargo test --no-run)",
     ["cargo", "test", "--locked", "--workspace", "--no-run"]),
]


def timed(command: list[str], target: str) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, env={**os.environ, "CARGO_TARGET_DIR": target},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", action="store_true", help="also build from an empty target dir (tens of minutes)")
    args = parser.parse_args()
    target = os.environ["CARGO_TARGET_DIR"]
    for _, command in STEPS:
        timed(command, target)  # make sure the cache is warm first
    source = REPO / "programs" / "dispatch_settlement" / "src" / "lib.rs"
    warm = {}
    for label, command in STEPS:
        os.utime(source)
        warm[label] = timed(command, target)
    header("Solana workspace build times (2 cores)")
    cold = {}
    if args.cold:
        with tempfile.TemporaryDirectory() as empty:
            for label, command in STEPS:
                cold[label] = timed(command, empty)
    for label, _ in STEPS:
        line = f"warm {warm[label]:>6.1f} s"
        if label in cold:
            line += f"   cold {cold[label]:>7.1f} s"
        figure(label, line)
    if cold:
        total_warm, total_cold = sum(warm.values()), sum(cold.values())
        figure("both (what ./dev test compiles)",
               f"warm {total_warm:>6.1f} s   cold {total_cold:>7.1f} s   warm/cold {total_warm / total_cold:.3f}")
    if not args.cold:
        print("  (cold builds: ./dev run python benchmarks/bench_build.py --cold)")


if __name__ == "__main__":
    main()
