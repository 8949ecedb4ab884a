"""The anchoring service against a real ReceiptAnchor: batching, proofs, reconciliation."""

from __future__ import annotations

import pytest

from dispatch_chain.anchoring.backend import ConfirmPending
from dispatch_chain.anchoring.bundles import bundle_of
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.audit import Auditor, TrustedDeployment, TrustedDeployments
from dispatch_chain.errors import TransactionFailed
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.audit import EvmAnchorVerifier
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.merkle import leaf_hash
from dispatch_chain.receipts import SignedReceipt

from support import anchored_batch_count, make_signed, make_worker


def _receipts(n: int, prefix: str = "job") -> list[SignedReceipt]:
    return [make_signed(make_worker(i % 7 + 1), f"{prefix}-{i}") for i in range(n)]


def test_submit_batches_anchors_and_proves(store, evm_backend, evm_client) -> None:
    signed = _receipts(150)
    items: list[object] = list(signed)
    items[3] = SignedReceipt(signed[4].receipt, signed[3].signature)  # a forged one
    service = AnchoringService(store, [evm_backend], BatchPolicy(max_size=64, max_age=3600))
    report = service.submit(items)
    assert [c.index for c in report.invalid] == [3]
    summary = service.drain()
    assert [b.leaf_count for b in summary.batches_cut] == [64, 64, 21]
    assert len(summary.anchored) == 3 and not summary.errors
    assert store.pending_count() == 0
    assert store.receipt(signed[3].receipt.receipt_hash()) is None  # the forged one was never stored
    trusted = TrustedDeployments([TrustedDeployment(evm_backend.chain, evm_backend.contract, "test")])
    auditor = Auditor({"eip155": lambda chain: EvmAnchorVerifier(evm_client)}, trusted)
    for s in signed[:3] + signed[4:]:
        stored = store.receipt(s.receipt.receipt_hash())
        assert stored is not None and stored.batch is not None
        leaf = leaf_hash(s.leaf_values())
        record = store.anchors_of_batch(stored.batch.id)[0].record
        assert evm_backend.verify(record.batch_id, leaf, stored.proof)
    # a few full audits through the bundle
    for s in signed[::37]:
        stored = store.receipt(s.receipt.receipt_hash())
        bundle = bundle_of(stored, store.anchors_of_batch(stored.batch.id))
        result = auditor.audit(bundle)
        assert result.ok, result.failures
        assert result.anchors[0].block is not None


def test_resubmitting_stores_nothing_twice(store, evm_backend) -> None:
    service = AnchoringService(store, [evm_backend], BatchPolicy(max_size=10, max_age=3600))
    signed = _receipts(25)
    service.submit(signed)
    service.submit(signed[:10])
    assert store.stats()["receipts"] == 25
    service.drain()
    assert sum(b.leaf_count for b in store.batches()) == 25


def test_age_cuts_a_partial_batch(store, evm_backend) -> None:
    now = [1000.0]
    service = AnchoringService(store, [evm_backend], BatchPolicy(max_size=100, max_age=30), clock=lambda: now[0])
    service.submit(_receipts(5))
    assert service.run_once().batches_cut == []
    now[0] += 29
    assert service.run_once().batches_cut == []
    now[0] += 2
    summary = service.run_once()
    assert [b.leaf_count for b in summary.batches_cut] == [5]
    assert len(summary.anchored) == 1


def _prepared_but_not_sent(store: ReceiptStore, backend: EvmReceiptAnchor):
    """Reproduce a crash right after the signed transaction was committed to the store."""
    service = AnchoringService(store, [backend], BatchPolicy(max_size=8, max_age=3600))
    service.submit(_receipts(8, "crash"))
    batch = service.cut_due_batches()[0]
    prepared = backend.prepare(batch.root, batch.leaf_count, "")
    store.record_prepared(batch.id, backend.chain, backend.contract, prepared)
    return batch, prepared


def test_restart_after_sign_before_broadcast_sends_the_same_transaction(store, evm_backend) -> None:
    _batch, prepared = _prepared_but_not_sent(store, evm_backend)
    restarted = AnchoringService(store, [evm_backend], BatchPolicy(max_size=8, max_age=3600))
    summary = restarted.run_once()
    assert len(summary.anchored) == 1
    assert summary.anchored[0].tx == prepared.tx  # the very transaction signed before the crash
    assert anchored_batch_count(evm_backend) == 1


def test_restart_after_broadcast_before_record_reconciles_from_chain(store, evm_backend) -> None:
    batch, prepared = _prepared_but_not_sent(store, evm_backend)
    evm_backend.broadcast(prepared)
    evm_backend.sender.wait(prepared.tx)  # mined, but the store still says "submitted"
    restarted = AnchoringService(store, [evm_backend], BatchPolicy(max_size=8, max_age=3600))
    summary = restarted.run_once()
    assert [r.tx for r in summary.anchored] == [prepared.tx]
    assert anchored_batch_count(evm_backend) == 1
    assert store.anchors_of_batch(batch.id)[0].status == "anchored"


def test_root_anchored_elsewhere_is_recorded_not_resent(store, evm_backend) -> None:
    service = AnchoringService(store, [evm_backend], BatchPolicy(max_size=4, max_age=3600))
    service.submit(_receipts(4, "elsewhere"))
    batch = service.cut_due_batches()[0]
    elsewhere = evm_backend.anchor(batch.root, batch.leaf_count)  # e.g. a second coordinator instance
    summary = service.run_once()
    assert [(r.batch_id, r.tx) for r in summary.anchored] == [(elsewhere.batch_id, elsewhere.tx)]
    assert anchored_batch_count(evm_backend) == 1


def test_dropped_transaction_is_replaced(store, evm_backend, evm_client) -> None:
    batch, prepared = _prepared_but_not_sent(store, evm_backend)
    # Another transaction from the same account uses the stored nonce first.
    sender = evm_backend.sender
    filler = sender.prepare(evm_backend.contract_handle.functions.anchor(b"\x42" * 32, 1, ""), contract="ReceiptAnchor",
                            nonce=prepared.nonce)
    sender.broadcast(filler)
    sender.wait(filler.tx_hash)
    with pytest.raises(ConfirmPending) as info:
        evm_backend.confirm(prepared, batch.root, timeout=1)
    assert info.value.dropped
    summary = AnchoringService(store, [evm_backend], BatchPolicy(max_size=8, max_age=3600)).run_once()
    assert len(summary.anchored) == 1 and summary.anchored[0].tx != prepared.tx
    assert anchored_batch_count(evm_backend) == 2


def test_unauthorised_account_is_reported_and_kept(store, evm_client, anchor_contract) -> None:
    outsider = EvmReceiptAnchor(evm_client, anchor_contract.address, sender=TxSender(evm_client, dev_account(5)))
    service = AnchoringService(store, [outsider], BatchPolicy(max_size=3, max_age=3600))
    service.submit(_receipts(3, "denied"))
    summary = service.run_once()
    assert summary.anchored == []
    assert len(summary.errors) == 1 and "AccessControlUnauthorizedAccount" in summary.errors[0]
    row = store.open_anchors(outsider.chain)[0]
    assert row.status == "pending" and "AccessControlUnauthorizedAccount" in row.last_error
    with pytest.raises(TransactionFailed) as info:
        outsider.prepare(row.batch.root, 3, "")
    assert info.value.reason == "AccessControlUnauthorizedAccount"
