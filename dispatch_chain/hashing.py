"""Hash functions shared by receipts, the Merkle tree and the chain adapters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Digest(Protocol):
    def digest(self) -> bytes: ...


try:  # safe-pysha3: a C keccak, about 6x faster per call than pycryptodome's
    from sha3 import keccak_256 as _sha3_keccak_256

    keccak_256: Callable[[bytes], Digest] = _sha3_keccak_256
    """The keccak-256 hasher itself (``keccak_256(data).digest()``), for tight loops."""

except ImportError:  # pragma: no cover - exercised only where safe-pysha3 is absent
    from Crypto.Hash import keccak as _keccak

    def keccak_256(data: bytes) -> Digest:
        return _keccak.new(digest_bits=256, data=data)


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak-256 (not NIST SHA3-256)."""
    return keccak_256(data).digest()
