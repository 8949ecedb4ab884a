"""Crash test: the feedback sender SIGKILLed at random points during 500 feedbacks.

The real `dispatch-chain reputation send --drain` runs against its own anvil
(0.5 s blocks, so kills land with many transactions in flight) and is killed
and restarted until it finishes. The chain must then hold exactly 500
NewFeedback events from the coordinator, one per job, none lost.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from dispatch_chain.deployments import load_manifest
from dispatch_chain.erc8004.feedback import NEW_FEEDBACK_TOPIC, FeedbackWriter
from dispatch_chain.erc8004.identity import IdentityRegistryClient
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.outbox import Outbox
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil

from support import dev_network, kill_until_done, make_signed, make_worker, random_seed

FEEDBACKS = 1200


@pytest.mark.slow
def test_sigkill_posts_every_feedback_exactly_once(tmp_path, repo_root) -> None:
    rng = random.Random(random_seed())  # printed; DISPATCH_TEST_SEED=<seed> replays the kill times
    with Anvil(block_time=0.5) as anvil:
        manifest = tmp_path / "local.json"
        proc = subprocess.run(["ape", "run", "deploy", "--network", anvil.url, "--manifest", str(manifest)],
                              cwd=repo_root, capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        contracts = load_manifest(manifest).require_evm().contracts
        client = EvmClient(dev_network(anvil.url))
        identity = IdentityRegistryClient(client, contracts["IdentityRegistry"].address)
        workers = [make_worker(100 + i) for i in range(5)]
        agents = [identity.register_worker(worker, dev_account(2 + i)).agent_id for i, worker in enumerate(workers)]
        jobs = [make_signed(workers[i % 5], f"fb-{i}") for i in range(FEEDBACKS)]
        with Outbox(tmp_path / "outbox.sqlite") as outbox:
            writer = FeedbackWriter(outbox, "https://coordinator.example")
            for i, signed in enumerate(jobs):  # each worker's claimed agent rides with its jobs
                writer.record_job(signed, success=i % 7 != 0, agent_id=agents[i % 5])

        env = {**os.environ, "DISPATCH_EVM_RPC_URL": anvil.url, "DISPATCH_MANIFEST": str(manifest),
               "DISPATCH_EVM_ACCOUNT": "dev:1", "DISPATCH_OUTBOX": str(tmp_path / "outbox.sqlite"),
               "DISPATCH_LOCK_DIR": str(tmp_path / "locks")}
        command = [sys.executable, "-m", "dispatch_chain.cli", "reputation", "send", "--drain", "--window", "48",
                   "--replace-after", "5"]
        kills = kill_until_done(command, env=env, rng=rng, cwd=tmp_path, attempts=80, window=(1.0, 5.0))
        print(f"{kills} kills before a clean finish")
        assert kills >= 3

        reputation = contracts["ReputationRegistry"].address
        coordinator_topic = "0x" + "00" * 12 + dev_account(1).address[2:].lower()
        logs = client.get_logs({"address": reputation, "topics": [NEW_FEEDBACK_TOPIC, None, coordinator_topic]}, 0)
        event = client.contract("ReputationRegistry", reputation).events.NewFeedback()
        hashes = [bytes(event.process_log(log)["args"]["feedbackHash"]) for log in logs]
        assert len(hashes) == FEEDBACKS, f"{len(hashes)} NewFeedback events"
        assert set(hashes) == {s.receipt.receipt_hash() for s in jobs}
        with Outbox(tmp_path / "outbox.sqlite") as outbox:
            assert outbox.counts() == {"done": FEEDBACKS}
