"""The paid endpoint's own record of the payments that bought a job (SQLite, keyed by payment payload).

A facilitator that journals its settles (ours, :class:`~dispatch_chain.payments.facilitator.DurableFacilitator`,
or any remote one that does the same) answers a repeated ``/settle`` with the stored success: right for a
client retrying, but an endpoint trusting it would sell two jobs for one payment. So the endpoint claims
each payment itself before the settle, whatever the facilitator is: :meth:`ServedPayments.claim` is one
``INSERT`` on the primary key ``payload_key`` (atomic: of two requests carrying the same payment, one
wins), :meth:`release` drops the claim when the settle failed (nothing was paid, the payment may come
back), :meth:`settled` records the settling transaction. The file survives restarts, so a payment is
refused also by the next endpoint process.

A claim whose settle outcome never arrived (the endpoint died in between) stays claimed: that payment is
refused from then on, the safe side (the payer may have paid without a job; the facilitator's journal and
the chain say whether it settled).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from x402.schemas import PaymentPayload, SettleResponse

from dispatch_chain.payments.facilitator import payload_key
from dispatch_chain.sqlite import open_durable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS served_payments (
    payload_key  TEXT PRIMARY KEY,
    network      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('claimed', 'settled')),
    tx           TEXT,
    updated_at   REAL NOT NULL
);
"""


class ServedPayments:
    """Payments that bought (or are buying) a job at this endpoint, in the SQLite file ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = open_durable(self.path)
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def claim(self, payload: PaymentPayload) -> bool:
        """Claim the payment for one job: False when it is already claimed (used, or being used)."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO served_payments (payload_key, network, state, updated_at)"
                " VALUES (?, ?, 'claimed', ?)",
                (payload_key(payload), payload.accepted.network, time.time()),
            )
            return cursor.rowcount == 1

    def release(self, payload: PaymentPayload) -> None:
        """Drop a claim whose settle failed (a settled payment is never released)."""
        with self._lock:
            self._db.execute(
                "DELETE FROM served_payments WHERE payload_key = ? AND state = 'claimed'", (payload_key(payload),)
            )

    def settled(self, payload: PaymentPayload, response: SettleResponse) -> None:
        """Record the transaction that settled a claimed payment."""
        with self._lock:
            self._db.execute(
                "UPDATE served_payments SET state = 'settled', tx = ?, updated_at = ? WHERE payload_key = ?",
                (response.transaction, time.time(), payload_key(payload)),
            )

    def state_of(self, payload: PaymentPayload) -> str | None:
        """``claimed``, ``settled``, or None when this endpoint never took the payment."""
        with self._lock:
            row = self._db.execute(
                "SELECT state FROM served_payments WHERE payload_key = ?", (payload_key(payload),)
            ).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        self._db.close()
