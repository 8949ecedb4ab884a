"""The long-running writers as an operator runs them: `anchor run` and `reputation send` as processes.

* one writer per store / outbox, and one writer per EVM account: a second one exits 3 and says why;
* both writers at once on separate accounts work; on one account the second is refused;
* an RPC that goes away and comes back (a real JSON-RPC proxy dropping every connection for a
  while, the chain behind it untouched) does not end them: they back off, log, and carry on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.erc8004.feedback import FeedbackWriter, feedback_key
from dispatch_chain.erc8004.identity import IdentityRegistryClient
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.outbox import Outbox
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil

from support import RpcProxy, deploy_contract, dev_network, make_signed, make_worker

CLI = [sys.executable, "-m", "dispatch_chain.cli"]


@pytest.fixture
def live(project, tmp_path):
    with Anvil(block_time=0.5) as anvil:
        client = EvmClient(dev_network(anvil.url))
        anchor = deploy_contract(client, project.ReceiptAnchor.contract_type, 0, dev_account(0).address,
                                 [dev_account(1).address, dev_account(2).address])
        identity = deploy_contract(client, project.IdentityRegistry.contract_type)
        reputation = deploy_contract(client, project.ReputationRegistry.contract_type, identity)
        manifest = tmp_path / "local.json"
        manifest.write_text(json.dumps({"network": "local", "evm": {"chain_id": 31337, "contracts": {
            "ReceiptAnchor": {"address": anchor}, "IdentityRegistry": {"address": identity},
            "ReputationRegistry": {"address": reputation}}}}))
        with RpcProxy(anvil.url) as proxy:
            env = {**os.environ, "DISPATCH_EVM_RPC_URL": proxy.url, "DISPATCH_MANIFEST": str(manifest),
                   "DISPATCH_STORE": str(tmp_path / "store.sqlite"), "DISPATCH_OUTBOX": str(tmp_path / "outbox.sqlite"),
                   "DISPATCH_LOCK_DIR": str(tmp_path / "locks"), "DISPATCH_ANCHOR_ACCOUNT": "dev:1",
                   "DISPATCH_FEEDBACK_ACCOUNT": "dev:3"}
            env.pop("DISPATCH_EVM_ACCOUNT", None)
            yield {"env": env, "client": client, "proxy": proxy, "tmp": tmp_path, "identity": identity,
                   "anchor": anchor}


def start(env: dict[str, str], *args: str, cwd: Path, ready: str) -> subprocess.Popen[bytes]:
    """Start a long-running command (its stderr to a file) and wait until it says ``ready`` there."""
    log = cwd / f"{args[0]}-{args[1]}-{time.monotonic_ns()}.log"
    with open(log, "wb") as handle:
        proc = subprocess.Popen([*CLI, *args], env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while ready not in log.read_text():
        assert proc.poll() is None, f"exited {proc.returncode}: {log.read_text()}"
        assert time.monotonic() < deadline, f"not ready: {log.read_text()}"
        time.sleep(0.1)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return proc.returncode, proc.log.read_text()  # type: ignore[attr-defined]


def run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, cwd=cwd, text=True, capture_output=True, timeout=120)


def ingest(env, tmp: Path, prefix: str, n: int) -> None:
    path = tmp / f"{prefix}.jsonl"
    path.write_text("".join(json.dumps(make_signed(make_worker(i % 5 + 1), f"{prefix}-{i}").to_dict()) + "\n"
                            for i in range(n)))
    assert run(env, "anchor", "ingest", str(path), cwd=tmp).returncode == 0


def wait_for(check, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def anchored(tmp: Path) -> int:
    with ReceiptStore(tmp / "store.sqlite") as store:
        return store.stats()["anchors"].get("eip155:31337", {}).get("anchored", 0)


def test_single_writers_and_separate_accounts(live) -> None:
    env, tmp = live["env"], live["tmp"]
    service = start(env, "anchor", "run", "--max-age", "0", "--interval", "0.2", cwd=tmp, ready="anchoring on")
    try:
        second = run(env, "anchor", "run", "--once", cwd=tmp)
        assert second.returncode == 3, second.stderr
        assert "anchoring service on" in second.stderr and "already holds" in second.stderr
        assert "run one `anchor run` per store" in second.stderr and "Traceback" not in second.stderr

        # The feedback sender on its own account runs beside it...
        sender = start(env, "reputation", "send", cwd=tmp, ready="sending from")
        try:
            again = run(env, "reputation", "send", "--drain", cwd=tmp)
            assert again.returncode == 3 and "feedback sender on" in again.stderr and "already holds" in again.stderr
            # ...but another sender (its own outbox) on the anchoring service's account is refused.
            same_key = {**env, "DISPATCH_FEEDBACK_ACCOUNT": "dev:1", "DISPATCH_OUTBOX": str(tmp / "other.sqlite")}
            clash = run(same_key, "reputation", "send", "--drain", cwd=tmp)
            assert clash.returncode == 3, clash.stderr
            assert f"anchoring service with EVM account {dev_account(1).address}" in clash.stderr
            assert "DISPATCH_ANCHOR_ACCOUNT" in clash.stderr and "DISPATCH_FEEDBACK_ACCOUNT" in clash.stderr
            ingest(env, tmp, "beside", 6)
            wait_for(lambda: anchored(tmp) >= 1)
        finally:
            code, _ = stop(sender)
            assert code == 0
    finally:
        code, output = stop(service)
    assert code == 0, output
    # Once the service is gone, the store and the account are free again.
    assert run(env, "anchor", "run", "--once", cwd=tmp).returncode == 0


def test_the_x402_facilitator_is_a_writer_with_its_own_account(live) -> None:
    """The facilitator settles payments (it sends transactions): on the anchoring service's account it is refused
    with the way out in the message; on its own account (DISPATCH_FACILITATOR_ACCOUNT) it serves beside it."""
    env, tmp = live["env"], live["tmp"]
    service = start(env, "anchor", "run", "--max-age", "0", "--interval", "0.2", cwd=tmp, ready="anchoring on")
    try:
        clash = run({**env, "DISPATCH_FACILITATOR_ACCOUNT": "dev:1"}, "x402", "facilitator", "--port", "0",
                    "--store", str(tmp / "x402.sqlite"), cwd=tmp)
        assert clash.returncode == 3, clash.stderr
        assert f"anchoring service with EVM account {dev_account(1).address}" in clash.stderr
        assert "DISPATCH_FACILITATOR_ACCOUNT" in clash.stderr and "Traceback" not in clash.stderr
        own = {**env, "DISPATCH_FACILITATOR_ACCOUNT": "dev:5"}
        facilitator = start(own, "x402", "facilitator", "--port", "0", "--store", str(tmp / "x402.sqlite"), cwd=tmp,
                            ready="x402 facilitator on")
        try:
            second = run(own, "x402", "facilitator", "--port", "0", "--store", str(tmp / "x402b.sqlite"), cwd=tmp)
            assert second.returncode == 3 and "x402 facilitator with EVM account" in second.stderr
        finally:
            stop(facilitator)
    finally:
        code, output = stop(service)
    assert code == 0, output


def test_writers_ride_out_an_rpc_outage(live) -> None:
    env, tmp, proxy, client = live["env"], live["tmp"], live["proxy"], live["client"]
    identity = IdentityRegistryClient(client, live["identity"])
    worker = make_worker(77)
    agent_id = identity.register_worker(worker, dev_account(4)).agent_id
    with Outbox(tmp / "outbox.sqlite") as outbox:
        writer = FeedbackWriter(outbox, "https://coordinator.example")
        for n in range(3):
            writer.record_job(make_signed(worker, f"outage-{n}"), success=True, agent_id=agent_id)

    proxy.down()  # the node is unreachable when the writers start
    service = start(env, "anchor", "run", "--max-age", "0", "--interval", "0.2", cwd=tmp,
                    ready="cannot start anchoring")
    sender = start(env, "reputation", "send", cwd=tmp, ready="cannot start the feedback sender")
    try:
        proxy.up()
        ingest(env, tmp, "first", 5)
        wait_for(lambda: anchored(tmp) >= 1)
        with Outbox(tmp / "outbox.sqlite") as outbox:
            wait_for(lambda: outbox.counts() == {"done": 3})

        proxy.down()  # the RPC goes away while they run
        ingest(env, tmp, "during", 5)
        with Outbox(tmp / "outbox.sqlite") as outbox:
            FeedbackWriter(outbox, "https://coordinator.example").record_job(
                make_signed(worker, "outage-late"), success=False, agent_id=agent_id)
        time.sleep(4)
        assert service.poll() is None and sender.poll() is None  # still running
        dropped = proxy.dropped
        assert dropped > 0
        proxy.up()
        wait_for(lambda: anchored(tmp) >= 2)
        with Outbox(tmp / "outbox.sqlite") as outbox:
            wait_for(lambda: outbox.get(feedback_key("outage-late")).status == "done")
    finally:
        service_code, service_log = stop(service)
        sender_code, sender_log = stop(sender)
    assert service_code == 0 and sender_code == 0, service_log + sender_log
    assert "retrying in" in service_log and "retrying in" in sender_log
    assert "Traceback" not in service_log + sender_log
    with ReceiptStore(tmp / "store.sqlite") as store:
        assert store.pending_count() == 0
