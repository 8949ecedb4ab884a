"""The bridge's supply invariant, and the Monad half of reading it.

At every moment: BOLT in Solana custody >= wrapped BOLT supply on Monad + BOLT
burned on Monad and not yet released on Solana. (The difference is BOLT locked
on Solana and not yet minted on Monad: in flight towards Monad.)
:func:`read_monad_supply` reads Monad's side at one block; the Solana side
(custody balance, released digests, lock messages) comes from the Solana
bridge client; :func:`supply_report` joins them for ``dispatch-chain bridge
audit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dispatch_chain.bridge.evm import EvmBoltBridge, Status


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    digest: bytes
    sequence: int
    amount: int
    queued: bool  # burned, waiting for its delay before MessageSent


@dataclass(frozen=True, slots=True)
class MonadSupply:
    """Monad's side at ``block``: wrapped supply, totals, and every outbound message since deployment."""

    block: int
    wrapped_supply: int
    minted: int
    burned: int
    outbound: tuple[OutboundRecord, ...]


def read_monad_supply(bridge: EvmBoltBridge, *, block: int | None = None) -> MonadSupply:
    """Read wrapped supply, totals and outbound messages of ``bridge`` at one block (default: the head)."""
    block = bridge.client.w3.eth.block_number if block is None else block
    supply = int(bridge.token.functions.totalSupply().call(block_identifier=block))
    minted, burned = bridge.contract.functions.totals().call(block_identifier=block)
    records: dict[bytes, OutboundRecord] = {}
    for queued in (True, False):  # a completed queued message appears in both; MessageSent wins
        for m in bridge.outbound_messages(bridge.deploy_block, block, queued=queued):
            records[m.digest] = OutboundRecord(m.digest, m.message.sequence, m.message.amount, queued)
    return MonadSupply(block, supply, int(minted), int(burned), tuple(records.values()))


def executed_on_monad(bridge: EvmBoltBridge, digests: Iterable[bytes], *, block: int | str = "latest") -> set[bytes]:
    """The inbound digests BoltBridge has minted for (queued ones are not minted yet)."""
    return {d for d in digests if bridge.message_state(d, block).status is Status.EXECUTED}


@dataclass(frozen=True, slots=True)
class SupplyReport:
    custody: int
    wrapped_supply: int
    burned_not_released: int
    locked_not_minted: int | None  # None when the Solana lock messages were not given
    in_flight_to_solana: tuple[bytes, ...]
    in_flight_to_monad: tuple[bytes, ...]

    @property
    def ok(self) -> bool:
        return self.custody >= self.wrapped_supply + self.burned_not_released

    @property
    def surplus(self) -> int:
        """custody - (wrapped supply + burned not released): the BOLT in flight towards Monad when consistent."""
        return self.custody - self.wrapped_supply - self.burned_not_released

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "custody": self.custody,
            "wrapped_supply": self.wrapped_supply,
            "burned_not_released": self.burned_not_released,
            "locked_not_minted": self.locked_not_minted,
            "surplus": self.surplus,
            "in_flight_to_solana": ["0x" + d.hex() for d in self.in_flight_to_solana],
            "in_flight_to_monad": ["0x" + d.hex() for d in self.in_flight_to_monad],
        }


def supply_report(
    monad: MonadSupply,
    *,
    custody: int,
    released_on_solana: Iterable[bytes],
    locked_on_solana: Mapping[bytes, int] | None = None,
    minted_on_monad: Iterable[bytes] = (),
) -> SupplyReport:
    """Join both sides. ``released_on_solana``: digests of Monad messages released from custody;
    ``locked_on_solana``: digest -> amount of every Solana lock message; ``minted_on_monad``: the lock
    digests BoltBridge executed (see :func:`executed_on_monad`)."""
    released = set(released_on_solana)
    pending_out = [r for r in monad.outbound if r.digest not in released]
    minted = set(minted_on_monad)
    pending_in = [d for d in (locked_on_solana or {}) if d not in minted]
    return SupplyReport(
        custody=custody,
        wrapped_supply=monad.wrapped_supply,
        burned_not_released=sum(r.amount for r in pending_out),
        locked_not_minted=None if locked_on_solana is None else sum(locked_on_solana[d] for d in pending_in),
        in_flight_to_solana=tuple(r.digest for r in pending_out),
        in_flight_to_monad=tuple(pending_in),
    )
