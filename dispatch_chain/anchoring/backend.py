"""The seam between the anchoring service and a chain.

A backend anchors a batch root on one chain. The service drives it through
three separately observable steps so that a crash at any point can be
reconciled: :meth:`AnchorBackend.prepare` (sign, no side effect; the service
stores the result), :meth:`AnchorBackend.broadcast` (idempotent) and
:meth:`AnchorBackend.confirm`. :meth:`AnchorBackend.lookup` reads the chain's
own record of a root, which is the truth every reconciliation starts from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class AnchorRecord:
    """Where and when a batch root was anchored on one chain."""

    chain: str  # CAIP-2 chain id, e.g. eip155:10143 or solana:EtWTRABZ...
    contract: str  # contract address (EVM) or program id (Solana)
    batch_id: int  # the chain's batch id for this root
    root: bytes
    leaf_count: int
    tx: str | None  # transaction hash (EVM) or signature (Solana)
    block: int | None  # block number (EVM) or slot (Solana)
    timestamp: int | None  # unix time of that block/slot
    submitter: str | None = None


@dataclass(frozen=True, slots=True)
class PreparedAnchor:
    """A signed anchoring transaction, stored before it is broadcast."""

    tx: str  # its hash or signature, known before broadcast
    payload: bytes  # the signed bytes to (re)broadcast
    nonce: int | None = None  # EVM nonce; None on Solana
    expires: int | None = None  # Solana: last valid block height of its blockhash


class ConfirmPending(Exception):
    """The transaction is not (yet) on chain; the caller decides whether to wait or re-prepare."""

    def __init__(self, message: str, *, dropped: bool = False, stuck: bool = False) -> None:
        super().__init__(message)
        self.dropped = dropped  # True: it can no longer land (expired blockhash, nonce reused)
        self.stuck = stuck  # True: the node holds it but did not mine it in time (fees too low?)


@runtime_checkable
class AnchorBackend(Protocol):
    """One chain on which batch roots are anchored."""

    @property
    def chain(self) -> str:
        """CAIP-2 id of the chain, the key of this backend in the store."""

    @property
    def contract(self) -> str:
        """Address or program id that anchors."""

    def lookup(self, root: bytes) -> AnchorRecord | None:
        """The chain's record of ``root``, or ``None`` if it is not anchored."""

    def prepare(self, root: bytes, leaf_count: int, uri: str) -> PreparedAnchor:
        """Sign an anchoring transaction; raises ``TransactionFailed`` if it would fail."""

    def broadcast(self, prepared: PreparedAnchor) -> None:
        """Send the signed transaction; sending it again is harmless."""

    def confirm(self, prepared: PreparedAnchor, root: bytes, *, timeout: float) -> AnchorRecord:
        """Wait for the transaction; raises :class:`ConfirmPending` or ``TransactionFailed``."""

    def verify(self, batch_id: int, leaf: bytes, proof: list[bytes]) -> bool:
        """Ask the chain whether ``leaf`` is in batch ``batch_id`` by ``proof``."""


@runtime_checkable
class ReplaceableBackend(AnchorBackend, Protocol):
    """A backend whose stuck transactions can be replaced (EVM: same nonce, higher fees)."""

    def replace(self, prepared: PreparedAnchor, root: bytes, leaf_count: int, uri: str) -> PreparedAnchor:
        """Sign a replacement of ``prepared`` that pays more; it can land only instead of it."""
