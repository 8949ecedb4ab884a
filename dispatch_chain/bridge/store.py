"""The attester's durable record: what it has seen, signed and settled (SQLite, WAL).

One row per (source, message digest, attester), moving ``new -> signed -> done``
(or ``failed`` for a message the destination refuses for good, e.g. a wrong
peer). Nothing in it is specific to a chain or a message kind: the source is
the :class:`~dispatch_chain.bridge.attester.MessageSource`'s name (chain and
bridge), the attester the target's account, so other services (a governance
watcher) can reuse it, and several attesters may share one file. A store is
*bound* to one attester (:meth:`AttesterStore.bind`, done by the service);
reads and writes then see that attester's rows and cursors only. The signed
transaction is committed *before* it is broadcast, so after a crash the same
bytes (same hash, same nonce) are sent again instead of a second attestation
being signed: each attester attests each message exactly once. The scan cursor
of each source and the messages found up to it are committed in one
transaction, so a crash never skips a message. A file lock makes one process
the only attester working a store.
"""

from __future__ import annotations

import fcntl
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dispatch_chain.bridge.message import BridgeMessage
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.sqlite import open_durable, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    source      TEXT NOT NULL,
    attester    TEXT NOT NULL,
    next_block  INTEGER NOT NULL,
    PRIMARY KEY (source, attester)
);
CREATE TABLE IF NOT EXISTS attestations (
    source        TEXT NOT NULL,
    digest        BLOB NOT NULL,
    attester      TEXT NOT NULL,
    message       BLOB NOT NULL,
    source_tx     TEXT,
    source_block  INTEGER,
    state         TEXT NOT NULL CHECK (state IN ('new', 'signed', 'done', 'failed')),
    tx            TEXT,
    raw           BLOB,
    nonce         INTEGER,
    outcome       TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    seen_at       REAL NOT NULL,
    updated_at    REAL NOT NULL,
    PRIMARY KEY (source, digest, attester)
);
CREATE INDEX IF NOT EXISTS attestations_open ON attestations(state) WHERE state IN ('new', 'signed');
CREATE TABLE IF NOT EXISTS queued (
    digest     BLOB PRIMARY KEY,
    message    BLOB NOT NULL,
    ready_at   INTEGER NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    outcome    TEXT
);
"""


class AttesterStoreError(DispatchChainError):
    """The store is locked by another attester, or holds something unexpected."""


@dataclass(frozen=True, slots=True)
class Observed:
    """An outbound message of a source bridge, final at the attester's safety depth."""

    message: BridgeMessage
    source_tx: str | None
    source_block: int | None


@dataclass(frozen=True, slots=True)
class Attestation:
    digest: bytes
    message: BridgeMessage
    source: str
    state: str
    tx: str | None
    raw: bytes | None
    nonce: int | None
    outcome: str | None
    attempts: int


