"""Helpers the tests import (``pythonpath = tests`` in pyproject.toml)."""

from __future__ import annotations

from typing import Any

import nacl.signing

from dispatch_chain.receipts import Receipt, SignedReceipt, output_hash_of, sign_receipt


def make_worker(seed: int) -> nacl.signing.SigningKey:
    """A deterministic worker key for tests."""
    return nacl.signing.SigningKey(seed.to_bytes(32, "big"))


def make_signed(worker: nacl.signing.SigningKey, job_id: str, **overrides: Any) -> SignedReceipt:
    """A valid signed receipt for ``worker``."""
    receipt = Receipt.create(
        job_id=job_id,
        provider_key=bytes(worker.verify_key),
        output_hash=overrides.pop("output_hash", output_hash_of(job_id.encode())),
        completed_at=overrides.pop("completed_at", "2026-02-10T12:00:00.000Z"),
        payment_ref=overrides.pop("payment_ref", None),
    )
    return sign_receipt(receipt, worker)


def dev_network(rpc_url: str, chain_id: int = 31337):
    """An EvmNetwork for a local test node: no confirmations, fast polling."""
    from dispatch_chain.config import EvmNetwork

    return EvmNetwork(rpc_url=rpc_url, chain_id=chain_id, confirmations=0, poll_interval=0.02)
