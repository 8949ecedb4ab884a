"""Receipts verified per second through dispatch_chain.receipts vs a bare libsodium loop.

The baseline is the least work verification can be: libsodium's ed25519
verify over canonical bytes and keys prepared in advance. dispatch_chain does
the whole job from decoded job_complete messages: strict parsing, canonical
bytes, signature decoding and the same libsodium call. Aims: ratio >= 0.9 with
one worker, >= 1.6 with a worker per core on 2 cores. The load average is
printed: other processes on the machine take cores from the workers.
"""

from __future__ import annotations

import argparse
import os

import nacl.bindings

from common import figure, header, interleaved
from dispatch_chain.receipts import default_workers, verify_many
from support import make_signed, make_worker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--receipts", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    signed = [make_signed(make_worker(i % 50 + 1), f"job-{i}") for i in range(args.receipts)]
    messages = [
        {"type": "job_complete", "job_id": s.receipt.job_id, "output": {}, "output_hash": s.receipt.output_hash,
         "receipt": s.receipt.to_dict(), "receipt_signature": s.signature_text}
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

    workers = default_workers()
    load_before = os.getloadavg()[0]
    times = interleaved({"bare": bare, "dispatch": one_worker, "dispatchN": all_workers}, rounds=args.rounds)
    load_after = os.getloadavg()[0]
    n = args.receipts
    header(f"receipt verification ({n} job_complete messages, median of {args.rounds} interleaved rounds)")
    figure("machine: cores for this process; load average before/after", f"{workers:>10}   {load_before:.1f} / {load_after:.1f}")
    figure("bare libsodium verify loop, one thread (baseline)", f"{n / times['bare']:>10,.0f} receipts/s")
    figure("dispatch_chain.receipts.verify_many, 1 worker", f"{n / times['dispatch']:>10,.0f} receipts/s")
    figure("ratio to baseline (aim >= 0.9)", f"{times['bare'] / times['dispatch']:>10.2f}")
    figure(f"dispatch_chain.receipts.verify_many, {workers} workers", f"{n / times['dispatchN']:>10,.0f} receipts/s")
    figure(f"ratio to the single-thread baseline (aim >= 1.6 on 2 cores)", f"{times['bare'] / times['dispatchN']:>10.2f}")


if __name__ == "__main__":
    main()
