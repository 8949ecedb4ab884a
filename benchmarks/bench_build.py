"""Build times on this machine: the programs' SBF build and the host (native) Rust build.

SBF (toolchain/sbf/build-sbf.sh, what ./dev setup runs): cold is the three
programs from an empty target directory (the pinned nightly, sbpf-linker and
the patched rust-src already installed: they are installed once per machine);
warm is a rebuild after touching one program's source; cached is what every
later ./dev setup pays when no input changed (the inputs are hashed and the
.so files reused). A second cold build must give byte-identical files.

Host (native): the programs are still compiled natively, for their Anchor
client code (instruction builders, account types) in the tests and for the
IDL; with the local node and the test targets this is the rest of what
./dev test compiles. Warm: after touching one program's source; cold
(--cold): from an empty target directory, as a fresh machine's first
./dev test pays.

Nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import tempfile
import time
from pathlib import Path

from common import REPO, figure, header

BUILD_SBF = REPO / "toolchain" / "sbf" / "build-sbf.sh"
#: In the order a fresh machine's ./dev test runs them: setup builds the node,
#: then the test runner builds the test targets, sharing every artifact.
HOST_STEPS = [
    ("dispatch-solana-node, dev profile (./dev setup)", ["cargo", "build", "--locked", "-p", "dispatch-solana-node"]),
    (
        "then programs + svm + node test targets (cargo test --no-run)",
        ["cargo", "test", "--locked", "--workspace", "--no-run"],
    ),
]


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - started, proc.stdout.strip()


def digests(folder: str) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).glob("*.so"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", action="store_true", help="also build the host side from an empty target dir")
    args = parser.parse_args()
    source = REPO / "programs" / "dispatch_settlement" / "src" / "lib.rs"

    # -- SBF
    timed([str(BUILD_SBF)])  # the toolchain and the cache in place
    with tempfile.TemporaryDirectory() as empty:
        sbf_cold, out = timed([str(BUILD_SBF), "--force"], {"DISPATCH_SBF_TARGET_DIR": empty})
        first = digests(out)
        _, out = timed([str(BUILD_SBF), "--force"], {"DISPATCH_SBF_TARGET_DIR": empty})
        identical = digests(out) == first
    os.utime(source)
    sbf_warm, _ = timed([str(BUILD_SBF), "--rebuild"])
    sbf_cached, _ = timed([str(BUILD_SBF)])

    # -- host
    for _, command in HOST_STEPS:
        timed(command)  # warm the cache first
    warm = {}
    for label, command in HOST_STEPS:
        os.utime(source)
        warm[label] = timed(command)[0]
    cold = {}
    if args.cold:
        with tempfile.TemporaryDirectory() as empty:
            for label, command in HOST_STEPS:
                cold[label] = timed(command, {"CARGO_TARGET_DIR": empty})[0]

    header("SBF build of the programs (toolchain/sbf/build-sbf.sh, 2 cores)")
    figure("cold: empty target directory", f"{sbf_cold:>7.1f} s")
    figure("warm: after touching dispatch_settlement", f"{sbf_warm:>7.1f} s   warm/cold {sbf_warm / sbf_cold:.3f}")
    figure("cached: inputs unchanged (every later ./dev setup)", f"{sbf_cached:>7.1f} s")
    figure("two cold builds byte-identical", "yes" if identical else "NO")
    for name, digest in first.items():
        figure(f"  sha256 {name}", digest)
    header("host (native) build: programs' client code, node, tests")
    for label, _ in HOST_STEPS:
        line = f"warm {warm[label]:>6.1f} s"
        if label in cold:
            line += f"   cold {cold[label]:>7.1f} s"
        figure(label, line)
    if cold:
        total_warm, total_cold = sum(warm.values()), sum(cold.values())
        figure(
            "both (what ./dev test compiles natively)",
            f"warm {total_warm:>6.1f} s   cold {total_cold:>7.1f} s   warm/cold {total_warm / total_cold:.3f}",
        )
    else:
        print("  (host cold builds: ./dev run python benchmarks/bench_build.py --cold)")


if __name__ == "__main__":
    main()
