"""The attester service: carry each source-bridge message to the destination, exactly once per attester.

One :class:`AttesterService` is one attester (one key) on one route, e.g. Monad
-> Solana or Solana -> Monad; several run side by side (2-of-3 in the demo and
tests), each with its own key and store. A round:

1. **scan** the source bridge up to its *safe head* (N confirmations on Monad,
   ``finalized`` on Solana: the source decides) and record the messages found
   together with the new cursor, in one transaction;
2. **attest** every open message: first settle anything already signed (send the
   same bytes again, then wait), then for each new message check the
   destination (already attested by this key, executed or queued: nothing to
   do), sign the attestation, commit it to the store, broadcast, confirm.

Killed at any point, a restarted service re-sends what it had signed and signs
nothing twice; the destination contract/program refuses a second attestation
of the same digest by the same attester in any case. The chain specifics live
behind :class:`MessageSource` and :class:`AttestationTarget`
(:mod:`dispatch_chain.bridge.evm_attester` for Monad; the Solana ones next to
the Solana bridge client).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from dispatch_chain.bridge.message import BridgeMessage
from dispatch_chain.bridge.store import Attestation, AttesterStore, Observed
from dispatch_chain.errors import ChainError, DispatchChainError

log = logging.getLogger(__name__)

Verdict = Literal["settled", "permanent", "transient"]


class AttestationSpent(DispatchChainError):
    """The signed attestation was mined and reverted, and the message still needs this attester:
    the transaction is spent, so the attestation must be signed anew (targets raise it from ``confirm``)."""


@dataclass(frozen=True, slots=True)
class SignedAttestation:
    """A signed, not yet (known to be) landed attestation transaction."""

    tx: str
    raw: bytes
    nonce: int | None = None


class MessageSource(Protocol):
    """The outbound messages of one source bridge."""

    @property
    def name(self) -> str:
        """Cursor key, unique per source bridge (e.g. ``eip155:10143/0x...``)."""

    @property
    def start_block(self) -> int:
        """Where a fresh store starts scanning (the bridge's deployment block or slot)."""

    def safe_head(self) -> int:
        """The newest block/slot whose messages are final at the configured safety depth."""

    def messages(self, from_block: int, to_block: int) -> Sequence[Observed]:
        """Messages emitted in ``[from_block, to_block]``."""


class AttestationTarget(Protocol):
    """The destination bridge, as seen by one attester key."""

    @property
    def attester(self) -> str: ...

    def settled(self, message: BridgeMessage) -> str | None:
        """Why this attester has nothing (more) to do for ``message`` (``attested``, ``executed``, ...), or None."""

    def prepare(self, message: BridgeMessage) -> SignedAttestation:
        """Simulate and sign the attestation; a refusal raises the destination's typed error."""

    def broadcast(self, signed: SignedAttestation) -> None:
        """Send the signed bytes; sending the same ones twice is not an error."""

    def can_land(self, signed: SignedAttestation) -> bool:
        """False only when the transaction is unknown and can never be included (nonce or blockhash gone)."""

    def confirm(self, message: BridgeMessage, signed: SignedAttestation, *, timeout: float) -> str:
        """Wait for the transaction; its outcome (``attested``, ``minted``, ``queued``) or the typed error."""

    def classify(self, error: Exception) -> Verdict:
        """``settled``: nothing left to do (duplicate, executed); ``permanent``: the destination refuses the
        message for good (wrong peer, malformed); ``transient``: retry later (paused, node trouble)."""


@dataclass
class RoundStats:
    found: int = 0
    attested: int = 0
    settled: int = 0
    failed: int = 0
    retry: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: RoundStats) -> None:
        self.found += other.found
        self.attested += other.attested
        self.settled += other.settled
        self.failed += other.failed
        self.retry += other.retry
        self.errors.extend(other.errors)


