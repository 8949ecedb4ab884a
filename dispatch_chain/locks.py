"""Single-writer locks: one process per store, outbox or EVM account.

Two anchoring services on one store, or two feedback senders on one outbox,
would sign competing transactions from the same records; two writers on one
EVM account would pick the same nonces. Each writer therefore holds an
exclusive ``fcntl.flock`` on a lock file for as long as it runs. The kernel
releases it when the process exits, however it exits (SIGKILL included), so
there is never a stale lock to clean up. The file records the holder's pid
and role so the refusal can say who holds it.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path
from typing import IO

from dispatch_chain.errors import ConfigError


class WriterBusy(ConfigError):
    """Another process already holds this single-writer lock (a configuration problem: exit code 3)."""


class WriterLock:
    """An exclusive, non-blocking ``flock`` on ``path``; re-acquiring one already held is a no-op."""

    def __init__(self, path: str | Path, role: str, *, hint: str = "") -> None:
        self.path = Path(path)
        self.role = role
        self.hint = hint
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> WriterLock:
        if self._handle is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            message = f"{self.role}: {holder} already holds {self.path}"
            raise WriterBusy(f"{message}; {self.hint}" if self.hint else message) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{self.role} (pid {os.getpid()})\n")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the descriptor drops the flock
            self._handle = None

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def account_lock_path(chain_id: int, genesis: str, address: str, directory: str | Path | None = None) -> Path:
    """The lock file of one EVM account on one chain (the genesis hash tells two local chains apart).

    Kept outside any project directory (``<tmp>/dispatch-chain-locks`` unless ``directory`` is given) so
    that writers started from different working directories still see each other.
    """
    base = Path(directory) if directory is not None else Path(tempfile.gettempdir()) / "dispatch-chain-locks"
    return base / f"evm-{chain_id}-{genesis.removeprefix('0x')[:16]}-{address.lower()}.lock"
