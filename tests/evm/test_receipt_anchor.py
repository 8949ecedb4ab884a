"""ReceiptAnchor on a real node (anvil via ape-foundry): roles, batches, proofs, events."""

from __future__ import annotations

import os

import ape
import pytest

from dispatch_chain.hashing import keccak256
from dispatch_chain.merkle import ReceiptTree
from support import make_signed, make_worker
from support_bridge import isolated  # ape's chain.isolate() swallows assertion failures

ANCHORER_ROLE = keccak256(b"ANCHORER_ROLE")


@pytest.fixture(scope="module")
def anchorer(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def receipt_anchor(project, deployer, anchorer):
    return deployer.deploy(project.ReceiptAnchor, 3600, deployer, [anchorer])


@pytest.fixture(scope="module")
def batch():
    signed = [make_signed(make_worker(i % 3 + 1), f"job-{i}") for i in range(10)]
    return signed, ReceiptTree.of_receipts(signed)


@pytest.fixture(scope="module")
def anchored(receipt_anchor, anchorer, batch):
    """The shared batch, anchored once for the module: (batch id, anchoring tx)."""
    _, tree = batch
    tx = receipt_anchor.anchor(tree.root, len(tree), "ipfs://batch", sender=anchorer)
    return tx.return_value, tx


def _root() -> bytes:
    return os.urandom(32)


def test_roles_are_explicit(receipt_anchor, deployer, anchorer, outsider) -> None:
    assert receipt_anchor.ANCHORER_ROLE() == ANCHORER_ROLE
    assert receipt_anchor.hasRole(ANCHORER_ROLE, anchorer)
    assert not receipt_anchor.hasRole(ANCHORER_ROLE, deployer)
    assert receipt_anchor.owner() == deployer  # the default admin
    assert receipt_anchor.defaultAdminDelay() == 3600


def test_outsider_and_admin_without_role_cannot_anchor(receipt_anchor, deployer, outsider) -> None:
    for sender in (outsider, deployer):
        with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount, account=sender, neededRole=ANCHORER_ROLE):
            receipt_anchor.anchor(_root(), 1, "", sender=sender)


def test_admin_grants_and_revokes_anchorer(receipt_anchor, deployer, outsider) -> None:
    receipt_anchor.grantRole(ANCHORER_ROLE, outsider, sender=deployer)
    receipt_anchor.anchor(_root(), 1, "", sender=outsider)
    receipt_anchor.revokeRole(ANCHORER_ROLE, outsider, sender=deployer)
    with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount):
        receipt_anchor.anchor(_root(), 1, "", sender=outsider)


def test_only_admin_grants(receipt_anchor, anchorer, outsider) -> None:
    with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount):
        receipt_anchor.grantRole(ANCHORER_ROLE, outsider, sender=anchorer)


def test_admin_handover_is_two_step_and_delayed(receipt_anchor, deployer, outsider, chain) -> None:
    with isolated(chain):
        receipt_anchor.beginDefaultAdminTransfer(outsider, sender=deployer)
        with ape.reverts(receipt_anchor.AccessControlEnforcedDefaultAdminDelay):
            receipt_anchor.acceptDefaultAdminTransfer(sender=outsider)
        chain.pending_timestamp += 3601
        receipt_anchor.acceptDefaultAdminTransfer(sender=outsider)
        assert receipt_anchor.owner() == outsider


def test_anchor_records_batch_and_emits_event(receipt_anchor, anchorer, batch, anchored, chain) -> None:
    _, tree = batch
    batch_id, tx = anchored
    assert batch_id >= 1
    assert receipt_anchor.batchCount() >= batch_id
    events = tx.events.filter(receipt_anchor.BatchAnchored)
    assert len(events) == 1
    event = events[0]
    assert event.batchId == batch_id
    assert event.root == tree.root
    assert event.submitter == anchorer
    assert event.leafCount == len(tree)
    assert event.uri == "ipfs://batch"
    record = receipt_anchor.batchOf(tree.root)
    assert record.id == batch_id
    assert record.submitter == anchorer
    assert record.leafCount == len(tree)
    assert record.anchoredAt == chain.provider.get_block(tx.block_number).timestamp


def test_batch_ids_are_sequential(receipt_anchor, anchorer) -> None:
    first = receipt_anchor.anchor(_root(), 1, "", sender=anchorer).return_value
    second = receipt_anchor.anchor(_root(), 2, "", sender=anchorer).return_value
    assert second == first + 1 == receipt_anchor.batchCount()


def test_duplicate_root_is_rejected(receipt_anchor, anchorer, batch, anchored) -> None:
    _, tree = batch
    batch_id, _ = anchored
    with ape.reverts(receipt_anchor.RootAlreadyAnchored, root=tree.root, batchId=batch_id):
        receipt_anchor.anchor(tree.root, len(tree), "", sender=anchorer)


def test_zero_root_and_empty_batch_are_rejected(receipt_anchor, anchorer) -> None:
    with ape.reverts(receipt_anchor.ZeroRoot):
        receipt_anchor.anchor(b"\x00" * 32, 1, "", sender=anchorer)
    with ape.reverts(receipt_anchor.EmptyBatch):
        receipt_anchor.anchor(_root(), 0, "", sender=anchorer)


def test_every_receipt_proves_and_wrong_ones_do_not(receipt_anchor, anchorer, batch, anchored) -> None:
    signed, tree = batch
    batch_id, _ = anchored
    other = ReceiptTree.of_receipts([make_signed(make_worker(7), f"other-{i}") for i in range(4)])
    other_id = receipt_anchor.anchor(other.root, len(other), "", sender=anchorer).return_value
    for i, receipt in enumerate(signed):
        values = receipt.leaf_values()
        proof = tree.proof(i)
        assert receipt_anchor.receiptLeaf(*values) == tree.leaf(i)
        assert receipt_anchor.verify(batch_id, tree.leaf(i), proof)
        assert receipt_anchor.verifyReceipt(batch_id, *values, proof)
        # wrong batch id, proof from another batch, tampered leaf, unknown batch 0
        assert not receipt_anchor.verify(other_id, tree.leaf(i), proof)
        assert not receipt_anchor.verify(batch_id, tree.leaf(i), other.proof(i % len(other)))
        assert not receipt_anchor.verifyReceipt(batch_id, values[0], values[1], b"\x01" * 32, proof)
        assert not receipt_anchor.verify(0, tree.leaf(i), proof)


def test_unknown_root_reads_as_empty(receipt_anchor) -> None:
    record = receipt_anchor.batchOf(_root())
    assert record.id == 0 and record.leafCount == 0

