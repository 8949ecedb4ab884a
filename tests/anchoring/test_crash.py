"""Crash test: the anchoring service SIGKILLed at random points, restarted until done.

Runs the real command line (`dispatch-chain anchor ingest` then `anchor run
--drain`) against its own anvil with 0.5 s blocks, so that kills land while
transactions are signed, in flight, mined-but-unrecorded, and while batches
are being cut. Afterwards every valid receipt must be in exactly one batch and
every batch root anchored exactly once on chain.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.deployments import load_manifest
from dispatch_chain.evm.anchor import BATCH_ANCHORED_TOPIC, EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.localnet import Anvil
from dispatch_chain.merkle import leaf_hash

from support import anchored_batch_count, dev_network, kill_until_done, make_signed, make_worker, random_seed

RECEIPTS = 600
BATCH = 25


def deploy(repo_root, url: str, manifest) -> None:
    proc = subprocess.run(
        ["ape", "run", "deploy", "--network", url, "--manifest", str(manifest)],
        cwd=repo_root, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_sigkill_anchors_every_receipt_exactly_once(tmp_path, repo_root) -> None:
    rng = random.Random(random_seed())  # printed; DISPATCH_TEST_SEED=<seed> replays the kill times
    signed = [make_signed(make_worker(i % 11 + 1), f"crash-{i}") for i in range(RECEIPTS)]
    lines = [json.dumps(s.to_dict()) for s in signed]
    lines.insert(17, json.dumps({**signed[0].to_dict(), "receipt_signature": signed[1].signature_text}))  # invalid
    receipts_file = tmp_path / "receipts.jsonl"
    receipts_file.write_text("\n".join(lines) + "\n")
    store_path = tmp_path / "store.sqlite"

    with Anvil(block_time=0.5) as anvil:
        manifest = tmp_path / "local.json"
        deploy(repo_root, anvil.url, manifest)
        env = {**os.environ, "DISPATCH_EVM_RPC_URL": anvil.url, "DISPATCH_MANIFEST": str(manifest),
               "DISPATCH_EVM_ACCOUNT": "dev:0", "DISPATCH_STORE": str(store_path),
               "DISPATCH_LOCK_DIR": str(tmp_path / "locks")}
        cli = [sys.executable, "-m", "dispatch_chain.cli"]
        ingest = subprocess.run([*cli, "anchor", "ingest", str(receipts_file)], env=env, capture_output=True,
                                text=True, timeout=120)
        assert ingest.returncode == 1, ingest.stdout + ingest.stderr  # the one invalid receipt; the rest stored
        assert f"newly stored {RECEIPTS}, invalid 1" in ingest.stdout
        # Only the service is killed: a run starts in about 1.5 s (imports) and then anchors a batch per
        # block (0.5 s), so kills after 1 to 5 s land while batches are being signed, sent and recorded.
        service = [*cli, "anchor", "run", "--drain", "--batch-size", str(BATCH), "--max-age", "0"]
        kills = kill_until_done(service, env=env, rng=rng, attempts=80, window=(1.0, 5.0))
        print(f"{kills} kills before a clean finish")
        assert kills >= 3, "the kills must interrupt the run several times to mean anything"

        client = EvmClient(dev_network(anvil.url))
        address = load_manifest(manifest).require_evm().contract("ReceiptAnchor").address
        contract = EvmReceiptAnchor(client, address)
        logs = client.get_logs({"address": address, "topics": [BATCH_ANCHORED_TOPIC]}, 0)
        chain_roots = [bytes(log["topics"][2]) for log in logs]

        with ReceiptStore(store_path) as store:
            batches = store.batches()
            assert store.pending_count() == 0
            assert store.stats()["receipts"] == RECEIPTS
            assert len(chain_roots) == len(set(chain_roots)) == len(batches) == anchored_batch_count(contract)
            assert sorted(chain_roots) == sorted(b.root for b in batches)
            members: dict[bytes, int] = {}
            for batch in batches:
                rows = store.anchors_of_batch(batch.id)
                assert [r.status for r in rows] == ["anchored"]
                for stored in store.batch_receipts(batch.id):
                    key = stored.signed.receipt.receipt_hash()
                    assert key not in members, "a receipt in two batches"
                    members[key] = batch.id
            assert set(members) == {s.receipt.receipt_hash() for s in signed}
            for s in rng.sample(signed, 20):
                stored = store.receipt(s.receipt.receipt_hash())
                record = store.anchors_of_batch(stored.batch.id)[0].record
                assert contract.verify(record.batch_id, leaf_hash(s.leaf_values()), stored.proof)
