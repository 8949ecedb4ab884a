"""The receipt store answers the service's questions from indexes: no query scans what was anchored.

Every statement the store runs on the service's paths is captured with SQLite's
trace hook, then explained (EXPLAIN QUERY PLAN) on a store that holds many
anchored batches. A full scan of receipts, batches or anchors would grow with
everything ever anchored; the only scans allowed walk the partial indexes of
pending receipts and open anchors, which hold only work not yet done.
"""

from __future__ import annotations

import re

import pytest

from dispatch_chain.anchoring.backend import AnchorRecord, PreparedAnchor
from dispatch_chain.anchoring.store import ReceiptStore

from support import make_signed, make_worker

CHAINS = ["eip155:31337", "solana:test"]
# Partial indexes over unfinished work only (receipts not yet batched, anchors not yet confirmed).
BOUNDED_INDEXES = {"receipts_pending", "anchors_open_by_batch"}


@pytest.fixture(scope="module")
def signed():
    workers = [make_worker(i + 1) for i in range(5)]
    return [make_signed(workers[i % 5], f"plan-{i}") for i in range(1200)]


def _plan(store: ReceiptStore, statement: str) -> list[str]:
    db = store._db  # the store's own connection: the plan depends on its schema and indexes
    return [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", (None,) * statement.count("?"))]


def _unbounded_scans(plan: list[str]) -> list[str]:
    bad = []
    for detail in plan:
        match = re.match(r"SCAN (\w+)(?: AS \w+)?(?: USING (?:COVERING )?INDEX (\w+))?", detail)
        if match is None or match.group(1) not in {"receipts", "batches", "anchors", "a", "b"}:
            continue
        if match.group(2) not in BOUNDED_INDEXES:
            bad.append(detail)
    return bad


def test_every_hot_query_uses_an_index(tmp_path, signed) -> None:
    with ReceiptStore(tmp_path / "store.sqlite") as store:
        # History: 4 anchored batches of 256, plus pending receipts.
        store.add_receipts(signed[:1100], now=1.0)
        for _ in range(4):
            batch = store.cut_batch(256, CHAINS, now=2.0)
            for chain in CHAINS:
                store.record_prepared(batch.id, chain, "0xc", PreparedAnchor("0xtx", b"raw", 1))
                store.record_anchored(batch.id, AnchorRecord(chain, "0xc", batch.id, batch.root, 256, "0xtx", 9, 9))
        store._db.execute("ANALYZE")  # as a long-lived store would have statistics

        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        # What the service does per pass and per receipt, and what the auditor's bundle export does.
        store.ensure_chains(CHAINS, now=3.0)
        store.add_receipts(signed[1100:], now=3.0)
        store.pending_count()
        store.oldest_pending_at()
        batch = store.cut_batch(64, CHAINS, now=4.0)
        for chain in CHAINS:
            store.open_anchors(chain)
            store.record_prepared(batch.id, chain, "0xc", PreparedAnchor("0xtx2", b"raw", 2))
            store.record_error(batch.id, chain, "slow node")
            store.record_dropped(batch.id, chain, "dropped")
            store.record_anchored(batch.id, AnchorRecord(chain, "0xc", batch.id, batch.root, 64, "0xtx2", 10, 10))
        store.anchors_of_batch(batch.id)
        store.batch(batch.id)
        store.batch_receipts(batch.id)
        store.receipt(signed[5].receipt.receipt_hash())
        store.receipts_for_job("plan-7")
        store._db.set_trace_callback(None)

        explained = [s for s in statements if re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT)", s, re.IGNORECASE)]
        assert len(explained) >= 20
        for statement in explained:
            plan = _plan(store, statement)
            assert not _unbounded_scans(plan), f"{statement!r} scans: {plan}"
        # and the lookups by key really are index searches
        by_hash = _plan(store, "SELECT receipt_json FROM receipts WHERE receipt_hash = ?")
        assert any("USING INDEX" in d or "USING COVERING INDEX" in d for d in by_hash), by_hash


def test_a_restart_adds_rows_only_for_new_batches_and_a_new_chain_catches_up(tmp_path, signed) -> None:
    with ReceiptStore(tmp_path / "store.sqlite") as store:
        store.add_receipts(signed[:300], now=1.0)
        first = store.cut_batch(100, CHAINS[:1], now=1.0)
        store.ensure_chains(CHAINS[:1])  # the mark now covers `first`
        second = store.cut_batch(100, [], now=1.0)  # cut by a run that anchored on no chain
        store.ensure_chains(CHAINS)  # a restart: the first chain catches up on `second`, the new one on both
        for batch in (first, second):
            assert [r.chain for r in store.anchors_of_batch(batch.id)] == sorted(CHAINS)
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        store.ensure_chains(CHAINS)  # nothing new: no insert at all
        store._db.set_trace_callback(None)
        assert not [s for s in statements if s.lstrip().upper().startswith("INSERT")]
