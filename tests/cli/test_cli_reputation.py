"""`dispatch-chain worker ...` and `reputation ...` against local registries on anvil."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dispatch_chain.cli import main
from dispatch_chain.keys import dev_account


@pytest.fixture(scope="module")
def env(chain, project, accounts, tmp_path_factory) -> dict[str, str]:
    identity = accounts[0].deploy(project.IdentityRegistry)
    reputation = accounts[0].deploy(project.ReputationRegistry, identity.address)
    folder = tmp_path_factory.mktemp("cli-rep")
    manifest = folder / "local.json"
    manifest.write_text(json.dumps({"network": "local", "evm": {"chain_id": 31337, "contracts": {
        "IdentityRegistry": {"address": identity.address}, "ReputationRegistry": {"address": reputation.address}}}}))
    return {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_MANIFEST": str(manifest),
            "DISPATCH_OUTBOX": str(folder / "outbox.sqlite"), "DISPATCH_EVM_ACCOUNT": "dev:1", "FOLDER": str(folder)}


def run(env, *args: str):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def keygen(env, name: str) -> str:
    path = f"{env['FOLDER']}/{name}.json"
    result = run(env, "worker", "keygen", "-o", path)
    assert result.exit_code == 0 and result.output.startswith("ed25519:")
    return path


def test_register_give_show(env) -> None:
    key_file = keygen(env, "w1")
    result = run(env, "worker", "register", "--key", key_file, "--owner", "dev:3", "--json")
    assert result.exit_code == 0, result.output
    registered = json.loads(result.output)
    worker = registered["worker"]
    shown = run(env, "worker", "show", worker, "--json")
    assert json.loads(shown.output)["agent_id"] == registered["agent_id"]
    no_hash = run(env, "reputation", "give", worker, "--value", "80", "--job-id", "cli-job-1")
    assert no_hash.exit_code == 2 and "--receipt-hash" in no_hash.output  # required: it identifies the feedback
    zeros = run(env, "reputation", "give", worker, "--value", "80", "--job-id", "cli-job-1",
                "--receipt-hash", "0x" + "00" * 32)
    assert zeros.exit_code == 2 and "not zeros" in zeros.output
    given = run(env, "reputation", "give", worker, "--value", "80", "--job-id", "cli-job-1",
                "--receipt-hash", "0x" + "c1" * 32)
    assert given.exit_code == 0, given.output
    assert "feedback 80/100 for job 'cli-job-1'" in given.output
    again = run(env, "reputation", "give", worker, "--value", "20", "--job-id", "cli-job-1",
                "--receipt-hash", "0x" + "c2" * 32)
    assert again.exit_code == 2 and "already has a feedback" in again.output
    show = run(env, "reputation", "show", worker, "--client", dev_account(1).address, "--tier", "SENTINEL")
    assert show.exit_code == 0, show.output
    assert "1 feedback(s), average 80.00/100" in show.output
    assert "SENTINEL: effective reputation 160, +10 of 10" in show.output
    assert "unrateable" not in show.output


def test_unknown_worker_is_a_clear_error(env) -> None:
    result = run(env, "reputation", "show", "ed25519:" + "ab" * 32)
    assert result.exit_code == 2
    assert "has claimed no ERC-8004 agent" in result.output
    result = run(env, "reputation", "show", "ed25519:" + "ab" * 32, "--agent-id", "0")
    assert result.exit_code == 2 and "claims agent 0" in result.output
    result = run(env, "worker", "show", "ed25519:" + "ab" * 31)
    assert result.exit_code == 2 and "expected 64 hex digits" in result.output


def test_bad_key_files_and_unfunded_owner(env, tmp_path) -> None:
    result = run(env, "worker", "register", "--key", str(tmp_path / "missing.json"))
    assert result.exit_code == 3 and "key file not found" in result.output
    (tmp_path / "bad.json").write_text("[1, 2, 3]")
    result = run(env, "worker", "register", "--key", str(tmp_path / "bad.json"))
    assert result.exit_code == 3 and "JSON array of 64 bytes" in result.output
    key_file = keygen(env, "unfunded")
    result = run(env, "worker", "register", "--key", key_file)  # derived owner, never funded
    assert result.exit_code == 2 and "has no funds" in result.output
    assert run(env, "worker", "keygen", "-o", key_file).exit_code == 3  # never overwrites a key


def test_queued_feedback_survives_for_later(env) -> None:
    key_file = keygen(env, "late")
    records = f"{env['FOLDER']}/jobs.jsonl"
    from dispatch_chain.keys import load_worker_key
    from dispatch_chain.receipts import Receipt, output_hash_of, sign_receipt

    key = load_worker_key(key_file)
    signed = sign_receipt(Receipt.create(job_id="late-job", provider_key=bytes(key.verify_key),
                                         output_hash=output_hash_of(b"x")), key)
    with open(records, "w") as handle:
        handle.write(json.dumps({"job": signed.to_dict(), "success": True}) + "\n")
    assert "queued 1 new" in run(env, "reputation", "enqueue", records).output
    assert "queued 0 new feedback(s), 1 already queued" in run(env, "reputation", "enqueue", records).output
    result = run(env, "reputation", "send", "--drain", "--timeout", "3")  # the worker is not registered yet
    assert result.exit_code == 3 and "late-job: worker ed25519:" in result.output
    registered = run(env, "worker", "register", "--key", key_file, "--owner", "dev:4", "--json")
    assert registered.exit_code == 0
    assert {"worker", "agent_id"} <= json.loads(registered.output).keys()
    result = run(env, "reputation", "send", "--drain", "--timeout", "60")
    assert result.exit_code == 0 and "'done'" in result.output


def test_worker_claim_verifies_with_calls(env, tmp_path) -> None:
    key_file = keygen(env, "claimer")
    registered = json.loads(run(env, "worker", "register", "--key", key_file, "--owner", "dev:5", "--json").output)
    worker, agent_id = registered["worker"], registered["agent_id"]
    assert run(env, "worker", "claim", worker, str(agent_id)).exit_code == 0
    manifest = json.loads(open(env["DISPATCH_MANIFEST"]).read())
    registry = manifest["evm"]["contracts"]["IdentityRegistry"]["address"]
    agent_file = tmp_path / "agent.json"
    agent_file.write_text(json.dumps({"registrations": [{"agentId": agent_id,
                                                         "agentRegistry": f"eip155:31337:{registry}"}]}))
    result = run(env, "worker", "claim", worker, "--agent-file", str(agent_file))
    assert result.exit_code == 0 and f"agent {agent_id}: binding verified" in result.output
    other_worker = run(env, "worker", "keygen", "-o", str(tmp_path / "x.json")).output.strip()
    result = run(env, "worker", "claim", other_worker, str(agent_id))
    assert result.exit_code == 2 and "which binds" in result.output
    assert run(env, "worker", "claim", worker).exit_code == 2  # no agent id given


def test_a_worker_refusing_our_feedback_shows_as_unrateable(env) -> None:
    from dispatch_chain.evm.client import EvmClient
    from dispatch_chain.evm.transactions import TxSender

    from support import dev_network

    key_file = keygen(env, "operator-trick")
    registered = json.loads(run(env, "worker", "register", "--key", key_file, "--owner", "dev:6", "--json").output)
    worker, agent_id = registered["worker"], registered["agent_id"]
    client = EvmClient(dev_network(env["DISPATCH_EVM_RPC_URL"]))
    registry = json.loads(open(env["DISPATCH_MANIFEST"]).read())["evm"]["contracts"]["IdentityRegistry"]["address"]
    owner = TxSender(client, dev_account(6))  # the worker makes the coordinator (dev:1) its operator
    prepared = owner.prepare(client.contract("IdentityRegistry", registry).functions.setApprovalForAll(
        dev_account(1).address, True), contract="IdentityRegistry")
    owner.broadcast(prepared)
    owner.wait(prepared.tx_hash)
    refused = run(env, "reputation", "give", worker, "--value", "20", "--job-id", "trick-1",
                  "--receipt-hash", "0x" + "d1" * 32, "--agent-id", str(agent_id))
    assert refused.exit_code == 2 and "ReputationRegistrySelfFeedback" in refused.output
    show = run(env, "reputation", "show", worker, "--client", dev_account(1).address, "--json")
    assert show.exit_code == 0, show.output
    shown = json.loads(show.output)
    assert shown["unrateable"] and "ReputationRegistrySelfFeedback" in shown["unrateable"]
    assert shown["reputation_points"] == -10
    text = run(env, "reputation", "show", str(agent_id), "--client", dev_account(1).address)
    assert "unrateable: the registry refuses this coordinator's feedback" in text.output
    assert "-10 of 10 in workerScore" in text.output
