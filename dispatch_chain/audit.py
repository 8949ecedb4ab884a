"""Proving a receipt bundle against the chains.

The audit of a bundle holds when, and only when:

1. the receipt parses and its ed25519 signature verifies;
2. for every anchor that is checked: the anchor names a *trusted* deployment
   (see below), the proof leads from the recomputed leaf to the bundle's root,
   the trusted contract or program holds that root as the bundle's batch id in
   its own storage (EVM: the ReceiptAnchor's batch record; Solana: the batch
   account, owned by the program, with its discriminator and stored root), its
   own ``verify`` accepts the leaf and proof, and the anchoring transaction is
   the one that wrote that record. The block/slot, time and anchorer are read
   from the chain, never from the bundle.

Trust model: a bundle is evidence, not authority. Anyone can deploy their own
ReceiptAnchor (or a look-alike program), anchor a receipt they signed
themselves and hand out a perfectly consistent bundle naming it. So the
auditor proves only against :class:`TrustedDeployments`: the network's
deployments manifest (its ReceiptAnchor on its EVM chain, its dispatch_anchor
program on its Solana cluster) and deployments the auditor names explicitly
(``eip155:<chain id>:0x<contract>``, ``solana:<genesis>:<program id>``). An
anchor on any other contract or program fails with the reason.

Chain-specific checks sit behind :class:`AnchorVerifier`, chosen by the
CAIP-2 namespace of each anchor (``eip155`` or ``solana``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from dispatch_chain.bundle import ChainAnchor, ReceiptBundle
from dispatch_chain.deployments import Manifest, load_manifest
from dispatch_chain.errors import DeploymentNotFound, DispatchChainError
from dispatch_chain.merkle import leaf_hash, process_proof
from dispatch_chain.receipts import ReceiptError, SignedReceipt


@dataclass(frozen=True, slots=True)
class Finding:
    """One checked statement about the bundle."""

    check: str
    ok: bool
    detail: str


class TrustError(DispatchChainError):
    """A trusted-deployment spec (``--trust``) is malformed."""


_EVM_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_BASE58_KEY = re.compile(r"[1-9A-HJ-NP-Za-km-z]{32,44}")
_EVM_CHAIN = re.compile(r"eip155:([1-9][0-9]{0,19})")
_SOLANA_CHAIN = re.compile(r"solana:([1-9A-HJ-NP-Za-km-z]{32,44})")
#: CAIP-2 keeps the first 32 characters of a Solana genesis hash.
SOLANA_REFERENCE_LENGTH = 32


@dataclass(frozen=True, slots=True)
class TrustedDeployment:
    """A ReceiptAnchor contract or dispatch_anchor program the auditor trusts, on one chain."""

    chain: str  # CAIP-2: eip155:<chain id> or solana:<genesis prefix>
    address: str  # 0x contract address (EVM) or base58 program id (Solana)
    source: str  # where the trust comes from: the manifest's path, or --trust

    @property
    def spec(self) -> str:
        return f"{self.chain}:{self.address}"

    def matches(self, chain: str, address: str) -> bool:
        if chain != self.chain:
            return False
        if chain.startswith("eip155:"):
            return address.lower() == self.address.lower()
        return address == self.address


def parse_trust(spec: str) -> TrustedDeployment:
    """Parse ``eip155:<chain id>:0x<contract>`` or ``solana:<genesis>:<program id>``.

    A full Solana genesis hash is cut to the 32 characters CAIP-2 uses.
    Raises :class:`TrustError` naming what is wrong.
    """
    if not isinstance(spec, str):
        raise TrustError(f"trust: expected a string, got {type(spec).__name__}")
    chain, _, address = spec.rpartition(":")
    if _EVM_CHAIN.fullmatch(chain):
        if not _EVM_ADDRESS.fullmatch(address):
            raise TrustError(f"trust {spec[:120]!r}: the contract must be 0x followed by 40 hex digits")
        return TrustedDeployment(chain, address, "--trust")
    solana = _SOLANA_CHAIN.fullmatch(chain)
    if solana:
        if not _BASE58_KEY.fullmatch(address):
            raise TrustError(f"trust {spec[:120]!r}: the program id must be a base58 Solana address")
        return TrustedDeployment(f"solana:{solana.group(1)[:SOLANA_REFERENCE_LENGTH]}", address, "--trust")
    raise TrustError(f"trust {spec[:120]!r}: expected eip155:<chain id>:0x<contract> or solana:<genesis>:<program id>")


def trusted_in_manifest(manifest: Manifest, source: str) -> list[TrustedDeployment]:
    """The anchoring deployments a manifest records: its ReceiptAnchor and its dispatch_anchor program."""
    found: list[TrustedDeployment] = []
    if manifest.evm is not None and "ReceiptAnchor" in manifest.evm.contracts:
        found.append(
            TrustedDeployment(
                f"eip155:{manifest.evm.chain_id}", manifest.evm.contracts["ReceiptAnchor"].address, source
            )
        )
    solana = manifest.solana
    if solana is not None and solana.cluster and "dispatch_anchor" in solana.programs:
        found.append(TrustedDeployment(solana.cluster, solana.programs["dispatch_anchor"], source))
    return found


class TrustedDeployments:
    """The deployments an audit may prove against; every other contract or program is refused."""

    def __init__(self, deployments: Iterable[TrustedDeployment] = (), *, note: str = "") -> None:
        self.deployments = list(deployments)
        self.note = note  # why the list may be short, e.g. "no manifest at deployments/local.json"

    @classmethod
    def load(cls, manifest: str | Path | None, explicit: Iterable[TrustedDeployment] = ()) -> TrustedDeployments:
        """The manifest's anchoring deployments (when the file exists) plus explicit ones (:func:`parse_trust`).

        A missing manifest only narrows the trust (noted in refusals); a
        malformed one raises :class:`~dispatch_chain.errors.ConfigError`.
        """
        explicit = list(explicit)
        if manifest is None:
            return cls(explicit, note="no deployments manifest")
        try:
            recorded = trusted_in_manifest(load_manifest(manifest), str(manifest))
        except DeploymentNotFound:
            return cls(explicit, note=f"no deployments manifest at {manifest}")
        return cls([*recorded, *explicit])

    def find(self, chain: str, address: str) -> TrustedDeployment | None:
        for deployment in self.deployments:
            if deployment.matches(chain, address):
                return deployment
        return None

    def refusal(self, anchor: ChainAnchor) -> str:
        """One line saying why ``anchor`` is not proven against."""
        on_chain = [d.spec for d in self.deployments if d.chain == anchor.chain]
        if on_chain:
            known = f"trusted on {anchor.chain}: {', '.join(on_chain)}"
        else:
            known = f"nothing is trusted on {anchor.chain}"
        note = f"; {self.note}" if self.note else ""
        return (
            f"{anchor.contract[:100]} is not a trusted deployment ({known}{note}); a bundle cannot vouch for"
            f" itself: prove against the network's manifest, or pass --trust {anchor.chain}:<address>"
            " for a deployment you trust"
        )


@dataclass(frozen=True, slots=True)
class AnchorFacts:
    """What the chain says about an anchor (read from the chain itself)."""

    chain: str
    batch_id: int
    block: int | None
    timestamp: int | None
    tx: str | None
    anchorer: str | None = None  # who anchored it, as the chain recorded


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
                    "anchorer": a.anchorer,
                }
                for a in self.anchors
            ],
        }


def format_time(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


VerifierFactory = Callable[[str], AnchorVerifier]


class Auditor:
    """Audits bundles against trusted deployments, with one verifier factory per CAIP-2 namespace.

    A factory receives the anchor's CAIP-2 chain id and returns a verifier for
    it, or raises :class:`DispatchChainError` (e.g. the configured network is a
    different chain), which becomes a failed finding. Verifiers are only ever
    asked about anchors on a deployment in ``trusted``.
    """

    def __init__(self, factories: Mapping[str, VerifierFactory], trusted: TrustedDeployments) -> None:
        self.factories = dict(factories)
        self.trusted = trusted

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
            report.findings.append(Finding("signature", False, "ed25519 signature does not verify for provider_pubkey"))
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
        if self.trusted.find(anchor.chain, anchor.contract) is None:
            return [Finding(f"{where}: trust", False, self.trusted.refusal(anchor))], None
        if process_proof(leaf, anchor.proof_bytes) != anchor.root_bytes:
            mismatch = Finding(f"{where}: proof", False, "the proof does not lead from this receipt's leaf to the root")
            return [mismatch], None
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
