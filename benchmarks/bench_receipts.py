"""Receipts verified per second through dispatch_chain.receipts vs a bare libsodium loop.

The baseline is the least work verification can be: libsodium's ed25519
verify over canonical bytes and keys prepared in advance. dispatch_chain does
the whole job from decoded job_complete messages: strict parsing, canonical
bytes, signature decoding and the same libsodium call. Aim: ratio >= 0.8.
"""

from __future__ import annotations

import argparse

import nacl.bindings

from common import figure, header, interleaved
from dispatch_chain.receipts import verify_many
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

    def one_thread() -> None:
        assert len(verify_many(messages).valid) == len(messages)

    def two_threads() -> None:
        assert len(verify_many(messages, threads=2).valid) == len(messages)

    times = interleaved({"bare": bare, "dispatch": one_thread, "dispatch2": two_threads}, rounds=args.rounds)
    n = args.receipts
    header(f"receipt verification ({n} job_complete messages, median of {args.rounds} interleaved rounds)")
    figure("bare libsodium verify loop (baseline)", f"{n / times['bare']:>10,.0f} receipts/s")
    figure("dispatch_chain.receipts.verify_many, 1 thread", f"{n / times['dispatch']:>10,.0f} receipts/s")
    figure("ratio to baseline (aim >= 0.8)", f"{times['bare'] / times['dispatch']:>10.2f}")
    figure("dispatch_chain.receipts.verify_many, 2 threads", f"{n / times['dispatch2']:>10,.0f} receipts/s")
    figure("ratio to the single-thread baseline", f"{times['bare'] / times['dispatch2']:>10.2f}")


if __name__ == "__main__":
    main()
