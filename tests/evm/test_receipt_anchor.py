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


def batch_id(root: bytes) -> int:
    """ReceiptAnchor's batch id of a root: its top 48 bits."""
    return int.from_bytes(root, "big") >> 208


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
    anchored_id, tx = anchored
    assert anchored_id == batch_id(tree.root) == receipt_anchor.batchIdOf(tree.root) >= 1
    events = tx.events.filter(receipt_anchor.BatchAnchored)
    assert len(events) == 1
    event = events[0]
    assert event.batchId == anchored_id
    assert event.root == tree.root
    assert event.submitter == anchorer
    assert event.leafCount == len(tree)
    assert event.uri == "ipfs://batch"
    record = receipt_anchor.batchOf(tree.root)
    assert record.id == anchored_id
    assert record.root == tree.root
    assert record.submitter == anchorer
    assert record.leafCount == len(tree)
    assert record.anchoredAt == chain.provider.get_block(tx.block_number).timestamp
    assert record.anchoredBlock == tx.block_number


def test_anchor_writes_one_storage_slot(receipt_anchor, anchorer, chain) -> None:
    """No counter: an anchor's only storage write is its batch's slot (a new slot costs 20,000)."""
    root = _root()
    tx = receipt_anchor.anchor(root, 1024, "", sender=anchorer)
    # intrinsic 21,000 + one new slot 22,100 (cold); calldata, the role check, the event and
    # execution take about 7,500 more. A second slot (the old counter) would add at least 5,000.
    assert tx.gas_used < 21_000 + 22_100 + 8_000
    assert tx.gas_used <= 50 * 1024  # the gas aim: at most 50 gas per receipt in a batch of 1024


def test_batch_ids_are_the_roots_top_48_bits(receipt_anchor, anchorer) -> None:
    for _ in range(3):
        root = _root()
        assert receipt_anchor.anchor(root, 2, "", sender=anchorer).return_value == batch_id(root)
        assert receipt_anchor.batchOf(root).id == batch_id(root) < 2**48


def test_duplicate_root_is_rejected(receipt_anchor, anchorer, batch, anchored) -> None:
    _, tree = batch
    anchored_id, _ = anchored
    with ape.reverts(receipt_anchor.ReceiptAnchorRootAlreadyAnchored, root=tree.root, batchId=anchored_id):
        receipt_anchor.anchor(tree.root, len(tree), "", sender=anchorer)


def test_zero_root_and_empty_batch_are_rejected(receipt_anchor, anchorer) -> None:
    with ape.reverts(receipt_anchor.ReceiptAnchorZeroRoot):
        receipt_anchor.anchor(b"\x00" * 32, 1, "", sender=anchorer)
    with ape.reverts(receipt_anchor.ReceiptAnchorZeroRoot):  # batch id 0: the top 48 bits are zero
        receipt_anchor.anchor(b"\x00" * 6 + b"\x01" * 26, 1, "", sender=anchorer)
    with ape.reverts(receipt_anchor.ReceiptAnchorEmptyBatch):
        receipt_anchor.anchor(_root(), 0, "", sender=anchorer)


def test_every_receipt_proves_and_wrong_ones_do_not(receipt_anchor, anchorer, batch, anchored) -> None:
    signed, tree = batch
    anchored_id, _ = anchored
    other = ReceiptTree.of_receipts([make_signed(make_worker(7), f"other-{i}") for i in range(4)])
    other_id = receipt_anchor.anchor(other.root, len(other), "", sender=anchorer).return_value
    for i, receipt in enumerate(signed):
        values = receipt.leaf_values()
        proof = tree.proof(i)
        assert receipt_anchor.receiptLeaf(*values) == tree.leaf(i)
        assert receipt_anchor.verify(anchored_id, tree.leaf(i), proof)
        assert receipt_anchor.verifyReceipt(anchored_id, *values, proof)
        # wrong batch id, proof from another batch, tampered leaf, unknown batch 0
        assert not receipt_anchor.verify(other_id, tree.leaf(i), proof)
        assert not receipt_anchor.verify(anchored_id, tree.leaf(i), other.proof(i % len(other)))
        assert not receipt_anchor.verifyReceipt(anchored_id, values[0], values[1], b"\x01" * 32, proof)
        assert not receipt_anchor.verify(0, tree.leaf(i), proof)


