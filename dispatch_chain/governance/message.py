"""The governance parameters message (bridge message family, kind 2): the Python encoder.

A ``ParamsChanged`` executed on Monad becomes this message; the attesters attest
it on Solana, where ``dispatch_governance`` applies it (docs/governance.md).
140 packed big-endian bytes::

    offset size field
         0    1 version            1
         1    1 kind               2 (governance)
         2   32 source_chain       keccak256(CAIP-2 id of the Monad chain)
        34   32 source_emitter     ProtocolParams address, left-padded with 12 zero bytes
        66    8 params_version     ProtocolParams version of this set
        74    2 fee_bps
        76    8 verified_threshold
        84    8 sentinel_threshold
        92    8 cooldown_seconds   (signed, as dispatch_staking stores it)
       100    8 reserved           zero
       108   32 destination_chain  keccak256(CAIP-2 id of the Solana cluster)

``digest = keccak256(message)``; the Rust encoder (``dispatch_governance``)
is tested against the same vector (tests/governance/test_governance_message.py).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from dispatch_chain.bridge.message import VERSION, BridgeMessageError, chain_id_hash, evm_address_word
from dispatch_chain.governance.params import ProtocolParamSet
from dispatch_chain.hashing import keccak256

KIND_GOVERNANCE = 2
MESSAGE_LENGTH = 140
_LAYOUT = struct.Struct(">BB32s32sQHQQq8x32s")
assert _LAYOUT.size == MESSAGE_LENGTH


@dataclass(frozen=True)
class ParamsMessage:
    """One governance parameters message (field names as in the Rust ``ParamsMessage``)."""

    source_chain: bytes
    source_emitter: bytes
    params_version: int
    fee_bps: int
    verified_threshold: int
    sentinel_threshold: int
    cooldown_seconds: int
    destination_chain: bytes
    version: int = VERSION
    kind: int = KIND_GOVERNANCE

    @classmethod
    def of(cls, params: ProtocolParamSet, *, monad_chain: str, emitter: str, solana_chain: str) -> ParamsMessage:
        """The message carrying ``params`` from ProtocolParams at ``emitter`` on ``monad_chain`` to ``solana_chain``."""
        return cls(
            source_chain=chain_id_hash(monad_chain),
            source_emitter=evm_address_word(emitter),
            params_version=params.version,
            fee_bps=params.fee_bps,
            verified_threshold=params.verified_threshold,
            sentinel_threshold=params.sentinel_threshold,
            cooldown_seconds=params.unstake_cooldown,
            destination_chain=chain_id_hash(solana_chain),
        )

    def encode(self) -> bytes:
        try:
            return _LAYOUT.pack(
                self.version,
                self.kind,
                self.source_chain,
                self.source_emitter,
                self.params_version,
                self.fee_bps,
                self.verified_threshold,
                self.sentinel_threshold,
                self.cooldown_seconds,
                self.destination_chain,
            )
        except struct.error as exc:
            raise BridgeMessageError(f"governance message field out of range: {exc}") from None

    def digest(self) -> bytes:
        return keccak256(self.encode())

    @classmethod
    def decode(cls, data: bytes) -> ParamsMessage:
        if len(data) != MESSAGE_LENGTH:
            raise BridgeMessageError(f"a governance message is {MESSAGE_LENGTH} bytes, got {len(data)}", field="length")
        version, kind, source, emitter, pv, fee, verified, sentinel, cooldown, dest = _LAYOUT.unpack(data)
        if data[100:108] != bytes(8):
            raise BridgeMessageError("the reserved bytes 100..108 must be zero", field="reserved")
        return cls(source, emitter, pv, fee, verified, sentinel, cooldown, dest, version, kind)


SPEND_MESSAGE_LENGTH = 146
_SPEND_LAYOUT = struct.Struct(">BB32s32sQQ32s32s")
assert _SPEND_LAYOUT.size == SPEND_MESSAGE_LENGTH


@dataclass(frozen=True)
class SpendMessage:
    """A treasury spend approved on Monad (``TreasurySpendApproved``), kind 2, 146 bytes::

    0 version 1 | 1 kind 2 | 2 source_chain 32 | 34 source_emitter 32 | 66 spend_id 8 | 74 amount 8
    | 82 recipient 32 (Solana owner) | 114 destination_chain 32
    """

    source_chain: bytes
    source_emitter: bytes
    spend_id: int
    amount: int
    recipient: bytes
    destination_chain: bytes
    version: int = VERSION
    kind: int = KIND_GOVERNANCE

    def encode(self) -> bytes:
        try:
            return _SPEND_LAYOUT.pack(
                self.version,
                self.kind,
                self.source_chain,
                self.source_emitter,
                self.spend_id,
                self.amount,
                self.recipient,
                self.destination_chain,
            )
        except struct.error as exc:
            raise BridgeMessageError(f"spend message field out of range: {exc}") from None

    def digest(self) -> bytes:
        return keccak256(self.encode())
