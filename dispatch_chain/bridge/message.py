"""The bridge message v1: the one Python encoder and decoder (docs/bridge.md).

A message is a packed big-endian byte string of 178 bytes::

    offset size field
         0    1 version            1
         1    1 kind               1 = token transfer (2 reserved: governance)
         2   32 source_chain       keccak256(UTF-8 CAIP-2 id of the source chain)
        34   32 source_bridge      Solana program id, or EVM address left-padded with 12 zero bytes
        66    8 sequence           uint64, per source bridge, from 0
        74    8 amount             uint64 base units (9 decimals on both sides); 0 is invalid
        82   32 sender             Solana pubkey, or left-padded EVM address
       114   32 recipient          Solana pubkey, or left-padded EVM address
       146   32 destination_chain  keccak256(UTF-8 CAIP-2 id of the destination chain)

``digest = keccak256(message)``. The Solidity (``BoltBridge``) and Rust
(``dispatch_bridge``) encoders are tested against the same vectors
(tests/bridge/vectors.json).
"""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.hashing import keccak256

VERSION = 1
KIND_TRANSFER = 1
KIND_GOVERNANCE = 2  # reserved, not accepted by v1 bridges
MESSAGE_LENGTH = 178
U64_MAX = 2**64 - 1
_EVM_PAD = bytes(12)

# (name, offset, size) in encoding order
LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("version", 0, 1),
    ("kind", 1, 1),
    ("source_chain", 2, 32),
    ("source_bridge", 34, 32),
    ("sequence", 66, 8),
    ("amount", 74, 8),
    ("sender", 82, 32),
    ("recipient", 114, 32),
    ("destination_chain", 146, 32),
)


class BridgeMessageError(DispatchChainError, ValueError):
    """A bridge message or one of its fields is malformed; ``field`` names it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def chain_id_hash(caip2: str) -> bytes:
    """keccak256 of the UTF-8 CAIP-2 chain id (``eip155:10143``, ``solana:<genesis prefix>``)."""
    if ":" not in caip2 or not caip2.split(":", 1)[1]:
        raise BridgeMessageError(f"not a CAIP-2 chain id: {caip2!r}", field="chain")
    return keccak256(caip2.encode("utf-8"))


def evm_address_word(address: str | bytes) -> bytes:
    """An EVM address as the 32-byte message word (12 zero bytes, then the 20 address bytes)."""
    raw = address if isinstance(address, bytes) else _hex_bytes(address, "address")
    if len(raw) != 20:
        raise BridgeMessageError(f"an EVM address has 20 bytes, got {len(raw)}", field="address")
    return _EVM_PAD + raw


def evm_address_of(word: bytes) -> str:
    """The EVM address in a 32-byte word; raises if its 12 high bytes are not zero."""
    if len(word) != 32 or word[:12] != _EVM_PAD:
        raise BridgeMessageError(f"0x{word.hex()} is not a left-padded EVM address", field="recipient")
    return "0x" + word[12:].hex()


def _hex_bytes(text: str, name: str) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise BridgeMessageError(f"{name}: not hex: {text!r}", field=name) from None


@dataclass(frozen=True, slots=True)
class BridgeMessage:
    """One bridge message; construction checks every field's range and size."""

    source_chain: bytes
    source_bridge: bytes
    sequence: int
    amount: int
    sender: bytes
    recipient: bytes
    destination_chain: bytes
    version: int = VERSION
    kind: int = KIND_TRANSFER

    def __post_init__(self) -> None:
        for name in ("version", "kind"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 0xFF:
                raise BridgeMessageError(f"{name}: expected a uint8, got {value!r}", field=name)
        for name in ("sequence", "amount"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U64_MAX:
                raise BridgeMessageError(f"{name}: expected a uint64, got {value!r}", field=name)
        for name in ("source_chain", "source_bridge", "sender", "recipient", "destination_chain"):
            value = getattr(self, name)
            if not isinstance(value, bytes) or len(value) != 32:
                shown = len(value) if isinstance(value, (bytes, bytearray)) else type(value).__name__
                raise BridgeMessageError(f"{name}: expected 32 bytes, got {shown}", field=name)

    def encode(self) -> bytes:
        """The 178 packed big-endian bytes."""
        return b"".join(
            (
                self.version.to_bytes(1, "big"),
                self.kind.to_bytes(1, "big"),
                self.source_chain,
                self.source_bridge,
                self.sequence.to_bytes(8, "big"),
                self.amount.to_bytes(8, "big"),
                self.sender,
                self.recipient,
                self.destination_chain,
            )
        )

    def digest(self) -> bytes:
        """keccak256 of the encoding: the message's identity on both chains."""
        return keccak256(self.encode())

    @classmethod
    def decode(cls, data: bytes) -> BridgeMessage:
        """Parse exactly 178 bytes (field ranges are checked, semantic validity is not)."""
        if len(data) != MESSAGE_LENGTH:
            raise BridgeMessageError(f"a v1 bridge message has {MESSAGE_LENGTH} bytes, got {len(data)}")
        fields = {name: data[offset : offset + size] for name, offset, size in LAYOUT}
        return cls(
            version=fields["version"][0],
            kind=fields["kind"][0],
            source_chain=fields["source_chain"],
            source_bridge=fields["source_bridge"],
            sequence=int.from_bytes(fields["sequence"], "big"),
            amount=int.from_bytes(fields["amount"], "big"),
            sender=fields["sender"],
            recipient=fields["recipient"],
            destination_chain=fields["destination_chain"],
        )

    def to_json(self) -> dict[str, object]:
        """Field values as JSON (bytes as 0x hex, integers as decimal strings beyond 2**53)."""
        return {
            "version": self.version,
            "kind": self.kind,
            "source_chain": "0x" + self.source_chain.hex(),
            "source_bridge": "0x" + self.source_bridge.hex(),
            "sequence": str(self.sequence),
            "amount": str(self.amount),
            "sender": "0x" + self.sender.hex(),
            "recipient": "0x" + self.recipient.hex(),
            "destination_chain": "0x" + self.destination_chain.hex(),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> BridgeMessage:
        def word(name: str) -> bytes:
            value = data.get(name)
            if not isinstance(value, str):
                raise BridgeMessageError(f"{name}: expected a 0x hex string", field=name)
            return _hex_bytes(value, name)

        def number(name: str) -> int:
            value = data.get(name)
            try:
                return int(value)  # type: ignore[call-overload]  # int() itself rejects what it cannot convert
            except (TypeError, ValueError):
                raise BridgeMessageError(f"{name}: expected an integer, got {value!r}", field=name) from None

        return cls(
            version=number("version"),
            kind=number("kind"),
            source_chain=word("source_chain"),
            source_bridge=word("source_bridge"),
            sequence=number("sequence"),
            amount=number("amount"),
            sender=word("sender"),
            recipient=word("recipient"),
            destination_chain=word("destination_chain"),
        )
