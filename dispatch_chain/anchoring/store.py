"""Durable store of receipts, batches, proofs and per-chain anchors (SQLite, WAL).

Invariants the anchoring service relies on:

* a receipt is stored once (keyed by its receipt hash) and belongs to at most
  one batch; it gets its batch, leaf index and proof in the same transaction
  that creates the batch, so a crash leaves it either pending or fully batched;
* a batch's root is unique, and every batch has one anchor row per chain;
* an anchor row moves ``pending -> submitted -> anchored``; the signed
  transaction is committed (``submitted``) *before* it is broadcast, so after a
  crash the same transaction is re-sent or reconciled, never a second one.

``synchronous=FULL`` makes every commit durable, not only against a killed
process but against power loss.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dispatch_chain.anchoring.backend import AnchorRecord, PreparedAnchor
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.locks import WriterLock
from dispatch_chain.merkle import ReceiptTree
from dispatch_chain.receipts import Receipt, SignedReceipt
from dispatch_chain.sqlite import open_durable, transaction

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS receipts (
    seq           INTEGER PRIMARY KEY,
    receipt_hash  BLOB NOT NULL UNIQUE,
    job_id        TEXT NOT NULL,
    provider_key  BLOB NOT NULL,
    receipt_json  TEXT NOT NULL,
    signature     BLOB NOT NULL,
    received_at   REAL NOT NULL,
    batch_id      INTEGER REFERENCES batches(id),
    leaf_index    INTEGER,
    proof         BLOB
);
CREATE INDEX IF NOT EXISTS receipts_pending ON receipts(seq) WHERE batch_id IS NULL;
CREATE INDEX IF NOT EXISTS receipts_job ON receipts(job_id);
CREATE INDEX IF NOT EXISTS receipts_batch ON receipts(batch_id, leaf_index);

CREATE TABLE IF NOT EXISTS batches (
    id          INTEGER PRIMARY KEY,
    root        BLOB NOT NULL UNIQUE,
    leaf_count  INTEGER NOT NULL,
    created_at  REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS anchors (
    batch_id        INTEGER NOT NULL REFERENCES batches(id),
    chain           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'anchored')),
    contract        TEXT,
    tx              TEXT,
    payload         BLOB,
    nonce           INTEGER,
    expires         INTEGER,
    chain_batch_id  INTEGER,
    block           INTEGER,
    block_time      INTEGER,
    submitter       TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    updated_at      REAL NOT NULL,
    PRIMARY KEY (batch_id, chain)
);
DROP INDEX IF EXISTS anchors_open;
-- open anchors of a chain in batch order, straight from the index (no scan, no sort)
CREATE INDEX IF NOT EXISTS anchors_open_by_batch ON anchors(chain, batch_id) WHERE status != 'anchored';

CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);

-- x402 payments (issue 15): one payment backs at most one receipt. The first receipt stored with a
-- payment_ref claims it; a later receipt naming the same reference is stored too, and its check
-- reports the replay.
CREATE TABLE IF NOT EXISTS payment_claims (
    payment_ref   TEXT PRIMARY KEY,
    receipt_hash  BLOB NOT NULL REFERENCES receipts(receipt_hash)
);
-- the outcome of each receipt's payment check: flagged receipts stay stored and anchored, and reported
CREATE TABLE IF NOT EXISTS payment_checks (
    receipt_hash  BLOB PRIMARY KEY REFERENCES receipts(receipt_hash),
    payment_ref   TEXT,
    ok            INTEGER NOT NULL CHECK (ok IN (0, 1)),
    reason        TEXT NOT NULL,
    checked_at    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_checks_flagged ON payment_checks(receipt_hash) WHERE ok = 0;
"""


class StoreError(DispatchChainError):
    """The store is unusable (wrong schema version, corrupt file) or asked for something absent."""


@dataclass(frozen=True, slots=True)
class BatchRow:
    """A cut batch: its local id, root and size."""

    id: int
    root: bytes
    leaf_count: int
    created_at: float


