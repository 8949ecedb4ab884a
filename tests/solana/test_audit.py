"""The auditor on Solana proves against the trusted dispatch_anchor program's own batch account.

A bundle naming another program is refused; a transaction that merely touched
the batch account (anyone can send lamports to a PDA) is no anchoring
transaction; an account holding only lamports is no batch; the slot and
anchorer reported are the ones the program stored.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import funded
from solders.system_program import TransferParams, transfer

from dispatch_chain.anchoring.bundles import bundle_of
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.cli import main
from dispatch_chain.merkle import leaf_hash
from dispatch_chain.solana.programs import SETTLEMENT, IdlProgram

from support import make_signed, make_worker


@pytest.fixture(scope="module")
def anchored(solana, deployed, tmp_path_factory):
    store = ReceiptStore(tmp_path_factory.mktemp("audit") / "store.sqlite")
    service = AnchoringService(store, [deployed.anchor], BatchPolicy(max_size=4, max_age=0))
    signed = [make_signed(make_worker(i + 20), f"sol-audit-{i}") for i in range(8)]
    service.submit(signed)
    service.drain()
    bundles = []
    for s in signed:
        stored = store.receipt(s.receipt.receipt_hash())
        bundles.append(bundle_of(stored, store.anchors_of_batch(stored.batch.id)))
    yield bundles
    store.close()


def audit(tmp_path, solana_node, deployed, bundle, *args: str):
    path = tmp_path / "bundle.json"
    path.write_text(bundle.to_json())
    env = {"DISPATCH_MANIFEST": str(deployed.manifest)}
    return CliRunner().invoke(main, ["audit", str(path), "--solana-rpc", solana_node.url, *args], env=env,
                              catch_exceptions=False)


def test_the_real_program_proves(tmp_path, solana, solana_node, deployed, anchored) -> None:
    bundle = anchored[0]
    result = audit(tmp_path, solana_node, deployed, bundle, "--json")
    report = json.loads(result.output)
    assert result.exit_code == 0 and report["ok"], result.output
    account = solana.account(deployed.anchor.batch_address(bundle.anchors[0].root_bytes))
    batch = deployed.anchor.program.decode("Batch", account.data)
    assert report["anchors"][0]["block"] == int(batch.slot) == bundle.anchors[0].block
    assert report["anchors"][0]["anchorer"] == str(deployed.anchorer.pubkey())
    assert report["anchors"][0]["tx"] == bundle.anchors[0].tx


def test_the_slot_is_the_programs_not_the_bundles(tmp_path, solana_node, deployed, anchored) -> None:
    bundle = anchored[1].model_copy(deep=True)
    real_slot = bundle.anchors[0].block
    bundle.anchors[0].block = 1
    result = audit(tmp_path, solana_node, deployed, bundle)
    assert result.exit_code == 0, result.output
    assert f"block/slot {real_slot}," in result.output


def test_without_a_transaction_it_is_found_from_the_accounts_history(tmp_path, solana_node, deployed,
                                                                     anchored) -> None:
    bundle = anchored[2].model_copy(deep=True)
    expected, bundle.anchors[0].tx = bundle.anchors[0].tx, None
    result = audit(tmp_path, solana_node, deployed, bundle)
    assert result.exit_code == 0, result.output
    assert f"{expected} anchored it at slot" in result.output and "found from the account's history" in result.output


def test_a_program_the_auditor_does_not_trust_is_refused(tmp_path, solana, solana_node, deployed, anchored) -> None:
    bundle = anchored[3].model_copy(deep=True)
    other = str(IdlProgram.load(SETTLEMENT).program_id)  # a real program on this cluster, but not the anchor
    bundle.anchors[0].contract = other
    result = audit(tmp_path, solana_node, deployed, bundle)
    assert result.exit_code == 1, result.output
    fails = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 1 and f"trust: {other} is not a trusted deployment" in fails[0]
    assert f"trusted on {solana.caip2}: {solana.caip2}:{deployed.anchor.contract}" in fails[0]
    result = audit(tmp_path, solana_node, deployed, bundle, "--trust", f"{solana.caip2}:{other}")
    assert result.exit_code == 1 and "is not anchored by program" in result.output  # trusted, but no batch there


def test_a_transaction_that_only_touched_the_batch_account_is_no_proof(tmp_path, solana, solana_node, deployed,
                                                                        anchored) -> None:
    """After the real anchoring, anyone can send lamports to the batch PDA: a successful transaction that
    touches it. Naming that transaction must not pass, and its slot must never be reported."""
    bundle = anchored[4].model_copy(deep=True)
    batch_address = deployed.anchor.batch_address(bundle.anchors[0].root_bytes)
    stranger = funded(solana)
    signature = solana.send([transfer(TransferParams(from_pubkey=stranger.pubkey(), to_pubkey=batch_address,
                                                     lamports=1_000))], [stranger])[0]
    bundle.anchors[0].tx = signature
    result = audit(tmp_path, solana_node, deployed, bundle)
    assert result.exit_code == 1, result.output
    assert f"transaction {signature} is at slot" in result.output or "has no anchor_batch instruction" in result.output
    assert "PROVEN job" not in result.output
    # the real anchoring transaction still proves it, with lamports added to the account
    result = audit(tmp_path, solana_node, deployed, anchored[4])
    assert result.exit_code == 0, result.output


def test_a_pre_funded_batch_address_is_no_batch(tmp_path, solana, solana_node, deployed, anchored) -> None:
    """The PDA of a root that was never anchored, holding only lamports (owned by the system program)."""
    signed = make_signed(make_worker(77), "never-anchored-on-solana")
    root = leaf_hash(signed.leaf_values())
    batch_address = deployed.anchor.batch_address(root)
    stranger = funded(solana)
    solana.send([transfer(TransferParams(from_pubkey=stranger.pubkey(), to_pubkey=batch_address,
                                         lamports=5_000_000))], [stranger])
    bundle = anchored[0].model_copy(deep=True)
    bundle.receipt, bundle.receipt_signature = signed.receipt.to_dict(), signed.signature_text
    bundle.anchors[0].root, bundle.anchors[0].proof = "0x" + root.hex(), []
    result = audit(tmp_path, solana_node, deployed, bundle)
    assert result.exit_code == 1, result.output
    assert "is owned by 11111111111111111111111111111111, not the program" in result.output
