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
the batch against the chain itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.receipts import SignedReceipt

BUNDLE_FORMAT = "dispatch-receipt-bundle/v1"


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

    model_config = ConfigDict(extra="forbid")

    chain: str = Field(description="CAIP-2 chain id")
    contract: str = Field(description="ReceiptAnchor address or dispatch_anchor program id")
    batch_id: int = Field(ge=1)
    root: str
    proof: list[str]
    tx: str | None = None
    block: int | None = Field(None, description="EVM block number or Solana slot")

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
        text = Path(path).read_text()
    except OSError as exc:
        raise BundleError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BundleError(f"{path}: a bundle is a JSON object")
    try:
        return ReceiptBundle.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'bundle'}: {err['msg']}" for err in exc.errors()
        )
        raise BundleError(f"{path}: malformed bundle: {problems}") from None


def bundle_for(signed: SignedReceipt, anchors: list[ChainAnchor]) -> ReceiptBundle:
    """The bundle of a signed receipt over the given anchors.

    Bundles of receipts in the anchoring store: :func:`dispatch_chain.anchoring.bundles.bundle_of`.
    """
    return ReceiptBundle(receipt=signed.receipt.to_dict(), receipt_signature=signed.signature_text, anchors=anchors)
