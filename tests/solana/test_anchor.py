"""dispatch_anchor end to end: the anchoring service on Solana, on-chain verify, the auditor."""

from __future__ import annotations

import os

import pytest
from conftest import funded

from dispatch_chain.anchoring.bundles import bundle_of
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.audit import Auditor, TrustedDeployments
from dispatch_chain.merkle import ReceiptTree, leaf_hash
from dispatch_chain.solana import errors
from dispatch_chain.solana.anchor import SolanaReceiptAnchor
from dispatch_chain.solana.audit import SolanaAnchorVerifier

from support import make_signed, make_worker


@pytest.fixture
def store(tmp_path):
    with ReceiptStore(tmp_path / "store.sqlite") as db:
        yield db


def test_service_anchors_and_every_receipt_verifies(solana, deployed, store) -> None:
    signed = [make_signed(make_worker(i % 4 + 1), f"sol-{i}") for i in range(40)]
    service = AnchoringService(store, [deployed.anchor], BatchPolicy(max_size=16, max_age=0))
    service.submit(signed)
    summary = service.drain()
    assert [b.leaf_count for b in summary.batches_cut] == [16, 16, 8]
    assert all(r.chain == solana.caip2 and r.tx for r in summary.anchored)
    trusted = TrustedDeployments.load(deployed.manifest)  # init_programs recorded the program and cluster
    auditor = Auditor({"solana": lambda chain: SolanaAnchorVerifier(solana)}, trusted)
    for n, s in enumerate(signed):
        stored = store.receipt(s.receipt.receipt_hash())
        record = store.anchors_of_batch(stored.batch.id)[0].record
        assert deployed.anchor.verify(record.batch_id, leaf_hash(s.leaf_values()), stored.proof)
        if n % 13 == 0:
            report = auditor.audit(bundle_of(stored, store.anchors_of_batch(stored.batch.id)))
            assert report.ok, report.failures
            assert report.anchors[0].block == record.block


def test_wrong_batch_and_foreign_proofs_fail(solana, deployed) -> None:
    first = ReceiptTree([(os.urandom(32), os.urandom(32), os.urandom(32)) for _ in range(5)])
    second = ReceiptTree([(os.urandom(32), os.urandom(32), os.urandom(32)) for _ in range(5)])
    a = deployed.anchor
    rec1 = _anchor(a, first)
    rec2 = _anchor(a, second)
    assert a.verify(rec1.batch_id, first.leaf(0), first.proof(0))
    assert a.verify(rec1.batch_id, first.leaf(0), first.proof(0), root=first.root)
    assert not a.verify(rec2.batch_id, first.leaf(0), first.proof(0))  # wrong batch (WrongBatch)
    assert not a.verify(rec1.batch_id, first.leaf(0), second.proof(0), root=first.root)  # InvalidProof
    assert not a.verify(rec1.batch_id, first.leaf(0), second.proof(0))  # leads to no anchored root
    assert not a.verify(rec1.batch_id, os.urandom(32), first.proof(0), root=first.root)  # tampered leaf


def _anchor(backend: SolanaReceiptAnchor, tree: ReceiptTree):
    prepared = backend.prepare(tree.root, len(tree), "")
    backend.broadcast(prepared)
    return backend.confirm(prepared, tree.root, timeout=30)


def test_events_of_a_real_transaction(solana, deployed) -> None:
    """The IDL coder decodes the BatchAnchored event the SBF program logged, field by field."""
    tree = ReceiptTree([(os.urandom(32), os.urandom(32), os.urandom(32)) for _ in range(3)])
    backend = deployed.anchor
    prepared = backend.prepare(tree.root, len(tree), "https://example.invalid/batch")
    backend.broadcast(prepared)
    record = backend.confirm(prepared, tree.root, timeout=30)
    events = backend.program.events(solana.logs_of(record.tx))
    assert [name for name, _ in events] == ["BatchAnchored"]
    event = events[0][1]
    assert (event.batch_id, bytes(event.root), event.leaf_count, event.uri) == (
        record.batch_id, tree.root, 3, "https://example.invalid/batch")
    assert event.anchorer == backend.authority.pubkey()
    batch = backend.batch(tree.root)
    assert batch is not None and batch.anchorer == event.anchorer


