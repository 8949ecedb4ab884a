"""The paid endpoint's own record of the payments that bought a job (SQLite, keyed by payment payload).

A facilitator that journals its settles (ours, :class:`~dispatch_chain.payments.facilitator.DurableFacilitator`,
or any remote one that does the same) answers a repeated ``/settle`` with the stored success: right for a
client retrying, but an endpoint trusting it would sell two jobs for one payment. So the endpoint claims
each payment itself before the settle, whatever the facilitator is: :meth:`ServedPayments.claim` is one
``INSERT`` on the primary key ``payload_key`` (atomic: of two requests carrying the same payment, one
wins), :meth:`release` drops the claim when the settle failed (nothing was paid, the payment may come
back), :meth:`settled` records the settle response, :meth:`served` the delivered job. The file survives
restarts, so a served payment is refused also by the next endpoint process.

Nothing paid is lost when the endpoint dies mid-request. Each row names its owner (process id, process
start time, and the record object); a row still ``claimed`` or ``settled`` whose owner is gone (the process
exited, or in this process the record was closed, or the request ended without delivering the job) is an
*interrupted* payment. The same payment presented again resumes it (:meth:`resume`, atomic across
processes): a ``settled`` one is answered with its stored settle response and its job runs now; a
``claimed`` one is settled again through the facilitator, which answers from its journal or recovers the
transaction from the chain (a facilitator without a journal refuses an authorization already used: then
the claim is released and the payment refused, as before). Either way one payment buys exactly one job.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

from x402.schemas import PaymentPayload, SettleResponse

from dispatch_chain.payments.facilitator import payload_key
from dispatch_chain.sqlite import open_durable, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS served_payments (
    payload_key  TEXT PRIMARY KEY,
    network      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('claimed', 'settled', 'served')),
    owner        TEXT NOT NULL,
    tx           TEXT,
    response     TEXT,
    updated_at   REAL NOT NULL
);
"""


def process_identity(pid: int) -> str | None:
    """``<pid>:<start time>`` of a running process (the start time tells a reused pid apart), else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:  # pragma: no cover - no procfs: the pid alone, if it runs
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return f"{pid}:?"
    return f"{pid}:{stat.rsplit(')', 1)[1].split()[19]}"  # field 22, starttime


@dataclass(frozen=True, slots=True)
class Resumed:
    """An interrupted payment a request took over: its thread, and the settle response if it was settled."""

    thread: int
    settled: SettleResponse | None


class ServedPayments:
    """Payments that bought (or are buying) a job at this endpoint, in the SQLite file ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = open_durable(self.path)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._process = process_identity(os.getpid()) or f"{os.getpid()}:?"
        self.owner = f"{self._process}:{secrets.token_hex(8)}"
        self._in_flight: set[str] = set()  # keys of this record's requests still running
        self._resumed: dict[str, Resumed] = {}  # key -> the request (thread) that resumed it
        _OPEN[self.owner] = self

    # -- the request's steps ----------------------------------------------------------------------------

    def resume(self, payload: PaymentPayload) -> Resumed | None:
        """Take over an interrupted payment (see the module docstring) for the calling request's thread.

        None when there is nothing to resume (new, served, or in flight elsewhere); else what the request
        needs: the stored settle response when it was settled (settle nothing again), none when it was only
        claimed (settle it again). :meth:`claim_resumed` hands the same back at the settle step.
        """
        key = payload_key(payload)
        with self._lock, transaction(self._db) as db:
            row = db.execute("SELECT state, owner, response FROM served_payments WHERE payload_key = ?", (key,))
            found = row.fetchone()
            if found is None or found[0] == "served" or not self._interrupted(key, found[1]):
                return None
            db.execute(
                "UPDATE served_payments SET owner = ?, updated_at = ? WHERE payload_key = ?",
                (self.owner, time.time(), key),
            )
            settled = SettleResponse.model_validate_json(found[2]) if found[0] == "settled" and found[2] else None
            resumed = Resumed(threading.get_ident(), settled)
            self._in_flight.add(key)
            self._resumed[key] = resumed
        return resumed

    def claim_resumed(self, payload: PaymentPayload) -> Resumed | None:
        """The payment the calling request's thread resumed (:meth:`resume`): then it is its own already."""
        key = payload_key(payload)
        with self._lock:
            resumed = self._resumed.get(key)
            if resumed is None or resumed.thread != threading.get_ident():
                return None
            del self._resumed[key]
            return resumed

    def claim(self, payload: PaymentPayload) -> bool:
        """Claim a new payment for one job: False when it is already claimed (used, or being used)."""
        key = payload_key(payload)
        with self._lock:
            if key in self._in_flight:
                return False
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO served_payments (payload_key, network, state, owner, updated_at)"
                " VALUES (?, ?, 'claimed', ?, ?)",
                (key, payload.accepted.network, self.owner, time.time()),
            )
            if cursor.rowcount != 1:
                return False
            self._in_flight.add(key)
            return True

    def release(self, payload: PaymentPayload) -> None:
        """Drop a claim whose settle failed (a settled payment is never released)."""
        key = payload_key(payload)
        with self._lock:
            self._db.execute(
                "DELETE FROM served_payments WHERE payload_key = ? AND state = 'claimed' AND owner = ?",
                (key, self.owner),
            )
            self._in_flight.discard(key)
            self._resumed.pop(key, None)

    def settled(self, payload: PaymentPayload, response: SettleResponse) -> None:
        """Record the settle response of a claimed payment."""
        with self._lock:
            self._db.execute(
                "UPDATE served_payments SET state = 'settled', tx = ?, response = ?, updated_at = ?"
                " WHERE payload_key = ? AND owner = ?",
                (
                    response.transaction,
                    response.model_dump_json(by_alias=True),
                    time.time(),
                    payload_key(payload),
                    self.owner,
                ),
            )

    def served(self, payload: PaymentPayload) -> None:
        """The payment's job was delivered: the payment is used for good."""
        key = payload_key(payload)
        with self._lock:
            self._db.execute(
                "UPDATE served_payments SET state = 'served', updated_at = ? WHERE payload_key = ? AND owner = ?",
                (time.time(), key, self.owner),
            )
            self._in_flight.discard(key)

    def finished(self, payload: PaymentPayload) -> None:
        """The request ended (delivered or not): a payment left ``settled`` can now be resumed."""
        key = payload_key(payload)
        with self._lock:
            self._in_flight.discard(key)
            self._resumed.pop(key, None)

    # -- reading ------------------------------------------------------------------------------------------

    def state_of(self, payload: PaymentPayload) -> str | None:
        """``claimed``, ``settled``, ``served``, or None when this endpoint never took the payment."""
        with self._lock:
            row = self._db.execute(
                "SELECT state FROM served_payments WHERE payload_key = ?", (payload_key(payload),)
            ).fetchone()
        return None if row is None else str(row[0])

    def _interrupted(self, key: str, owner: str) -> bool:
        if owner == self.owner:
            return key not in self._in_flight
        process, _, _ = owner.rpartition(":")
        if process == self._process:  # another record object of this process: gone once closed or dropped
            return owner not in _OPEN
        pid = int(process.split(":", 1)[0])
        return process_identity(pid) != process

    def close(self) -> None:
        _OPEN.pop(self.owner, None)
        self._db.close()


#: The record objects open in this process, by owner (a row owned by a closed or dropped one is interrupted).
_OPEN: weakref.WeakValueDictionary[str, ServedPayments] = weakref.WeakValueDictionary()
