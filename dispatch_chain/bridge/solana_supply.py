"""The Solana half of the supply invariant: custody, released Monad messages, lock messages.

Read it *before* Monad's half (:func:`dispatch_chain.bridge.supply.read_monad_supply`):
a Monad burn always precedes its release on Solana, and a Solana lock always
precedes its mint on Monad, so custody read first can only be ahead of what
Monad shows later, never behind (docs/bridge.md, "Supply invariant").
"""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_chain.connect import Connections
from dispatch_chain.solana.bridge import BridgeClient, InboundStatus


@dataclass(frozen=True, slots=True)
class SolanaSupply:
    custody: int  # base units in the custody vault
    released: frozenset[bytes]  # digests of Monad messages released from custody
    queued: frozenset[bytes]  # digests of Monad messages queued over the inbound limit (not released yet)
    locked: dict[bytes, int]  # digest -> amount of every lock message (Solana -> Monad)
    next_sequence: int


def read_bridge_supply(bridge: BridgeClient, *, commitment: str | None = None) -> SolanaSupply:
    """Read dispatch_bridge's side at ``commitment`` (default: the network's)."""
    config = bridge.config(commitment=commitment)
    custody = bridge.custody_balance(commitment=commitment)
    inbound = bridge.inbound_records(commitment=commitment)
    locks = bridge.outbound_range(0, config.next_sequence, commitment=commitment)
    return SolanaSupply(
        custody=custody,
        released=frozenset(r.digest for r in inbound if r.status is InboundStatus.EXECUTED),
        queued=frozenset(r.digest for r in inbound if r.status is InboundStatus.QUEUED),
        locked={r.digest: r.message.amount for r in locks},
        next_sequence=config.next_sequence,
    )


def read_solana_supply(connections: Connections) -> SolanaSupply:
    """The manifest's dispatch_bridge, at the profile's commitment."""
    return read_bridge_supply(connections.solana_bridge())