def test_duplicate_root_and_non_anchorer_fail_with_the_programs_errors(solana, deployed) -> None:
    tree = ReceiptTree([(os.urandom(32), os.urandom(32), os.urandom(32))])
    _anchor(deployed.anchor, tree)
    with pytest.raises(errors.RootAlreadyAnchored):  # a different transaction for the same root
        deployed.anchor.broadcast(deployed.anchor.prepare(tree.root, 1, "again"))
    stranger = SolanaReceiptAnchor(solana, deployed.anchor.program, funded(solana))
    other = ReceiptTree([(os.urandom(32), os.urandom(32), os.urandom(32))])
    with pytest.raises(errors.ProgramError) as info:
        stranger.broadcast(stranger.prepare(other.root, 1, ""))
    assert info.value.name in ("NotAnAnchorer", "AccountNotInitialized")
    with pytest.raises(errors.ZeroRoot):
        deployed.anchor.broadcast(deployed.anchor.prepare(b"\x00" * 32, 1, ""))
    with pytest.raises(errors.EmptyBatch):
        deployed.anchor.broadcast(deployed.anchor.prepare(other.root, 0, ""))


def test_restart_after_sign_before_send_lands_the_same_signature(solana, deployed, store) -> None:
    service = AnchoringService(store, [deployed.anchor], BatchPolicy(max_size=4, max_age=3600))
    service.submit([make_signed(make_worker(9), f"restart-{i}") for i in range(4)])
    batch = service.cut_due_batches()[0]
    prepared = deployed.anchor.prepare(batch.root, batch.leaf_count, "")
    store.record_prepared(batch.id, deployed.anchor.chain, deployed.anchor.contract, prepared)
    summary = AnchoringService(store, [deployed.anchor], BatchPolicy(max_size=4, max_age=3600)).run_once()
    assert [r.tx for r in summary.anchored] == [prepared.tx]


def test_expired_transaction_is_replaced(tmp_path, store) -> None:
    """On a node with 5 ms slots a blockhash expires in under a second: the service signs anew."""
    import time

    from dispatch_chain.config import SolanaNetwork
    from dispatch_chain.localnet import SolanaNode
    from dispatch_chain.solana.client import SolanaClient
    from dispatch_chain.solana.programs import ANCHOR, IdlProgram, error_tables

    with SolanaNode(slot_ms=5, log_path=tmp_path / "fast.log") as node:
        program = IdlProgram.load(ANCHOR)
        client = SolanaClient(SolanaNetwork(rpc_url=node.url), idl_errors=error_tables([program]))
        admin = node.deployer  # the program's upgrade authority, hence its admin
        backend = SolanaReceiptAnchor(client, program, admin)
        backend.initialize(admin)
        backend.add_anchorer(admin, admin.pubkey())
        service = AnchoringService(store, [backend], BatchPolicy(max_size=3, max_age=3600))
        service.submit([make_signed(make_worker(11), f"expire-{i}") for i in range(3)])
        batch = service.cut_due_batches()[0]
        stale = backend.prepare(batch.root, batch.leaf_count, "")
        store.record_prepared(batch.id, backend.chain, backend.contract, stale)  # then "crashed" before sending
        time.sleep(2)  # > 150 slots of 5 ms
        summary = AnchoringService(store, [backend], BatchPolicy(max_size=3, max_age=3600)).run_once()
        assert len(summary.anchored) == 1 and summary.anchored[0].tx != stale.tx
        assert client.status(stale.tx)[0] is None  # the expired one never landed
        assert backend.batch_count() == 1
