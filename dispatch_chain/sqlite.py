"""The durable SQLite conventions every store of dispatch_chain follows.

WAL journal (readers never block the writer), ``synchronous=FULL`` (a commit
survives power loss, not only a killed process), autocommit mode with explicit
``BEGIN IMMEDIATE`` transactions (the write lock is taken up front, so two
writers never deadlock half-way).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def open_durable(path: str | Path, *, foreign_keys: bool = False) -> sqlite3.Connection:
    """Open (creating folders) a WAL, fully synchronous SQLite database in autocommit mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, timeout=30.0, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    if foreign_keys:
        db.execute("PRAGMA foreign_keys=ON")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed on success, rolled back on any exception."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
