"""The durable outbox of EVM calls a coordinator wants made (SQLite, WAL).

Each item has an idempotency key (e.g. ``feedback:<receipt hash>``): enqueuing
the same key twice stores it once, so a coordinator may call fire-and-forget
as often as it likes. Items move ``queued -> inflight -> done | failed``; every
signed transaction (including fee-bumped replacements, which share the nonce)
is committed here *before* it is broadcast. An inflight item goes back to
``queued`` only when its nonce is provably taken by a transaction that is not
one of its own, which is what makes "exactly once on chain" hold across crashes.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.locks import WriterLock
from dispatch_chain.sqlite import open_durable, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'inflight', 'done', 'failed')),
    nonce       INTEGER,
    result      TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  REAL NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  REAL NOT NULL,
    updated_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS items_open ON items(status, id) WHERE status IN ('queued', 'inflight');
CREATE TABLE IF NOT EXISTS txs (
    tx_hash  TEXT PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES items(id),
    nonce    INTEGER NOT NULL,
    raw      BLOB NOT NULL,
    gas      INTEGER NOT NULL,
    max_fee  INTEGER NOT NULL,
    tip      INTEGER NOT NULL,
    sent_at  REAL NOT NULL,
    block    INTEGER
);
CREATE INDEX IF NOT EXISTS txs_item ON txs(item_id);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


class OutboxError(DispatchChainError):
    """The outbox cannot be used (locked by another sender, wrong schema, unknown item)."""


@dataclass(frozen=True, slots=True)
class SentTx:
    tx_hash: str
    nonce: int
    raw: bytes
    gas: int
    max_fee: int
    tip: int
    sent_at: float
    block: int | None = None  # the chain head when it was signed: crash recovery reads logs from here


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    key: str
    kind: str
    payload: dict[str, Any]
    status: str
    nonce: int | None
    result: dict[str, Any] | None
    attempts: int
    last_error: str | None
    txs: tuple[SentTx, ...] = ()


class Outbox:
    """One SQLite file per sending account."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = open_durable(self.path)
        self._db.executescript(_SCHEMA)
        if "block" not in {row[1] for row in self._db.execute("PRAGMA table_info(txs)")}:  # outboxes before it
            self._db.execute("ALTER TABLE txs ADD COLUMN block INTEGER")
        self._sender_lock: WriterLock | None = None

    def close(self) -> None:
        if self._sender_lock is not None:
            self._sender_lock.release()
            self._sender_lock = None
        self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def claim_sender(self) -> None:
        """Become the only process sending from this outbox (released on close or exit).

        Raises :class:`~dispatch_chain.locks.WriterBusy` (a configuration error) naming the holder.
        """
        if self._sender_lock is None:
            self._sender_lock = WriterLock(
                self.path.with_name(self.path.name + ".sender.lock"),
                f"feedback sender on {self.path}",
                hint="run one `reputation send` per outbox",
            ).acquire()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db)

    # -- producers -----------------------------------------------------------------

    def enqueue(self, key: str, kind: str, payload: dict[str, Any]) -> bool:
        """Store an item unless its key is known; True when it is new. Returns at once."""
        now = time.time()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO items (key, kind, payload, status, created_at, updated_at)"
                " VALUES (?, ?, ?, 'queued', ?, ?)",
                (key, kind, json.dumps(payload, sort_keys=True), now, now),
            )
            return cursor.rowcount == 1

    def enqueue_many(self, items: Sequence[tuple[str, str, dict[str, Any]]]) -> int:
        now = time.time()
        with self._transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO items (key, kind, payload, status, created_at, updated_at)"
                " VALUES (?, ?, ?, 'queued', ?, ?)",
                [(key, kind, json.dumps(payload, sort_keys=True), now, now) for key, kind, payload in items],
            )
            return db.total_changes - before

    # -- reads -----------------------------------------------------------------------

    def _item(self, row: Sequence[Any], with_txs: bool) -> OutboxItem:
        item_id, key, kind, payload, status, nonce, result, attempts, last_error = row
        txs: tuple[SentTx, ...] = ()
        if with_txs:
            txs = tuple(
                SentTx(r[0], r[1], bytes(r[2]), r[3], r[4], r[5], r[6], r[7])
                for r in self._db.execute(
                    "SELECT tx_hash, nonce, raw, gas, max_fee, tip, sent_at, block FROM txs WHERE item_id = ?"
                    " ORDER BY sent_at",
                    (item_id,),
                )
            )
        return OutboxItem(
            item_id,
            key,
            kind,
            json.loads(payload),
            status,
            nonce,
            json.loads(result) if result else None,
            attempts,
            last_error,
            txs,
        )

    _COLUMNS = "id, key, kind, payload, status, nonce, result, attempts, last_error"

    def get(self, key: str) -> OutboxItem | None:
        row = self._db.execute(f"SELECT {self._COLUMNS} FROM items WHERE key = ?", (key,)).fetchone()
        return None if row is None else self._item(row, True)

    def inflight(self) -> list[OutboxItem]:
        """Inflight items by nonce, each with its transactions (one query, not one per item)."""
        rows = self._db.execute(
            "SELECT i.id, i.key, i.kind, i.payload, i.status, i.nonce, i.result, i.attempts, i.last_error,"
            " t.tx_hash, t.nonce, t.raw, t.gas, t.max_fee, t.tip, t.sent_at, t.block"
            " FROM items i LEFT JOIN txs t ON t.item_id = i.id"
            " WHERE i.status = 'inflight' ORDER BY i.nonce, i.id, t.sent_at"
        ).fetchall()
        items: list[OutboxItem] = []
        txs: list[SentTx] = []
        for n, row in enumerate(rows):
            if row[9] is not None:
                txs.append(SentTx(row[9], row[10], bytes(row[11]), row[12], row[13], row[14], row[15], row[16]))
            if n + 1 == len(rows) or rows[n + 1][0] != row[0]:
                item_id, key, kind, payload, status, nonce, result, attempts, last_error = row[:9]
                items.append(
                    OutboxItem(
                        item_id,
                        key,
                        kind,
                        json.loads(payload),
                        status,
                        nonce,
                        json.loads(result) if result else None,
                        attempts,
                        last_error,
                        tuple(txs),
                    )
                )
                txs = []
        return items

    def inflight_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM items WHERE status = 'inflight'").fetchone()[0]

    def ready(self, limit: int, now: float | None = None) -> list[OutboxItem]:
        now = time.time() if now is None else now
        rows = self._db.execute(
            f"SELECT {self._COLUMNS} FROM items WHERE status = 'queued' AND not_before <= ? ORDER BY id LIMIT ?",
            (now, limit),
        ).fetchall()
        return [self._item(r, False) for r in rows]

    def items(self, status: str | None = None, kind: str | None = None) -> list[OutboxItem]:
        clauses, args = [], []
        if status:
            clauses.append("status = ?")
            args.append(status)
        if kind:
            clauses.append("kind = ?")
            args.append(kind)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(f"SELECT {self._COLUMNS} FROM items {where} ORDER BY id", args).fetchall()
        return [self._item(r, False) for r in rows]

    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT status, COUNT(*) FROM items GROUP BY status").fetchall())

    def open_count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM items WHERE status IN ('queued', 'inflight')").fetchone()[0]

    # -- sender transitions ------------------------------------------------------------

    def record_sent(self, item_id: int, tx: SentTx) -> None:
        """Commit a signed transaction (first or replacement) before broadcasting it."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO txs (tx_hash, item_id, nonce, raw, gas, max_fee, tip, sent_at, block)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (tx.tx_hash, item_id, tx.nonce, tx.raw, tx.gas, tx.max_fee, tx.tip, tx.sent_at, tx.block),
            )
            db.execute(
                "UPDATE items SET status = 'inflight', nonce = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE id = ? AND status IN ('queued', 'inflight')",
                (tx.nonce, time.time(), item_id),
            )

    def record_sent_many(self, sent: Sequence[tuple[int, SentTx]]) -> None:
        """:meth:`record_sent` for many items in one durable transaction (one fsync, not one each)."""
        now = time.time()
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO txs (tx_hash, item_id, nonce, raw, gas, max_fee, tip, sent_at, block)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (tx.tx_hash, item_id, tx.nonce, tx.raw, tx.gas, tx.max_fee, tx.tip, tx.sent_at, tx.block)
                    for item_id, tx in sent
                ],
            )
            db.executemany(
                "UPDATE items SET status = 'inflight', nonce = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE id = ? AND status IN ('queued', 'inflight')",
                [(tx.nonce, now, item_id) for item_id, tx in sent],
            )

    def record_done(self, item_id: int, result: dict[str, Any]) -> None:
        self._finish(item_id, "done", result, None)

    def record_done_many(self, results: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """:meth:`record_done` for many items in one durable transaction."""
        now = time.time()
        with self._transaction() as db:
            db.executemany(
                "UPDATE items SET status = 'done', result = ?, last_error = NULL, updated_at = ? WHERE id = ?",
                [(json.dumps(result), now, item_id) for item_id, result in results],
            )

    def record_failed(self, item_id: int, error: str, result: dict[str, Any] | None = None) -> None:
        self._finish(item_id, "failed", result, error)

    def _finish(self, item_id: int, status: str, result: dict[str, Any] | None, error: str | None) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE items SET status = ?, result = ?, last_error = ?, updated_at = ? WHERE id = ?",
                (status, json.dumps(result) if result is not None else None, error, time.time(), item_id),
            )

    def requeue(self, item_id: int, error: str, *, delay: float = 0.0) -> None:
        """Back to the queue: its nonce was taken by a transaction that is not its own."""
        with self._transaction() as db:
            db.execute(
                "UPDATE items SET status = 'queued', nonce = NULL, last_error = ?, not_before = ?, updated_at = ?"
                " WHERE id = ?",
                (error, time.time() + delay, time.time(), item_id),
            )

    def defer(self, item_id: int, error: str, delay: float) -> None:
        """Keep a queued item for later (transient trouble), counting the attempt."""
        with self._transaction() as db:
            db.execute(
                "UPDATE items SET attempts = attempts + 1, last_error = ?, not_before = ?, updated_at = ? WHERE id = ?",
                (error, time.time() + delay, time.time(), item_id),
            )

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", (key, value)
            )
