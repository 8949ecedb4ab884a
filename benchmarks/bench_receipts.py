"""Receipts verified per second through dispatch_chain.receipts vs a bare libsodium loop.

The baseline is the least work verification can be: libsodium's ed25519
verify over canonical bytes and keys prepared in advance. dispatch_chain does
the whole job from decoded job_complete messages: strict parsing, canonical
bytes, signature decoding and the same libsodium function (a chunk of receipts
per call of the compiled batch loop, dispatch_chain.ed25519_batch, and also
one call per receipt without it). Aims: ratio >= 0.9 with one worker, >= 1.6
with a worker (thread) per core on 2 cores. The load average is
printed: other processes on the machine take cores from the workers.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

import nacl.bindings
from common import figure, header, interleaved

from dispatch_chain.ed25519_batch import batch_verifier
from dispatch_chain.receipts import default_workers, verify_many

from support import make_signed, make_worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--receipts", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    signed = [make_signed(make_worker(i % 50 + 1), f"job-{i}") for i in range(args.receipts)]
    messages = [
        {
            "type": "job_complete",
            "job_id": s.receipt.job_id,
            "output": {},
            "output_hash": s.receipt.output_hash,
            "receipt": s.receipt.to_dict(),
            "receipt_signature": s.signature_text,
        }
        for s in signed
    ]
    prepared = [(s.signature + s.receipt.canonical_bytes(), s.receipt.provider_key) for s in signed]

    def bare() -> None:
        for signed_message, key in prepared:
            nacl.bindings.crypto_sign_open(signed_message, key)

    def one_worker() -> None:
        assert len(verify_many(messages).valid) == len(messages)

    def all_workers() -> None:
        assert len(verify_many(messages, workers=workers).valid) == len(messages)

    def all_workers_one_call_each() -> None:
        assert len(verify_many(messages, workers=workers, native=False).valid) == len(messages)

    workers = default_workers()
    if batch_verifier() is None:
        print("note: the batch verify loop is not available here (no C compiler?); both rows verify one call each")
    cpu: dict[str, float] = {}

    def cpu_time(name: str, function: Callable[[], None]) -> Callable[[], None]:
        """Also sum the CPU seconds of this process (all its threads)."""

        def run() -> None:
            before = os.times()
            function()
            after = os.times()
            spent = sum(after[i] - before[i] for i in range(4))  # user, system, children's user and system
            cpu[name] = cpu.get(name, 0.0) + spent

        return run

    load_before = os.getloadavg()[0]
    times = interleaved(
        {
            "bare": cpu_time("bare", bare),
            "dispatch": cpu_time("dispatch", one_worker),
            "dispatchN": cpu_time("dispatchN", all_workers),
            "dispatchN_calls": cpu_time("dispatchN_calls", all_workers_one_call_each),
        },
        rounds=args.rounds,
    )
    load_after = os.getloadavg()[0]
    n = args.receipts
    header(f"receipt verification ({n} job_complete messages, median of {args.rounds} interleaved rounds)")
    figure(
        "machine: cores for this process; load average before/after",
        f"{workers:>10}   {load_before:.1f} / {load_after:.1f}",
    )
    figure("bare libsodium verify loop, one thread (baseline)", f"{n / times['bare']:>10,.0f} receipts/s")
    figure("dispatch_chain.receipts.verify_many, 1 worker", f"{n / times['dispatch']:>10,.0f} receipts/s")
    figure("ratio to baseline (aim >= 0.9)", f"{times['bare'] / times['dispatch']:>10.2f}")
    figure(f"dispatch_chain.receipts.verify_many, {workers} workers", f"{n / times['dispatchN']:>10,.0f} receipts/s")
    figure(
        "ratio to the single-thread baseline (aim >= 1.6 on 2 cores)", f"{times['bare'] / times['dispatchN']:>10.2f}"
    )
    figure(
        f"  the same without the batch loop (one libsodium call per receipt, {workers} threads)",
        f"{times['bare'] / times['dispatchN_calls']:>10.2f}",
    )
    # CPU per receipt: what each way costs whatever the other processes on the machine take;
    # with a free core per worker, wall time is this divided by the workers.
    per = {name: cpu[name] / (args.rounds * n) * 1e6 for name in cpu}
    figure(
        "CPU per receipt: bare / 1 worker / all workers",
        f"{per['bare']:>6.1f} / {per['dispatch']:.1f} / {per['dispatchN']:.1f} us",
    )
    figure("bare over 1-worker CPU (the 1-worker ratio on a free core)", f"{per['bare'] / per['dispatch']:>10.2f}")
    figure(
        f"bare over all-worker CPU x {workers} workers (the ratio on {workers} free cores)",
        f"{per['bare'] * workers / per['dispatchN']:>10.2f}",
    )


if __name__ == "__main__":
    main()
