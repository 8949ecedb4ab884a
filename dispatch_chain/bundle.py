"""The auditor's receipt bundle: a receipt, its signature, and where it is anchored.

A bundle is JSON::

    {
      "format": "dispatch-receipt-bundle/v1",
      "receipt": {...five fields...},
      "receipt_signature": "base64:...",
      "anchors": [
        {"chain": "eip155:10143", "contract": "0x...", "batch_id": 7,
         "root": "0x...", "proof": ["0x...", ...], "tx": "0x...", "block": 123},
        {"chain": "solana:EtWTRABZ...", "contract": "<program id>", "batch_id": 7,
         "root": "0x...", "proof": [...], "tx": "<signature>", "block": 456}
      ]
    }

``block`` is the EVM block number or the Solana slot. The auditor trusts none of
it: it re-verifies the signature, recomputes the leaf and checks the proof and
the batch against a trusted deployment on the chain itself
(:mod:`dispatch_chain.audit`).

:func:`load_bundle` is strict: anything malformed (bytes that are not UTF-8
JSON, a giant number, deep nesting, a wrong type, a malformed receipt, ids
beyond 64 bits) raises :class:`BundleError` naming the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.jsoninput import JsonInputError, parse_json
from dispatch_chain.receipts import ReceiptError, SignedReceipt

BUNDLE_FORMAT: Final = "dispatch-receipt-bundle/v1"
U64_MAX = 2**64 - 1  # batch ids and slots are u64 on Solana (the EVM contract's ids are smaller still)
MAX_PROOF = 64  # no Merkle tree of receipts is deeper
MAX_TEXT = 256  # chain ids, addresses and transaction ids are far shorter


class BundleError(DispatchChainError):
    """A bundle file is unreadable or malformed."""


def _hex32(value: str, what: str) -> str:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise ValueError(f"{what} must be 0x followed by 64 hex digits")
    try:
        bytes.fromhex(value[2:])
    except ValueError:
        raise ValueError(f"{what} must be 0x followed by 64 hex digits") from None
    return value.lower()


class ChainAnchor(BaseModel):
    """Where one chain anchored the receipt's batch."""

    model_config = ConfigDict(extra="forbid", strict=True)

    chain: str = Field(max_length=MAX_TEXT, description="CAIP-2 chain id")
    contract: str = Field(max_length=MAX_TEXT, description="ReceiptAnchor address or dispatch_anchor program id")
    batch_id: int = Field(ge=1, le=U64_MAX)
    root: str
    proof: list[str] = Field(max_length=MAX_PROOF)
    tx: str | None = Field(None, max_length=MAX_TEXT)
    block: int | None = Field(None, ge=0, le=U64_MAX, description="EVM block number or Solana slot")

    @field_validator("root")
    @classmethod
    def _root(cls, value: str) -> str:
        return _hex32(value, "root")

    @field_validator("proof")
    @classmethod
    def _proof(cls, value: list[str]) -> list[str]:
        return [_hex32(v, f"proof[{i}]") for i, v in enumerate(value)]

    @property
    def root_bytes(self) -> bytes:
        return bytes.fromhex(self.root[2:])

    @property
    def proof_bytes(self) -> list[bytes]:
        return [bytes.fromhex(p[2:]) for p in self.proof]


class ReceiptBundle(BaseModel):
    """Everything an auditor needs to prove one receipt against the chains."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["dispatch-receipt-bundle/v1"] = BUNDLE_FORMAT
    receipt: dict[str, Any]
    receipt_signature: Any
    anchors: list[ChainAnchor] = Field(default_factory=list)

    def to_json(self) -> str:
        # ensure_ascii: a lone surrogate in a receipt string stays a \\u escape
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=True) + "\n"


def load_bundle(path: str | Path) -> ReceiptBundle:
    """Read a bundle file; raises :class:`BundleError` with a clear reason."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BundleError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return parse_bundle(parse_json(data, str(path)), str(path))
    except JsonInputError as exc:
        raise BundleError(str(exc)) from None


def _where(loc: tuple[int | str, ...]) -> str:
    """A field path for one line: unknown keys are shown JSON-quoted (they may hold anything, newlines too)."""
    parts = [str(p) if isinstance(p, int) or p.isidentifier() else json.dumps(p[:40]) for p in loc]
    return ".".join(parts) or "bundle"


def parse_bundle(data: object, source: str = "bundle") -> ReceiptBundle:
    """Validate a decoded bundle, its receipt included; raises :class:`BundleError` naming the field."""
    if not isinstance(data, dict):
        raise BundleError(f"{source}: a bundle is a JSON object, got {type(data).__name__}")
    try:
        bundle = ReceiptBundle.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(err['loc'])}: {err['msg']}" for err in exc.errors()[:5])
        raise BundleError(f"{source}: malformed bundle: {problems}") from None
    try:  # a receipt that does not even parse is malformed input, not a failed check
        SignedReceipt.from_parts(bundle.receipt, bundle.receipt_signature)
    except ReceiptError as exc:
        raise BundleError(f"{source}: malformed bundle: {exc}") from None
    return bundle


def bundle_for(signed: SignedReceipt, anchors: list[ChainAnchor]) -> ReceiptBundle:
    """The bundle of a signed receipt over the given anchors.

    Bundles of receipts in the anchoring store: :func:`dispatch_chain.anchoring.bundles.bundle_of`.
    """
    return ReceiptBundle(receipt=signed.receipt.to_dict(), receipt_signature=signed.signature_text, anchors=anchors)
