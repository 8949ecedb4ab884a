"""Helpers shared by the benchmarks: interleaved timing, figures, local chains.

Benchmarks print figures; they assert nothing. Each speed figure comes with a
baseline measured in the same run, and A/B measurements are interleaved
(A, B, A, B, ...) with the median kept, so that load from other processes
hits both sides alike.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the tests' receipt helpers


def interleaved(functions: dict[str, Callable[[], object]], rounds: int = 5) -> dict[str, float]:
    """Median wall time of each function over ``rounds`` interleaved runs."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def figure(label: str, value: str) -> None:
    print(f"  {label:<52} {value}")


def header(title: str) -> None:
    print(f"\n== {title}")


def deploy_local(url: str, manifest: Path, *extra: str) -> None:
    """Run the real deploy script (ape run deploy) against a running local node."""
    import subprocess

    proc = subprocess.run(
        ["ape", "run", "deploy", "--network", url, "--manifest", str(manifest), *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"deploy failed:\n{proc.stdout}\n{proc.stderr}")
