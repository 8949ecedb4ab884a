"""The anchoring service: verified receipts in, anchored batch roots out.

Receipts are verified on the way in (invalid ones are reported, never
stored), cut into batches by size or by age, and each batch root is anchored
on every configured chain. Every step is recorded in the :class:`ReceiptStore`
before its effect can happen, so the service can be killed at any instant and
restarted: it first asks each chain for its record of every open root
(storage and events), re-sends the very transaction it had signed, or signs a
new one only when the old one can no longer land. The contracts reject a
duplicate root, so even a lost record cannot anchor a batch twice.

A transaction the node holds but does not mine within ``replace_after``
seconds (fees below the market) is replaced at the same nonce with fees raised
by 25 %, on backends that can (EVM). :meth:`AnchoringService.run` rides out
RPC outages with a bounded exponential backoff; only configuration errors end it.
Constructing a service takes the store's single-writer lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dispatch_chain.anchoring.backend import (
    AnchorBackend,
    AnchorRecord,
    ConfirmPending,
    PreparedAnchor,
    ReplaceableBackend,
)
from dispatch_chain.anchoring.store import AnchorRow, BatchRow, ReceiptStore
from dispatch_chain.errors import DispatchChainError, TransactionFailed
from dispatch_chain.receipts import VerificationReport, default_workers, verify_many
from dispatch_chain.retry import Backoff, is_outage

log = logging.getLogger(__name__)


if TYPE_CHECKING:
    from dispatch_chain.payments.checks import PaymentFlag, PaymentPolicy


class AnchoringError(DispatchChainError):
    """A batch could not be anchored on a chain; the store keeps it for the next attempt."""


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """When to cut a batch and how long to wait for a chain."""

    max_size: int = 256  # cut as soon as this many receipts are pending
    max_age: float = 30.0  # or when the oldest pending receipt is this old (seconds)
    confirm_timeout: float = 120.0
    replace_after: float = 30.0  # seconds unmined before an EVM transaction is replaced with higher fees
    max_replacements: int = 5  # per pass; the next pass goes on from the last replacement
    uri_template: str = ""  # e.g. "https://coordinator.example/batches/{root}"; "" emits no URI

    def __post_init__(self) -> None:
        if self.max_size < 1:
            raise ValueError("max_size must be at least 1")
        if self.max_size > 2**32 - 1:
            raise ValueError("max_size must fit the contracts' uint32 leaf count")
        if self.max_age < 0:
            raise ValueError("max_age must not be negative")
        if self.replace_after <= 0:
            raise ValueError("replace_after must be positive")


@dataclass(slots=True)
class RunSummary:
    """What one pass of the service did."""

    batches_cut: list[BatchRow] = field(default_factory=list)
    anchored: list[AnchorRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


Progress = Callable[[str], None]


class AnchoringService:
    """Batches stored receipts and anchors their roots on each backend's chain."""

    def __init__(
        self,
        store: ReceiptStore,
        backends: Sequence[AnchorBackend],
        policy: BatchPolicy | None = None,
        *,
        clock: Callable[[], float] = time.time,
        progress: Progress | None = None,
        workers: int | None = None,
        payments: PaymentPolicy | None = None,
    ) -> None:
        if not backends:
            raise ValueError("the anchoring service needs at least one chain backend")
        chains = [b.chain for b in backends]
        if len(set(chains)) != len(chains):
            raise ValueError(f"two backends for the same chain: {chains}")
        self.store = store
        self.backends = list(backends)
        self.policy = policy or BatchPolicy()
        self.clock = clock
        self.progress = progress or (lambda message: log.info("%s", message))
        self.store.claim_writer()
        self.workers = workers or default_workers()
        self.store.ensure_chains(chains, now=clock())
        self.payments = payments
        self.payment_flags: list[PaymentFlag] = []  # those of the last submit

    @property
    def chains(self) -> list[str]:
        return [b.chain for b in self.backends]

    def submit(
        self, items: Iterable[object], *, workers: int | None = None, threads: int | None = None
    ) -> VerificationReport:
        """Verify receipts and store the valid ones; the report names each invalid one.

        ``workers`` threads verify (default: the service's, all cores unless set);
        the report is the same for any number. ``threads`` is its earlier name.
        """
        report = verify_many(items, workers=workers or threads or self.workers)
        self.store.add_receipts(report.valid, now=self.clock())
        if self.payments is not None:
            from dispatch_chain.payments.checks import check_receipts

            # Flagged receipts stay stored and are anchored: the flag is the record, not a drop.
            self.payment_flags = check_receipts(self.store, self.payments, report.valid)
            for flag in self.payment_flags:
                self.progress(f"payment flagged: receipt 0x{flag.receipt_hash.hex()}: {flag.error}")
        return report

    def cut_due_batches(self, *, flush: bool = False) -> list[BatchRow]:
        """Cut full batches, then a partial one if its oldest receipt is old enough (or ``flush``)."""
        cut: list[BatchRow] = []
        while self.store.pending_count() >= self.policy.max_size:
            cut.append(self._cut())
        oldest = self.store.oldest_pending_at()
        if oldest is not None and (flush or self.clock() - oldest >= self.policy.max_age):
            cut.append(self._cut())
        return cut

    def _cut(self) -> BatchRow:
        batch = self.store.cut_batch(self.policy.max_size, self.chains, now=self.clock())
        assert batch is not None  # callers check there are pending receipts
        self.progress(f"batch {batch.id}: {batch.leaf_count} receipts, root 0x{batch.root.hex()}")
        return batch

    def anchor_open(self) -> tuple[list[AnchorRecord], list[str]]:
        """Advance every unconfirmed anchor on every chain; errors are returned, not raised."""
        anchored: list[AnchorRecord] = []
        errors: list[str] = []
        for backend in self.backends:
            for row in self.store.open_anchors(backend.chain):
                try:
                    record = self._advance(backend, row)
                except Exception as exc:  # chain answers and outages alike: the store keeps the batch
                    if not (isinstance(exc, ConfirmPending) or is_outage(exc)):
                        raise
                    message = f"batch {row.batch.id} on {backend.chain}: {type(exc).__name__}: {exc}"
                    self.store.record_error(row.batch.id, backend.chain, str(exc))
                    errors.append(message)
                    log.warning("%s", message)
                    break  # keep batch order on this chain; retry on the next pass
                anchored.append(record)
                self.progress(
                    f"batch {row.batch.id} anchored on {record.chain} as #{record.batch_id}"
                    f" (block/slot {record.block}, tx {record.tx})"
                )
        return anchored, errors

    def _advance(self, backend: AnchorBackend, row: AnchorRow) -> AnchorRecord:
        batch = row.batch
        if row.status == "submitted" and row.prepared is not None:
            record = self._resume(backend, row.prepared, batch)
            if record is not None:
                self.store.record_anchored(batch.id, record)
                return record
        existing = backend.lookup(batch.root)
        if existing is not None:
            self.store.record_anchored(batch.id, existing)
            return existing
        prepared = backend.prepare(batch.root, batch.leaf_count, self._uri(batch))
        self.store.record_prepared(batch.id, backend.chain, backend.contract, prepared)
        backend.broadcast(prepared)
        record = self._confirm(backend, prepared, batch)
        self.store.record_anchored(batch.id, record)
        return record

    def _confirm(self, backend: AnchorBackend, prepared: PreparedAnchor, batch: BatchRow) -> AnchorRecord:
        """Wait for ``prepared``; on a backend that can, replace it with higher fees while it is stuck."""
        if not isinstance(backend, ReplaceableBackend):
            return backend.confirm(prepared, batch.root, timeout=self.policy.confirm_timeout)
        replacements = 0
        while True:
            try:
                return backend.confirm(prepared, batch.root, timeout=self.policy.replace_after)
            except ConfirmPending as pending:
                if not pending.stuck or replacements >= self.policy.max_replacements:
                    raise
            # Same nonce, more pay: only one of the two can land, and the store keeps the newer one
            # (the contract's record of the root finds the older one should it win after all).
            prepared = backend.replace(prepared, batch.root, batch.leaf_count, self._uri(batch))
            self.store.record_prepared(batch.id, backend.chain, backend.contract, prepared)
            backend.broadcast(prepared)
            replacements += 1
            self.progress(
                f"batch {batch.id} on {backend.chain}: not mined within {self.policy.replace_after:g} s,"
                f" replaced at nonce {prepared.nonce} with higher fees (tx {prepared.tx})"
            )

    def _resume(self, backend: AnchorBackend, prepared: PreparedAnchor, batch: BatchRow) -> AnchorRecord | None:
        """Finish a transaction signed before a crash; ``None`` when a new one must be signed."""
        try:
            return self._confirm(backend, prepared, batch)
        except TransactionFailed:
            # Mined and reverted: final. Forget it so the next pass signs anew
            # (and learns the reason again from gas estimation).
            self.store.record_dropped(batch.id, backend.chain, "reverted on chain")
            raise
        except ConfirmPending as pending:
            existing = backend.lookup(batch.root)
            if existing is not None:
                return existing
            if pending.dropped:
                self.store.record_dropped(batch.id, backend.chain, str(pending))
                return None
            if pending.stuck:
                raise  # still pending after this pass's replacements; the next pass goes on
        # Signed but never seen by the node (killed before broadcast): send the same bytes.
        backend.broadcast(prepared)
        return self._confirm(backend, prepared, batch)

    def _uri(self, batch: BatchRow) -> str:
        template = self.policy.uri_template
        return template.format(root="0x" + batch.root.hex(), batch=batch.id) if template else ""

    def run_once(self, *, flush: bool = False) -> RunSummary:
        """One pass: reconcile and anchor open batches, cut due batches, anchor them."""
        summary = RunSummary()
        anchored, errors = self.anchor_open()
        summary.anchored.extend(anchored)
        summary.errors.extend(errors)
        summary.batches_cut = self.cut_due_batches(flush=flush)
        if summary.batches_cut:
            anchored, errors = self.anchor_open()
            summary.anchored.extend(anchored)
            summary.errors.extend(errors)
        return summary

    def run(self, stop: threading.Event, *, interval: float = 1.0, backoff: Backoff | None = None) -> None:
        """Run passes until ``stop`` is set; a final pass flushes nothing (receipts stay pending).

        A pass whose chain calls failed (outage, timeout, a transaction that did not land) is followed
        by an exponentially growing pause (``backoff``, 0.5 s doubling up to 60 s by default), logged;
        a clean pass resets it. Only configuration errors (and bugs) end the loop.
        """
        backoff = backoff or Backoff()
        while not stop.is_set():
            try:
                summary = self.run_once()
                trouble = summary.errors[-1] if summary.errors else None
            except Exception as exc:
                if not is_outage(exc):
                    raise
                trouble = f"{type(exc).__name__}: {exc}"
            if trouble is None:
                backoff.succeeded()
                stop.wait(interval)
                continue
            delay = max(interval, backoff.failed())
            log.warning(
                "anchoring pass failed (%s); retrying in %.1f s (failure %d in a row)", trouble, delay, backoff.failures
            )
            stop.wait(delay)

    def drain(self, *, max_passes: int = 1000) -> RunSummary:
        """Cut and anchor everything pending now, retrying failed anchors (for scripts and the demo)."""
        total = RunSummary()
        for _ in range(max_passes):
            summary = self.run_once(flush=True)
            total.batches_cut.extend(summary.batches_cut)
            total.anchored.extend(summary.anchored)
            total.errors.extend(summary.errors)
            open_rows = [row for chain in self.chains for row in self.store.open_anchors(chain)]
            if not open_rows and self.store.pending_count() == 0:
                return total
            if summary.errors:
                time.sleep(0.5)
        raise AnchoringError(f"could not anchor everything after {max_passes} passes: {total.errors[-3:]}")
