"""Simulated workers and the receipts they sign, some deliberately invalid."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import nacl.signing

from dispatch_chain.protocol import PRICING_USD
from dispatch_chain.receipts import Receipt, SignedReceipt, format_signature, output_hash_of, sign_receipt

PRICES = tuple(PRICING_USD)

#: The ways the demo corrupts a receipt, and why the verifier must reject each.
CORRUPTIONS = ("forged signature", "tampered output_hash", "wrong worker key", "truncated pubkey")


@dataclass
class Worker:
    """A worker: its ed25519 key and a display name."""

    name: str
    key: nacl.signing.SigningKey

    @property
    def pubkey(self) -> bytes:
        return bytes(self.key.verify_key)


@dataclass
class Job:
    """One completed job as the coordinator receives it."""

    job_id: str
    worker: Worker
    message: dict[str, object]
    corruption: str | None = None
    succeeded: bool = True
    pricing: tuple[str, str] = ("CHEAP", "TASK")  # (policy, job class), a key of protocol.PRICING_USD


@dataclass
class Workload:
    workers: list[Worker]
    jobs: list[Job] = field(default_factory=list)

    @property
    def expected_invalid(self) -> list[Job]:
        return [j for j in self.jobs if j.corruption is not None]


def make_workers(count: int, rng: random.Random) -> list[Worker]:
    return [Worker(f"worker-{i + 1}", nacl.signing.SigningKey(rng.randbytes(32))) for i in range(count)]


def _corrupt(kind: str, message: dict, signed: SignedReceipt, other: Worker) -> None:
    receipt = message["receipt"]
    if kind == "forged signature":
        # signed over the right bytes, but by another worker's key
        message["receipt_signature"] = format_signature(other.key.sign(signed.receipt.canonical_bytes()).signature)
    elif kind == "tampered output_hash":
        tampered = output_hash_of(b"something else")
        receipt["output_hash"] = tampered
        message["output_hash"] = tampered
    elif kind == "wrong worker key":
        receipt["provider_pubkey"] = "ed25519:" + other.pubkey.hex()
    elif kind == "truncated pubkey":
        receipt["provider_pubkey"] = receipt["provider_pubkey"][:-2]


def make_workload(workers: list[Worker], jobs: int, invalid_share: float, rng: random.Random) -> Workload:
    """``jobs`` job_complete messages; about ``invalid_share`` of them corrupted."""
    workload = Workload(workers)
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    for n in range(jobs):
        worker = workers[n % len(workers)]
        job_id = f"job-{n:05d}"
        output = f"result of {job_id} by {worker.name}".encode()
        receipt = Receipt.create(
            job_id=job_id,
            provider_key=worker.pubkey,
            output_hash=output_hash_of(output),
            completed_at=start + timedelta(seconds=n),
            # synthetic load, nobody paid for it: no payment_ref (a made-up one would name no transaction and
            # fail every payment check); the paid jobs, with real x402 payments, are the payments stage's
            payment_ref=None,
        )
        signed = sign_receipt(receipt, worker.key)
        message: dict[str, object] = {
            "type": "job_complete",
            "job_id": job_id,
            "output": {"text": output.decode()},
            "output_hash": receipt.output_hash,
            "receipt": receipt.to_dict(),
            "receipt_signature": signed.signature_text,
        }
        corruption = None
        if rng.random() < invalid_share:
            corruption = CORRUPTIONS[n % len(CORRUPTIONS)]
            _corrupt(corruption, message, signed, workers[(n + 1) % len(workers)])
        # about one job in eight fails at the worker (reported as a failure, still receipted)
        workload.jobs.append(
            Job(job_id, worker, message, corruption, succeeded=rng.random() >= 0.125, pricing=PRICES[n % len(PRICES)])
        )
    return workload
