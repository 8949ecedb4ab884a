"""Hash functions shared by receipts, the Merkle tree and the chain adapters."""

from __future__ import annotations

try:  # safe-pysha3: a C keccak, about 6x faster per call than pycryptodome's
    from sha3 import keccak_256 as _keccak_256

    def keccak256(data: bytes) -> bytes:
        """Ethereum's keccak-256 (not NIST SHA3-256)."""
        return _keccak_256(data).digest()

except ImportError:  # pragma: no cover - exercised only where safe-pysha3 is absent
    from Crypto.Hash import keccak as _keccak

    def keccak256(data: bytes) -> bytes:
        """Ethereum's keccak-256 (not NIST SHA3-256)."""
        return _keccak.new(digest_bits=256, data=data).digest()
