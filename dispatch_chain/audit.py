"""Proving a receipt bundle against the chains.

The audit of a bundle holds when, and only when:

1. the receipt parses and its ed25519 signature verifies;
2. for every anchor that is checked: the proof leads from the recomputed leaf
   to the bundle's root, the chain holds that root as the bundle's batch id,
   the chain's own ``verify`` accepts the leaf and proof, and the named
   transaction is on chain and anchored that root (its block/slot and time are
   read from the chain, not from the bundle).

Chain-specific checks sit behind :class:`AnchorVerifier`, chosen by the
CAIP-2 namespace of each anchor (``eip155`` or ``solana``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from dispatch_chain.bundle import ChainAnchor, ReceiptBundle
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.merkle import leaf_hash, process_proof
from dispatch_chain.receipts import ReceiptError, SignedReceipt


@dataclass(frozen=True, slots=True)
class Finding:
    """One checked statement about the bundle."""

    check: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class AnchorFacts:
    """What the chain says about an anchor (read from the chain itself)."""

    chain: str
    batch_id: int
    block: int | None
    timestamp: int | None
    tx: str | None


class AnchorVerifier(Protocol):
    """Checks one anchor of a bundle against one chain."""

    def check(self, anchor: ChainAnchor, leaf: bytes) -> tuple[list[Finding], AnchorFacts | None]:
        """Findings for the anchor, and the chain's facts when the anchor holds."""


@dataclass(slots=True)
class AuditReport:
    """The outcome of an audit: every finding, and the facts of each proven anchor."""

    job_id: str | None = None
    provider: str | None = None
    receipt_hash: str | None = None
    findings: list[Finding] = field(default_factory=list)
    anchors: list[AnchorFacts] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.findings) and all(f.ok for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "job_id": self.job_id,
            "provider": self.provider,
            "receipt_hash": self.receipt_hash,
            "findings": [{"check": f.check, "ok": f.ok, "detail": f.detail} for f in self.findings],
            "anchors": [
                {
                    "chain": a.chain,
                    "batch_id": a.batch_id,
                    "block": a.block,
                    "time": format_time(a.timestamp),
                    "tx": a.tx,
                }
                for a in self.anchors
            ],
        }


def format_time(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


VerifierFactory = Callable[[str], AnchorVerifier]


class Auditor:
    """Audits bundles with one verifier factory per CAIP-2 namespace.

    A factory receives the anchor's CAIP-2 chain id and returns a verifier for
    it, or raises :class:`DispatchChainError` (e.g. the configured network is a
    different chain), which becomes a failed finding.
    """

    def __init__(self, factories: Mapping[str, VerifierFactory]) -> None:
        self.factories = dict(factories)

    def audit(self, bundle: ReceiptBundle, *, chains: set[str] | None = None) -> AuditReport:
        report = AuditReport()
        try:
            signed = SignedReceipt.from_parts(bundle.receipt, bundle.receipt_signature)
        except ReceiptError as exc:
            report.findings.append(Finding("receipt", False, str(exc)))
            return report
        report.job_id = signed.receipt.job_id
        report.provider = signed.receipt.provider_id
        report.receipt_hash = "0x" + signed.receipt.receipt_hash().hex()
        if signed.is_valid():
            report.findings.append(Finding("signature", True, f"ed25519 signature verifies for {report.provider}"))
        else:
            report.findings.append(
                Finding("signature", False, "ed25519 signature does not verify for provider_pubkey")
            )
        leaf = leaf_hash(signed.leaf_values())
        anchors = [a for a in bundle.anchors if chains is None or a.chain in chains]
        if not anchors:
            wanted = f" on {', '.join(sorted(chains))}" if chains else ""
            report.findings.append(Finding("anchors", False, f"the bundle has no anchor{wanted} to check"))
            return report
        for anchor in anchors:
            findings, facts = self._check_anchor(anchor, leaf)
            report.findings.extend(findings)
            if facts is not None and all(f.ok for f in findings):
                report.anchors.append(facts)
        return report

    def _check_anchor(self, anchor: ChainAnchor, leaf: bytes) -> tuple[list[Finding], AnchorFacts | None]:
        where = f"{anchor.chain} batch {anchor.batch_id}"
        if process_proof(leaf, anchor.proof_bytes) != anchor.root_bytes:
            return [Finding(f"{where}: proof", False, "the proof does not lead from this receipt's leaf to the root")], None
        local = Finding(f"{where}: proof", True, f"leaf 0x{leaf.hex()} proves into root {anchor.root}")
        namespace = anchor.chain.split(":", 1)[0]
        factory = self.factories.get(namespace)
        if factory is None:
            return [local, Finding(f"{where}: chain", False, f"no verifier for chain namespace {namespace!r}")], None
        try:
            verifier = factory(anchor.chain)
            findings, facts = verifier.check(anchor, leaf)
        except DispatchChainError as exc:
            return [local, Finding(f"{where}: chain", False, str(exc))], None
        except Exception as exc:  # RPC failures surface as one clear line, not a traceback
            return [local, Finding(f"{where}: chain", False, f"chain query failed: {type(exc).__name__}: {exc}")], None
        return [local, *findings], facts