class AttesterStore:
    """The durable state of one attester (one key, one destination)."""

    def __init__(self, path: str | Path, *, attester: str = "") -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection = open_durable(self.path)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(attestations)")}
        if columns and "attester" not in columns:
            self._db.close()
            raise AttesterStoreError(f"{self.path} is an attester store of an older layout: move it away")
        self._db.executescript(_SCHEMA)
        self._lock: IO[str] | None = None
        self.attester = attester

    def bind(self, attester: str) -> None:
        """Work as ``attester`` from now on (the service binds its target's account)."""
        self.attester = attester

    def close(self) -> None:
        self._db.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> AttesterStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def claim(self) -> None:
        """Become the only process working this store (released on close or exit)."""
        handle = open(self.path.with_name(self.path.name + ".lock"), "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AttesterStoreError(f"another attester is already working {self.path}") from None
        self._lock = handle

    # -- scanning -----------------------------------------------------------------------

    def cursor(self, source: str) -> int | None:
        row = self._db.execute(
            "SELECT next_block FROM cursors WHERE source = ? AND attester = ?", (source, self.attester)
        ).fetchone()
        return None if row is None else int(row[0])

    def record_scan(self, source: str, found: Sequence[Observed], next_block: int) -> int:
        """Store the messages found and move the cursor, atomically; returns how many are new."""
        now = time.time()
        with transaction(self._db) as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO attestations (source, digest, attester, message, source_tx, source_block,"
                " state, seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'new', ?, ?)",
                [
                    (
                        source,
                        o.message.digest(),
                        self.attester,
                        o.message.encode(),
                        o.source_tx,
                        o.source_block,
                        now,
                        now,
                    )
                    for o in found
                ],
            )
            new = db.total_changes - before
            self._move_cursor(db, source, next_block)
        return new

    def _move_cursor(self, db: sqlite3.Connection, source: str, next_block: int) -> None:
        db.execute(
            "INSERT INTO cursors (source, attester, next_block) VALUES (?, ?, ?) "
            "ON CONFLICT(source, attester) DO UPDATE SET next_block = excluded.next_block",
            (source, self.attester, next_block),
        )

    # -- attesting ----------------------------------------------------------------------

    def _row(self, row: Sequence) -> Attestation:
        digest, message, source, state, tx, raw, nonce, outcome, attempts = row
        return Attestation(
            bytes(digest),
            BridgeMessage.decode(bytes(message)),
            source,
            state,
            tx,
            None if raw is None else bytes(raw),
            nonce,
            outcome,
            attempts,
        )

    _COLUMNS = "digest, message, source, state, tx, raw, nonce, outcome, attempts"

    def open_items(self, limit: int = 1000) -> list[Attestation]:
        """Signed ones first (they must be settled before anything new is signed), then new ones."""
        rows = self._db.execute(
            f"SELECT {self._COLUMNS} FROM attestations WHERE attester = ? AND state IN ('signed', 'new') "
            "ORDER BY state = 'new', source_block, rowid LIMIT ?",
            (self.attester, limit),
        ).fetchall()
        return [self._row(r) for r in rows]

    def get(self, digest: bytes) -> Attestation | None:
        row = self._db.execute(
            f"SELECT {self._COLUMNS} FROM attestations WHERE digest = ? AND attester = ?", (digest, self.attester)
        ).fetchone()
        return None if row is None else self._row(row)

    def record_signed(self, digest: bytes, tx: str, raw: bytes, nonce: int | None) -> None:
        with transaction(self._db) as db:
            db.execute(
                "UPDATE attestations SET state = 'signed', tx = ?, raw = ?, nonce = ?, "
                "attempts = attempts + 1, updated_at = ? WHERE digest = ? AND attester = ?",
                (tx, raw, nonce, time.time(), digest, self.attester),
            )

    def record_unsigned(self, digest: bytes, note: str) -> None:
        """The signed transaction can never land (its nonce went to another): sign anew later."""
        with transaction(self._db) as db:
            db.execute(
                "UPDATE attestations SET state = 'new', tx = NULL, raw = NULL, nonce = NULL, outcome = ?, "
                "updated_at = ? WHERE digest = ? AND attester = ?",
                (note, time.time(), digest, self.attester),
            )

    def record_done(self, digest: bytes, outcome: str) -> None:
        self._finish(digest, "done", outcome)

    def record_failed(self, digest: bytes, outcome: str) -> None:
        self._finish(digest, "failed", outcome)

    def _finish(self, digest: bytes, state: str, outcome: str) -> None:
        with transaction(self._db) as db:
            db.execute(
                "UPDATE attestations SET state = ?, outcome = ?, updated_at = ? WHERE digest = ? AND attester = ?",
                (state, outcome, time.time(), digest, self.attester),
            )

    def counts(self) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT state, count(*) FROM attestations WHERE attester = ? GROUP BY state", (self.attester,)
        ).fetchall()
        return {state: int(n) for state, n in rows}

    def items(self, state: str | None = None) -> list[Attestation]:
        query = f"SELECT {self._COLUMNS} FROM attestations WHERE attester = ?"
        rows = (
            self._db.execute(query + " AND state = ? ORDER BY rowid", (self.attester, state))
            if state
            else self._db.execute(query + " ORDER BY rowid", (self.attester,))
        ).fetchall()
        return [self._row(r) for r in rows]

    # -- the relayer's queue ------------------------------------------------------------

    def message_of(self, digest: bytes) -> BridgeMessage | None:
        row = self._db.execute("SELECT message FROM attestations WHERE digest = ? LIMIT 1", (digest,)).fetchone()
        return None if row is None else BridgeMessage.decode(bytes(row[0]))

    def record_queued(self, source: str, entries: Sequence[tuple[BridgeMessage, int]], next_block: int) -> None:
        """Queued transfers found by a scan (message, ready_at), with that scan's cursor, atomically."""
        with transaction(self._db) as db:
            db.executemany(
                "INSERT OR IGNORE INTO queued (digest, message, ready_at) VALUES (?, ?, ?)",
                [(m.digest(), m.encode(), ready_at) for m, ready_at in entries],
            )
            self._move_cursor(db, source, next_block)

    def due_queued(self, now: int) -> list[tuple[BridgeMessage, int]]:
        rows = self._db.execute(
            "SELECT message, ready_at FROM queued WHERE done = 0 AND ready_at <= ? ORDER BY ready_at", (now,)
        ).fetchall()
        return [(BridgeMessage.decode(bytes(m)), int(r)) for m, r in rows]

    def pending_queued(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM queued WHERE done = 0").fetchone()[0])

    def record_completed(self, digest: bytes, outcome: str) -> None:
        with transaction(self._db) as db:
            db.execute("UPDATE queued SET done = 1, outcome = ? WHERE digest = ?", (outcome, digest))