@dataclass(frozen=True, slots=True)
class AnchorRow:
    """The state of one batch on one chain."""

    batch: BatchRow
    chain: str
    status: str
    contract: str | None
    prepared: PreparedAnchor | None
    record: AnchorRecord | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A stored receipt with its batch membership and proof (if batched)."""

    signed: SignedReceipt
    received_at: float
    batch: BatchRow | None
    leaf_index: int | None
    proof: list[bytes]


def _split_proof(blob: bytes | None) -> list[bytes]:
    if not blob:
        return []
    return [bytes(blob[i : i + 32]) for i in range(0, len(blob), 32)]


class ReceiptStore:
    """The anchoring service's SQLite database (one writer process at a time)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = open_durable(self.path, foreign_keys=True)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise StoreError(f"{self.path} has schema version {version}; this code reads {SCHEMA_VERSION}")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the receipt store {self.path}: {exc}") from exc
        self._writer = WriterLock(
            self.path.with_name(self.path.name + ".writer.lock"),
            f"anchoring service on {self.path}",
            hint="run one `anchor run` per store",
        )

    def claim_writer(self) -> None:
        """Become the only anchoring service on this store (until closed or the process exits).

        Raises :class:`~dispatch_chain.locks.WriterBusy` naming the holder. Ingesting receipts and
        reading the store need no claim.
        """
        self._writer.acquire()

    def close(self) -> None:
        self._writer.release()
        self._db.close()

    def __enter__(self) -> ReceiptStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db)

    # -- receipts ----------------------------------------------------------------

    def add_receipts(self, receipts: Iterable[SignedReceipt], *, now: float | None = None) -> int:
        """Store verified receipts; ones already stored are skipped. Returns how many were new."""
        now = time.time() if now is None else now
        rows = [
            (
                s.receipt.receipt_hash(),
                s.receipt.job_id,
                s.receipt.provider_key,
                # ensure_ascii keeps lone surrogates representable in SQLite's UTF-8 text
                json.dumps(s.receipt.to_dict(), ensure_ascii=True, separators=(",", ":")),
                s.signature,
                now,
            )
            for s in receipts
        ]
        claims = [(s.receipt.payment_ref, s.receipt.receipt_hash()) for s in receipts if s.receipt.payment_ref]
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO receipts (receipt_hash, job_id, provider_key, receipt_json, signature,"
                " received_at) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            added = db.total_changes - before
            db.executemany("INSERT OR IGNORE INTO payment_claims (payment_ref, receipt_hash) VALUES (?, ?)", claims)
            return added

    def pending_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM receipts WHERE batch_id IS NULL").fetchone()[0]

    def oldest_pending_at(self) -> float | None:
        row = self._db.execute("SELECT MIN(received_at) FROM receipts WHERE batch_id IS NULL").fetchone()
        return row[0]

    def _stored(self, row: Sequence[Any]) -> StoredReceipt:
        receipt_json, signature, received_at, batch_id, leaf_index, proof = row
        signed = SignedReceipt(Receipt.from_dict(json.loads(receipt_json)), bytes(signature))
        return StoredReceipt(
            signed, received_at, self.batch(batch_id) if batch_id else None, leaf_index, _split_proof(proof)
        )

    _RECEIPT_COLUMNS = "receipt_json, signature, received_at, batch_id, leaf_index, proof"

    def receipt(self, receipt_hash: bytes) -> StoredReceipt | None:
        row = self._db.execute(
            f"SELECT {self._RECEIPT_COLUMNS} FROM receipts WHERE receipt_hash = ?", (receipt_hash,)
        ).fetchone()
        return None if row is None else self._stored(row)

    def receipts_for_job(self, job_id: str) -> list[StoredReceipt]:
        rows = self._db.execute(
            f"SELECT {self._RECEIPT_COLUMNS} FROM receipts WHERE job_id = ? ORDER BY seq", (job_id,)
        ).fetchall()
        return [self._stored(row) for row in rows]

    def batch_receipts(self, batch_id: int) -> list[StoredReceipt]:
        rows = self._db.execute(
            f"SELECT {self._RECEIPT_COLUMNS} FROM receipts WHERE batch_id = ? ORDER BY leaf_index", (batch_id,)
        ).fetchall()
        return [self._stored(row) for row in rows]

    # -- payments ----------------------------------------------------------------

    def payment_claims(self, payment_refs: Sequence[str]) -> dict[str, str]:
        """The receipt (``0x`` hash) that claimed each of ``payment_refs`` first; unclaimed ones are absent."""
        found: dict[str, str] = {}
        refs = list(dict.fromkeys(payment_refs))
        for start in range(0, len(refs), 500):
            chunk = refs[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for ref, receipt_hash in self._db.execute(
                f"SELECT payment_ref, receipt_hash FROM payment_claims WHERE payment_ref IN ({marks})", chunk
            ):
                found[ref] = "0x" + bytes(receipt_hash).hex()
        return found

    def record_payment_checks(
        self, checks: Iterable[tuple[bytes, str | None, bool, str]], *, now: float | None = None
    ) -> None:
        """Store ``(receipt_hash, payment_ref, ok, reason)`` outcomes (the latest check of a receipt wins)."""
        now = time.time() if now is None else now
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO payment_checks (receipt_hash, payment_ref, ok, reason, checked_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(h, ref, int(ok), reason, now) for h, ref, ok, reason in checks],
            )

    def flagged_payments(self) -> list[tuple[bytes, str | None, str]]:
        """``(receipt_hash, payment_ref, reason)`` of every stored receipt whose payment did not verify."""
        rows = self._db.execute(
            "SELECT receipt_hash, payment_ref, reason FROM payment_checks WHERE ok = 0 ORDER BY checked_at"
        ).fetchall()
        return [(bytes(h), ref, reason) for h, ref, reason in rows]

    # -- batches -----------------------------------------------------------------

    def cut_batch(self, max_size: int, chains: Sequence[str], *, now: float | None = None) -> BatchRow | None:
        """Move up to ``max_size`` pending receipts into a new batch, proofs included, atomically."""
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        now = time.time() if now is None else now
        with self._transaction() as db:
            rows = db.execute(
                "SELECT seq, receipt_json, signature FROM receipts WHERE batch_id IS NULL ORDER BY seq LIMIT ?",
                (max_size,),
            ).fetchall()
            if not rows:
                return None
            signed = [SignedReceipt(Receipt.from_dict(json.loads(r[1])), bytes(r[2])) for r in rows]
            tree = ReceiptTree.of_receipts(signed)
            cursor = db.execute(
                "INSERT INTO batches (root, leaf_count, created_at) VALUES (?, ?, ?)", (tree.root, len(tree), now)
            )
            batch_id = int(cursor.lastrowid or 0)
            db.executemany(
                "UPDATE receipts SET batch_id = ?, leaf_index = ?, proof = ? WHERE seq = ?",
                [(batch_id, i, b"".join(tree.proof(i)), row[0]) for i, row in enumerate(rows)],
            )
            db.executemany(
                "INSERT INTO anchors (batch_id, chain, status, updated_at) VALUES (?, ?, 'pending', ?)",
                [(batch_id, chain, now) for chain in chains],
            )
            return BatchRow(batch_id, tree.root, len(tree), now)

    def batch(self, batch_id: int) -> BatchRow:
        row = self._db.execute(
            "SELECT id, root, leaf_count, created_at FROM batches WHERE id = ?", (batch_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no batch {batch_id} in {self.path}")
        return BatchRow(row[0], bytes(row[1]), row[2], row[3])

    def batches(self) -> list[BatchRow]:
        rows = self._db.execute("SELECT id, root, leaf_count, created_at FROM batches ORDER BY id").fetchall()
        return [BatchRow(r[0], bytes(r[1]), r[2], r[3]) for r in rows]

    # -- anchors -----------------------------------------------------------------

    def ensure_chains(self, chains: Sequence[str], *, now: float | None = None) -> None:
        """Give every batch an anchor row for each chain (a chain added later catches up).

        A per-chain mark (``meta``) records the last batch known to have its row, so a
        restart looks only at batches cut since the previous call, never at all of them.
        """
        now = time.time() if now is None else now
        with self._transaction() as db:
            last = db.execute("SELECT MAX(id) FROM batches").fetchone()[0] or 0
            for chain in chains:
                key = f"anchors_through:{chain}"
                row = db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
                through = int(row[0]) if row else 0
                if through >= last:
                    continue
                db.execute(
                    "INSERT OR IGNORE INTO anchors (batch_id, chain, status, updated_at)"
                    " SELECT id, ?, 'pending', ? FROM batches WHERE id > ?",
                    (chain, now, through),
                )
                db.execute(
                    "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                    (key, str(last)),
                )

    def _anchor_row(self, row: Sequence[Any]) -> AnchorRow:
        (
            batch_id,
            chain,
            status,
            contract,
            tx,
            payload,
            nonce,
            expires,
            chain_batch_id,
            block,
            block_time,
            submitter,
            attempts,
            last_error,
            root,
            leaf_count,
            created_at,
        ) = row
        batch = BatchRow(batch_id, bytes(root), leaf_count, created_at)
        prepared = PreparedAnchor(tx, bytes(payload), nonce, expires) if tx and payload is not None else None
        record = None
        if status == "anchored":
            record = AnchorRecord(
                chain, contract, chain_batch_id, batch.root, leaf_count, tx, block, block_time, submitter
            )
        return AnchorRow(batch, chain, status, contract, prepared, record, attempts, last_error)

    _ANCHOR_SELECT = (
        "SELECT a.batch_id, a.chain, a.status, a.contract, a.tx, a.payload, a.nonce, a.expires, a.chain_batch_id,"
        " a.block, a.block_time, a.submitter, a.attempts, a.last_error, b.root, b.leaf_count, b.created_at"
        # CROSS JOIN fixes the order: anchors first (their partial index of open rows, or the
        # primary key), then each one's batch by id; never a scan of all batches.
        " FROM anchors a CROSS JOIN batches b ON b.id = a.batch_id"
    )

    def open_anchors(self, chain: str) -> list[AnchorRow]:
        """Anchors on ``chain`` that are not yet confirmed, oldest batch first."""
        rows = self._db.execute(
            f"{self._ANCHOR_SELECT} WHERE a.chain = ? AND a.status != 'anchored' ORDER BY a.batch_id", (chain,)
        ).fetchall()
        return [self._anchor_row(r) for r in rows]

    def anchors_of_batch(self, batch_id: int) -> list[AnchorRow]:
        rows = self._db.execute(f"{self._ANCHOR_SELECT} WHERE a.batch_id = ? ORDER BY a.chain", (batch_id,)).fetchall()
        return [self._anchor_row(r) for r in rows]

    def all_anchors(self) -> list[AnchorRow]:
        rows = self._db.execute(f"{self._ANCHOR_SELECT} ORDER BY a.batch_id, a.chain").fetchall()
        return [self._anchor_row(r) for r in rows]

    def record_prepared(self, batch_id: int, chain: str, contract: str, prepared: PreparedAnchor) -> None:
        """Commit the signed transaction before it is broadcast (write-ahead)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE anchors SET status = 'submitted', contract = ?, tx = ?, payload = ?, nonce = ?, expires = ?,"
                " attempts = attempts + 1, updated_at = ? WHERE batch_id = ? AND chain = ? AND status != 'anchored'",
                (
                    contract,
                    prepared.tx,
                    prepared.payload,
                    prepared.nonce,
                    prepared.expires,
                    time.time(),
                    batch_id,
                    chain,
                ),
            )

    def record_anchored(self, batch_id: int, record: AnchorRecord) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE anchors SET status = 'anchored', contract = ?, tx = ?, chain_batch_id = ?, block = ?,"
                " block_time = ?, submitter = ?, payload = NULL, last_error = NULL, updated_at = ?"
                " WHERE batch_id = ? AND chain = ?",
                (
                    record.contract,
                    record.tx,
                    record.batch_id,
                    record.block,
                    record.timestamp,
                    record.submitter,
                    time.time(),
                    batch_id,
                    record.chain,
                ),
            )

    def record_dropped(self, batch_id: int, chain: str, error: str) -> None:
        """The stored transaction can never land: forget it so that a new one is prepared."""
        with self._transaction() as db:
            db.execute(
                "UPDATE anchors SET status = 'pending', tx = NULL, payload = NULL, nonce = NULL, expires = NULL,"
                " last_error = ?, updated_at = ? WHERE batch_id = ? AND chain = ? AND status = 'submitted'",
                (error, time.time(), batch_id, chain),
            )

    def record_error(self, batch_id: int, chain: str, error: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE anchors SET last_error = ?, updated_at = ? WHERE batch_id = ? AND chain = ?",
                (error, time.time(), batch_id, chain),
            )

    # -- reporting ---------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts for status displays: receipts, batches, anchors by chain and status."""
        db = self._db
        by_chain: dict[str, dict[str, int]] = {}
        for chain, status, count in db.execute("SELECT chain, status, COUNT(*) FROM anchors GROUP BY chain, status"):
            by_chain.setdefault(chain, {})[status] = count
        return {
            "receipts": db.execute("SELECT COUNT(*) FROM receipts").fetchone()[0],
            "pending_receipts": self.pending_count(),
            "batches": db.execute("SELECT COUNT(*) FROM batches").fetchone()[0],
            "anchors": by_chain,
            "flagged_payments": db.execute("SELECT COUNT(*) FROM payment_checks WHERE ok = 0").fetchone()[0],
        }