def test_an_unanchored_root_with_a_matching_id_does_not_verify(receipt_anchor) -> None:
    tree = ReceiptTree.of_receipts([make_signed(make_worker(8), f"never-{i}") for i in range(3)])
    assert not receipt_anchor.verify(batch_id(tree.root), tree.leaf(0), tree.proof(0))


def test_unknown_root_reads_as_empty(receipt_anchor) -> None:
    root = _root()
    record = receipt_anchor.batchOf(root)
    assert record.id == 0 and record.leafCount == 0 and record.anchoredBlock == 0 and record.root == root



# -- roles and the admin's rules, every path OpenZeppelin's AccessControlDefaultAdminRules opens ---------------

DEFAULT_ADMIN_ROLE = b"\x00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def test_an_anchorer_renounces_its_own_role_only(receipt_anchor, deployer, anchorer, outsider, chain) -> None:
    with chain.isolate():
        # Renouncing is for oneself: naming another account fails.
        with ape.reverts(receipt_anchor.AccessControlBadConfirmation):
            receipt_anchor.renounceRole(ANCHORER_ROLE, anchorer, sender=outsider)
        tx = receipt_anchor.renounceRole(ANCHORER_ROLE, anchorer, sender=anchorer)
        [event] = tx.events.filter(receipt_anchor.RoleRevoked)
        assert (event.role, event.account, event.sender) == (ANCHORER_ROLE, anchorer, anchorer)
        assert not receipt_anchor.hasRole(ANCHORER_ROLE, anchorer)
        with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount, account=anchorer, neededRole=ANCHORER_ROLE):
            receipt_anchor.anchor(_root(), 1, "", sender=anchorer)
        # Only the admin can bring it back.
        receipt_anchor.grantRole(ANCHORER_ROLE, anchorer, sender=deployer)
        receipt_anchor.anchor(_root(), 1, "", sender=anchorer)


def test_a_scheduled_admin_transfer_can_be_cancelled_by_the_admin_only(receipt_anchor, deployer, outsider,
                                                                        chain) -> None:
    with chain.isolate():
        receipt_anchor.beginDefaultAdminTransfer(outsider, sender=deployer)
        pending, schedule = receipt_anchor.pendingDefaultAdmin()
        assert pending == outsider and schedule > 0
        with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount):
            receipt_anchor.cancelDefaultAdminTransfer(sender=outsider)
        tx = receipt_anchor.cancelDefaultAdminTransfer(sender=deployer)
        assert len(tx.events.filter(receipt_anchor.DefaultAdminTransferCanceled)) == 1
        assert receipt_anchor.pendingDefaultAdmin() == (ZERO_ADDRESS, 0)
        chain.pending_timestamp += 3601
        # Even after the delay the cancelled nominee cannot take the role.
        with ape.reverts(receipt_anchor.AccessControlInvalidDefaultAdmin, defaultAdmin=outsider):
            receipt_anchor.acceptDefaultAdminTransfer(sender=outsider)
        assert receipt_anchor.owner() == deployer


def test_the_admin_delay_changes_only_by_the_admin_and_only_after_its_own_wait(receipt_anchor, deployer, outsider,
                                                                                chain) -> None:
    with chain.isolate():
        with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount):
            receipt_anchor.changeDefaultAdminDelay(1, sender=outsider)
        # Shortening the delay takes effect only after the difference has passed, so a
        # stolen admin key cannot shorten it and move the role at once.
        tx = receipt_anchor.changeDefaultAdminDelay(600, sender=deployer)
        [event] = tx.events.filter(receipt_anchor.DefaultAdminDelayChangeScheduled)
        new_delay, schedule = receipt_anchor.pendingDefaultAdminDelay()
        assert (event.newDelay, new_delay) == (600, 600) and event.effectSchedule == schedule
        assert schedule == chain.provider.get_block(tx.block_number).timestamp + 3600 - 600
        assert receipt_anchor.defaultAdminDelay() == 3600
        chain.pending_timestamp = schedule + 1
        chain.mine()
        assert receipt_anchor.defaultAdminDelay() == 600
        # A pending change can be rolled back by the admin.
        receipt_anchor.changeDefaultAdminDelay(7200, sender=deployer)
        assert receipt_anchor.pendingDefaultAdminDelay()[0] == 7200
        with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount):
            receipt_anchor.rollbackDefaultAdminDelay(sender=outsider)
        receipt_anchor.rollbackDefaultAdminDelay(sender=deployer)
        assert receipt_anchor.pendingDefaultAdminDelay() == (0, 0)
        assert receipt_anchor.defaultAdminDelay() == 600


