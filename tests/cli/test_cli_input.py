"""Bad input through the CLI: a clear line, a non-zero exit, nothing accepted as valid."""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner

from dispatch_chain.anchoring.bundles import bundle_of
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.cli import main
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account

from support import dev_network, make_signed, make_worker


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def message(worker) -> dict:
    signed = make_signed(worker, "job-1")
    return {
        "type": "job_complete",
        "job_id": "job-1",
        "output": {"text": "ok"},
        "output_hash": signed.receipt.output_hash,
        "receipt": signed.receipt.to_dict(),
        "receipt_signature": signed.signature_text,
    }


def write(tmp_path, data, name="input.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_valid_message_verifies(tmp_path, message) -> None:
    result = run("receipt", "verify", write(tmp_path, message))
    assert result.exit_code == 0
    assert "valid: receipt 'job-1'" in result.output


def _bad_cases(message: dict) -> dict[str, tuple[object, int, str]]:
    receipt = message["receipt"]
    no_field = {k: v for k, v in receipt.items() if k != "completed_at"}
    short_key = "ed25519:" + receipt["provider_pubkey"][8:70]
    return {
        "malformed json": ('{"type": "job_complete", ', 2, "not valid JSON"),
        "missing field": ({**message, "receipt": no_field}, 2, "receipt.completed_at: missing field"),
        "unknown field": ({**message, "receipt": {**receipt, "tip": 1}}, 2, "receipt.tip: unknown field"),
        "bad base64": ({**message, "receipt_signature": "base64:@@@@"}, 2, "receipt_signature: not standard padded base64"),
        "short signature": ({**message, "receipt_signature": "base64:" + base64.b64encode(b"x" * 63).decode()}, 2,
                            "receipt_signature: an ed25519 signature has 64 bytes, got 63"),
        "31-byte key": ({**message, "receipt": {**receipt, "provider_pubkey": short_key}}, 2,
                        "receipt.provider_pubkey: expected 64 hex digits (32 bytes), got 62 characters"),
        "tampered field": ({**message, "receipt": {**receipt, "payment_ref": "pay-2"}}, 1,
                           "ed25519 signature does not verify"),
        "not an object": ("[1, 2]", 2, "expected a job_complete message"),
    }


@pytest.mark.parametrize("case", ["malformed json", "missing field", "unknown field", "bad base64",
                                  "short signature", "31-byte key", "tampered field", "not an object"])
def test_bad_receipt_input(tmp_path, message, case) -> None:
    data, code, text = _bad_cases(message)[case]
    result = run("receipt", "verify", write(tmp_path, data))
    assert result.exit_code == code, result.output
    assert text in result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1  # one clear line


def test_ingest_stores_only_valid_receipts(tmp_path, message) -> None:
    cases = _bad_cases(message)
    records = [message] + [data for name, (data, _, _) in cases.items() if isinstance(data, dict)]
    store = tmp_path / "store.sqlite"
    path = write(tmp_path, "\n".join(json.dumps(r) for r in records), "receipts.jsonl")
    result = run("anchor", "ingest", path, "--store", str(store))
    assert result.exit_code == 1  # any invalid receipt in the file: exit 1, the valid ones stored all the same
    assert f"read {len(records)}, valid 1, newly stored 1, invalid {len(records) - 1}" in result.output
    with ReceiptStore(store) as db:
        assert db.stats()["receipts"] == 1


def test_ingest_workers_give_the_same_result(tmp_path, message) -> None:
    """--workers 1 and --workers 3 (threads) read, judge and store the same receipts."""
    worker = make_worker(21)
    records = [{"receipt": s.receipt.to_dict(), "receipt_signature": s.signature_text}
               for s in (make_signed(worker, f"w-{i}") for i in range(900))]
    bad = _bad_cases(message)
    for index, name in zip((3, 450, 899), ("missing field", "tampered field", "31-byte key"), strict=True):
        records[index] = bad[name][0]
    path = write(tmp_path, "\n".join(json.dumps(r) for r in records), "receipts.jsonl")
    results = {}
    for workers in ("1", "3"):
        store = tmp_path / f"store-{workers}.sqlite"
        result = run("anchor", "ingest", path, "--store", str(store), "--json", "--workers", workers)
        assert result.exit_code == 1, result.output  # three invalid receipts: reported, the rest stored
        with ReceiptStore(store) as db:
            stored = [f"w-{i}" for i in range(900) if db.receipts_for_job(f"w-{i}")]
            count = db.stats()["receipts"]
        results[workers] = (json.loads(result.output), stored, count)
    assert results["1"] == results["3"]
    summary, stored, count = results["1"]
    assert summary["valid"] == len(stored) == count == 897
    assert [i["index"] for i in summary["invalid"]] == [3, 450, 899]
    assert run("anchor", "ingest", path, "--workers", "0").exit_code == 2


def test_missing_file_and_missing_manifest(tmp_path) -> None:
    result = run("receipt", "verify", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "cannot read" in result.output
    bundle_path = write(tmp_path, {"receipt": {}, "receipt_signature": "x"}, "b.json")
    result = run("audit", bundle_path)  # a receipt that does not parse is malformed input
    assert result.exit_code == 2 and "receipt.job_id: missing field" in result.output
    result = run("--manifest", str(tmp_path / "none.json"), "anchor", "run", "--once",
                 "--store", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 3 and "deployments manifest not found" in result.output


class TestAudit:
    """Bundles of a real anchored batch, audited through the CLI against anvil."""

    @pytest.fixture(scope="class")
    def anchored(self, chain, project, accounts, tmp_path_factory):
        contract = accounts[0].deploy(project.ReceiptAnchor, 0, accounts[0], [accounts[1]])
        client = EvmClient(dev_network(chain.provider.uri))
        backend = EvmReceiptAnchor(client, contract.address, sender=TxSender(client, dev_account(1)))
        store = ReceiptStore(tmp_path_factory.mktemp("audit") / "store.sqlite")
        service = AnchoringService(store, [backend], BatchPolicy(max_size=8, max_age=0))
        signed = [make_signed(make_worker(i + 1), f"audit-{i}") for i in range(16)]
        service.submit(signed)
        service.drain()
        bundles = [bundle_of(store.receipt(s.receipt.receipt_hash()),
                             store.anchors_of_batch(store.receipt(s.receipt.receipt_hash()).batch.id))
                   for s in signed]
        manifest = tmp_path_factory.mktemp("manifest") / "local.json"  # the network's trusted deployment
        manifest.write_text(json.dumps({"network": "local", "evm": {
            "chain_id": 31337, "contracts": {"ReceiptAnchor": {"address": contract.address}}}}))
        env = {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_MANIFEST": str(manifest)}
        return {"rpc": chain.provider.uri, "bundles": bundles, "env": env, "contract": contract,
                "client": client, "store": store}

    def audit(self, tmp_path, anchored, bundle, *args: str) -> object:
        path = write(tmp_path, bundle if isinstance(bundle, str) else bundle.to_json(), "bundle.json")
        return run("audit", path, *args, env=anchored["env"])

    def test_good_bundle_is_proven(self, tmp_path, anchored) -> None:
        result = self.audit(tmp_path, anchored, anchored["bundles"][0])
        assert result.exit_code == 0, result.output
        assert "PROVEN job 'audit-0' on eip155:31337: batch" in result.output
        assert "FAIL" not in result.output

    def test_json_output(self, tmp_path, anchored) -> None:
        path = write(tmp_path, anchored["bundles"][1].to_json(), "bundle.json")
        result = run("audit", path, "--json", env=anchored["env"])
        report = json.loads(result.output)
        assert result.exit_code == 0 and report["ok"] and report["anchors"][0]["block"] > 0

    def test_proof_from_another_batch(self, tmp_path, anchored) -> None:
        first, other = anchored["bundles"][0], anchored["bundles"][12]  # batches 1 and 2
        bad = first.model_copy(deep=True)
        bad.anchors[0].proof = list(other.anchors[0].proof)
        result = self.audit(tmp_path, anchored, bad)
        assert result.exit_code == 1
        assert "proof: the proof does not lead from this receipt's leaf to the root" in result.output

    def test_wrong_batch_id(self, tmp_path, anchored) -> None:
        bad = anchored["bundles"][0].model_copy(deep=True)
        bad.anchors[0].batch_id = anchored["bundles"][12].anchors[0].batch_id
        result = self.audit(tmp_path, anchored, bad)
        real, claimed = anchored["bundles"][0].anchors[0].batch_id, bad.anchors[0].batch_id
        assert real != claimed  # EVM batch ids are the roots' top 48 bits
        assert result.exit_code == 1 and f"is anchored as batch {real}, not {claimed}" in result.output

    def test_tampered_receipt(self, tmp_path, anchored) -> None:
        bad = anchored["bundles"][0].model_copy(deep=True)
        bad.receipt["completed_at"] = "2026-02-10T12:00:01.000Z"
        result = self.audit(tmp_path, anchored, bad)
        assert result.exit_code == 1
        assert "FAIL  signature: ed25519 signature does not verify" in result.output
        assert "NOT PROVEN" in result.output

    def test_root_not_anchored(self, tmp_path, anchored) -> None:
        # A self-consistent bundle whose single-leaf root was never anchored.
        signed = make_signed(make_worker(99), "never-anchored")
        bundle = anchored["bundles"][0].model_copy(deep=True)
        bundle.receipt, bundle.receipt_signature = signed.receipt.to_dict(), signed.signature_text
        from dispatch_chain.merkle import leaf_hash
        bundle.anchors[0].root, bundle.anchors[0].proof = "0x" + leaf_hash(signed.leaf_values()).hex(), []
        result = self.audit(tmp_path, anchored, bundle)
        assert result.exit_code == 1 and "is not anchored by" in result.output

    def test_wrong_network(self, tmp_path, anchored) -> None:
        bad = anchored["bundles"][0].model_copy(deep=True)
        bad.anchors[0].chain = "eip155:10143"
        result = self.audit(tmp_path, anchored, bad)  # the manifest trusts the contract on 31337 only
        assert result.exit_code == 1 and "nothing is trusted on eip155:10143" in result.output
        result = self.audit(tmp_path, anchored, bad, "--trust", f"eip155:10143:{bad.anchors[0].contract}")
        assert result.exit_code == 1 and "but network 'local' is eip155:31337" in result.output

    def test_malformed_bundle(self, tmp_path, anchored) -> None:
        bad = json.loads(anchored["bundles"][0].to_json())
        bad["anchors"][0]["root"] = "0x1234"
        result = self.audit(tmp_path, anchored, json.dumps(bad))
        assert result.exit_code == 2 and "anchors.0.root" in result.output
        result = self.audit(tmp_path, anchored, "{not json")
        assert result.exit_code == 2 and "not valid JSON" in result.output

    # -- trust: the bundle names the contract, the auditor decides whether to believe it ------------

    @pytest.fixture(scope="class")
    def forged(self, project, accounts, anchored, tmp_path_factory):
        """An attacker's own ReceiptAnchor with a receipt they signed themselves, properly anchored."""
        attacker = accounts[5]
        contract = attacker.deploy(project.ReceiptAnchor, 0, attacker, [attacker])
        client = anchored["client"]
        backend = EvmReceiptAnchor(client, contract.address, sender=TxSender(client, dev_account(5)))
        store = ReceiptStore(tmp_path_factory.mktemp("forged") / "store.sqlite")
        service = AnchoringService(store, [backend], BatchPolicy(max_size=1, max_age=0))
        signed = make_signed(make_worker(66), "forged-job")
        service.submit([signed])
        service.drain()
        stored = store.receipt(signed.receipt.receipt_hash())
        return {"bundle": bundle_of(stored, store.anchors_of_batch(stored.batch.id)), "contract": contract,
                "backend": backend}

    def test_self_deployed_anchor_is_not_trusted(self, tmp_path, anchored, forged) -> None:
        result = self.audit(tmp_path, anchored, forged["bundle"])
        assert result.exit_code == 1, result.output
        fail_lines = [line for line in result.output.splitlines() if line.startswith("FAIL")]
        assert len(fail_lines) == 1, result.output
        assert f"trust: {forged['contract'].address} is not a trusted deployment" in fail_lines[0]
        assert f"trusted on eip155:31337: eip155:31337:{anchored['contract'].address}" in fail_lines[0]
        assert "PROVEN" not in result.output.replace("NOT PROVEN", "")

    def test_explicit_trust_is_what_makes_a_deployment_count(self, tmp_path, anchored, forged) -> None:
        spec = f"eip155:31337:{forged['contract'].address.lower()}"
        result = self.audit(tmp_path, anchored, forged["bundle"], "--trust", spec)
        assert result.exit_code == 0 and "PROVEN job 'forged-job'" in result.output, result.output
        path = write(tmp_path, anchored["bundles"][0].to_json(), "real.json")  # --trust alone, no manifest
        result = run("audit", path, "--trust", f"eip155:31337:{anchored['contract'].address}",
                     env={"DISPATCH_EVM_RPC_URL": anchored["rpc"], "DISPATCH_MANIFEST": str(tmp_path / "none.json")})
        assert result.exit_code == 0, result.output
        result = run("audit", path, env={"DISPATCH_EVM_RPC_URL": anchored["rpc"],
                                         "DISPATCH_MANIFEST": str(tmp_path / "none.json")})
        assert result.exit_code == 1 and "no deployments manifest at" in result.output

    def test_help_explains_the_trust_model(self) -> None:
        text = run("audit", "--help").output
        assert "Trust model: a bundle is evidence, not authority" in text and "--trust CAIP2:ADDRESS" in text
        assert "solana:<genesis hash>:<dispatch_anchor program id>" in text

    @pytest.mark.parametrize("spec", ["eip155:31337:0x1234", "eip155::0x" + "11" * 20, "cosmos:hub:abc",
                                      "solana:short:11111111111111111111111111111111", "x" * 5000])
    def test_malformed_trust_is_bad_input(self, tmp_path, anchored, spec) -> None:
        result = self.audit(tmp_path, anchored, anchored["bundles"][0], "--trust", spec)
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: trust") and len(result.output.splitlines()) == 1

    def test_a_look_alike_event_from_another_contract_does_not_count(self, tmp_path, project, accounts,
                                                                     anchored) -> None:
        """The attacker anchors the real batch 1's root as batch 1 of their own contract: their transaction
        emits an identical BatchAnchored event, but from the wrong address, so it proves nothing."""
        real = anchored["bundles"][0]
        attacker = accounts[6]
        contract = attacker.deploy(project.ReceiptAnchor, 0, attacker, [attacker])
        client = anchored["client"]
        look_alike = EvmReceiptAnchor(client, contract.address, sender=TxSender(client, dev_account(6)))
        record = look_alike.anchor(real.anchors[0].root_bytes, 8)
        assert record.batch_id == real.anchors[0].batch_id  # the same root gives the same batch id
        bad = real.model_copy(deep=True)
        bad.anchors[0].tx = record.tx
        result = self.audit(tmp_path, anchored, bad)
        assert result.exit_code == 1, result.output
        assert f"did not anchor this root on {anchored['contract'].address}" in result.output