class AttesterService:
    """Scans one source, attests on one destination, durably."""

    def __init__(
        self,
        store: AttesterStore,
        source: MessageSource,
        target: AttestationTarget,
        *,
        confirm_timeout: float = 120.0,
        max_scan: int = 5_000,
    ) -> None:
        self.store = store
        self.source = source
        self.target = target
        store.bind(target.attester)  # rows and cursors are this attester's: (source, digest, attester)
        self.confirm_timeout = confirm_timeout
        self.max_scan = max_scan

    def scan(self) -> int:
        """Record the messages up to the source's safe head; returns how many are new."""
        start = self.store.cursor(self.source.name)
        start = self.source.start_block if start is None else start
        head = self.source.safe_head()
        new = 0
        while start <= head:
            end = min(head, start + self.max_scan - 1)
            new += self.store.record_scan(self.source.name, self.source.messages(start, end), end + 1)
            start = end + 1
        return new

    def caught_up(self) -> bool:
        cursor = self.store.cursor(self.source.name)
        return cursor is not None and cursor > self.source.safe_head() and not self.store.open_items(limit=1)

    def attest_open(self) -> RoundStats:
        stats = RoundStats()
        for item in self.store.open_items():
            try:
                outcome = self._settle(item)
            except AttestationSpent as exc:
                self.store.record_unsigned(item.digest, str(exc))
                stats.retry += 1
                stats.errors.append(f"0x{item.digest.hex()}: {exc}")
                log.warning("message 0x%s: %s", item.digest.hex(), exc)
                continue
            except DispatchChainError as exc:
                verdict = self.target.classify(exc)
                if verdict == "settled":
                    self.store.record_done(item.digest, f"settled: {getattr(exc, 'reason', None) or exc}")
                    stats.settled += 1
                elif verdict == "permanent":
                    self.store.record_failed(item.digest, str(exc))
                    stats.failed += 1
                    stats.errors.append(f"0x{item.digest.hex()}: {exc}")
                    log.warning("message 0x%s refused for good: %s", item.digest.hex(), exc)
                else:
                    stats.retry += 1
                    stats.errors.append(f"0x{item.digest.hex()}: {exc}")
                    log.info("message 0x%s: will retry: %s", item.digest.hex(), exc)
                    break  # node trouble or pause: the next round starts again in order
                continue
            if outcome.startswith("already"):
                stats.settled += 1
            else:
                stats.attested += 1
        return stats

    def _settle(self, item: Attestation) -> str:
        if item.state == "signed":
            assert item.tx is not None and item.raw is not None
            signed = SignedAttestation(item.tx, item.raw, item.nonce)
            self.target.broadcast(signed)
            if not self.target.can_land(signed):
                reason = self.target.settled(item.message)
                if reason is not None:
                    self.store.record_done(item.digest, f"already {reason}")
                    return f"already {reason}"
                self.store.record_unsigned(item.digest, f"{signed.tx} can never land; signing anew")
                item = Attestation(item.digest, item.message, item.source, "new", None, None, None, None, item.attempts)
            else:
                outcome = self.target.confirm(item.message, signed, timeout=self.confirm_timeout)
                self.store.record_done(item.digest, outcome)
                return outcome
        reason = self.target.settled(item.message)
        if reason is not None:
            self.store.record_done(item.digest, f"already {reason}")
            return f"already {reason}"
        signed = self.target.prepare(item.message)
        self.store.record_signed(item.digest, signed.tx, signed.raw, signed.nonce)  # before it can land
        self.target.broadcast(signed)
        outcome = self.target.confirm(item.message, signed, timeout=self.confirm_timeout)
        self.store.record_done(item.digest, outcome)
        return outcome

    def run_once(self) -> RoundStats:
        stats = RoundStats()
        try:
            stats.found = self.scan()
        except ChainError as exc:
            stats.errors.append(f"scan: {exc}")
        stats.add(self.attest_open())
        return stats

    def run(self, stop: threading.Event, *, interval: float = 2.0) -> RoundStats:
        total = RoundStats()
        while not stop.is_set():
            total.add(self.run_once())
            stop.wait(interval)
        return total

    def drain(self, *, timeout: float = 300.0, interval: float = 0.2) -> RoundStats:
        """Rounds until every message up to the safe head is settled (or ``timeout``)."""
        deadline = time.monotonic() + timeout
        total = RoundStats()
        while True:
            total.add(self.run_once())
            if self.caught_up():
                return total
            if time.monotonic() > deadline:
                raise ChainError(f"attester not caught up within {timeout:.0f} s: {self.store.counts()}")
            time.sleep(interval)