def test_the_admin_renounces_only_through_a_scheduled_transfer_to_nobody(receipt_anchor, deployer, anchorer,
                                                                          outsider, chain) -> None:
    with chain.isolate():
        # Not at once, and not by revoking or granting the admin role directly.
        with ape.reverts(receipt_anchor.AccessControlEnforcedDefaultAdminDelay):
            receipt_anchor.renounceRole(DEFAULT_ADMIN_ROLE, deployer, sender=deployer)
        with ape.reverts(receipt_anchor.AccessControlEnforcedDefaultAdminRules):
            receipt_anchor.revokeRole(DEFAULT_ADMIN_ROLE, deployer, sender=deployer)
        with ape.reverts(receipt_anchor.AccessControlEnforcedDefaultAdminRules):
            receipt_anchor.grantRole(DEFAULT_ADMIN_ROLE, outsider, sender=deployer)
        receipt_anchor.beginDefaultAdminTransfer(ZERO_ADDRESS, sender=deployer)
        _, schedule = receipt_anchor.pendingDefaultAdmin()
        with ape.reverts(receipt_anchor.AccessControlEnforcedDefaultAdminDelay, schedule=schedule):
            receipt_anchor.renounceRole(DEFAULT_ADMIN_ROLE, deployer, sender=deployer)
        chain.pending_timestamp = schedule + 1
        receipt_anchor.renounceRole(DEFAULT_ADMIN_ROLE, deployer, sender=deployer)
        assert receipt_anchor.owner() == ZERO_ADDRESS and receipt_anchor.defaultAdmin() == ZERO_ADDRESS
        # The allowlist is frozen for good: nobody grants or revokes, the anchorers keep anchoring.
        with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount):
            receipt_anchor.grantRole(ANCHORER_ROLE, outsider, sender=deployer)
        with ape.reverts(receipt_anchor.AccessControlUnauthorizedAccount):
            receipt_anchor.revokeRole(ANCHORER_ROLE, anchorer, sender=deployer)
        receipt_anchor.anchor(_root(), 1, "", sender=anchorer)


def test_verify_proves_node_hashes_and_verify_receipt_binds_a_receipt(receipt_anchor, batch, anchored) -> None:
    """Documented, not refused: like OpenZeppelin's MerkleProof, ``verify`` proves any node of the tree.

    An inner node with the rest of its path verifies, so ``verify`` only tells that a
    hash is in the batch's tree. A receipt is bound to a batch by ``verifyReceipt``
    (or by hashing the leaf oneself, as the auditor does): its leaf is a double keccak
    of 96 bytes, which no inner node (one keccak of 64 bytes) can equal.
    """
    signed, tree = batch
    batch_id, _ = anchored
    proof = tree.proof(0)
    # The parent of leaf 0: hash of the leaf and its first sibling, in sorted order.
    leaf, sibling = tree.leaf(0), proof[0]
    parent = keccak256(min(leaf, sibling) + max(leaf, sibling))
    assert receipt_anchor.verify(batch_id, parent, proof[1:])
    assert receipt_anchor.verify(batch_id, tree.root, [])
    # As receipt values, neither the inner node nor the root proves anything.
    for node, path in ((parent, proof[1:]), (tree.root, [])):
        assert not receipt_anchor.verifyReceipt(batch_id, node, b"\x00" * 32, b"\x00" * 32, path)
    values = signed[0].leaf_values()
    assert receipt_anchor.verifyReceipt(batch_id, *values, proof)
