"""The IdentityRegistry: registering workers, and resolving ed25519 pubkey -> agentId.

A worker *claims* its agent id (the output of ``worker register``, a CLI flag, or
the ``registrations`` entry of its ERC-8004 agent file) and :class:`IdentityResolver`
verifies the claim with three calls: ``ownerOf``, the binding metadata, and the
ed25519 signature over (chain, registry, current owner). Nothing scans the
registry's event history (the official registries have millions of blocks of it
and Monad's RPC serves at most 100 blocks of logs per request). Verified claims
live in a SQLite cache that survives restarts and are re-verified when older than
``recheck_after`` seconds, so an agent transferred to a new owner stops resolving
until the worker re-binds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.signing
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from dispatch_chain.erc8004.binding import (
    METADATA_BINDING,
    METADATA_PUBKEY,
    Binding,
    BindingError,
    sign_binding,
    verify_binding,
)
from dispatch_chain.errors import DispatchChainError, TransactionFailed
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.sqlite import open_durable

CONTRACT = "IdentityRegistry"
RECHECK_AFTER = 300.0  # seconds a verified claim is trusted before it is verified again


class UnknownWorker(DispatchChainError):
    """The worker has claimed no agent, or its claimed agent does not (or no longer) carry its binding."""


class ClaimRejected(UnknownWorker):
    """A claimed agent id does not verify for this worker (no such agent, no binding, wrong key or owner)."""


@dataclass(frozen=True, slots=True)
class Registration:
    agent_id: int
    owner: str
    tx: str


class IdentityRegistryClient:
    """Reads and writes one IdentityRegistry (local or the official v1 deployment)."""

    def __init__(self, client: EvmClient, address: str, *, deploy_block: int = 0) -> None:
        self.client = client
        self.address = Web3.to_checksum_address(address)
        self.deploy_block = deploy_block
        self.contract = client.contract(CONTRACT, self.address)

    @property
    def chain_id(self) -> int:
        return self.client.network.chain_id

    def register_worker(
        self, worker: nacl.signing.SigningKey, owner: LocalAccount, agent_uri: str = ""
    ) -> Registration:
        """Register an agent owned by ``owner`` whose metadata binds the worker's key."""
        pubkey = bytes(worker.verify_key)
        signature = sign_binding(worker, self.chain_id, self.address, owner.address)
        metadata = [(METADATA_PUBKEY, pubkey), (METADATA_BINDING, signature)]
        sender = TxSender(self.client, owner)
        call = self.contract.functions.register(agent_uri, metadata)
        prepared = sender.prepare(call, contract=CONTRACT)
        sender.broadcast(prepared)
        receipt = sender.wait(prepared.tx_hash)
        if receipt["status"] != 1:
            reason, message = sender.revert_reason(call, receipt, contract=CONTRACT)
            raise TransactionFailed(message, reason=reason, tx=prepared.tx_hash)
        event = self.contract.events.Registered().process_receipt(receipt, errors=DISCARD)[0]
        return Registration(int(event["args"]["agentId"]), owner.address, prepared.tx_hash)

    def rebind(self, agent_id: int, worker: nacl.signing.SigningKey, owner: LocalAccount) -> str:
        """Re-sign the binding for the agent's current owner (after an ERC-721 transfer)."""
        signature = sign_binding(worker, self.chain_id, self.address, owner.address)
        sender = TxSender(self.client, owner)
        prepared = sender.prepare(
            self.contract.functions.setMetadata(agent_id, METADATA_BINDING, signature), contract=CONTRACT
        )
        sender.broadcast(prepared)
        sender.wait(prepared.tx_hash)
        return prepared.tx_hash

    def owner_of(self, agent_id: int) -> str | None:
        try:
            return self.contract.functions.ownerOf(agent_id).call()
        except ContractLogicError:  # no such agent (never minted, or burned)
            return None

    def binding_of(self, agent_id: int) -> Binding:
        """The agent's binding, verified; raises :class:`BindingError` naming what is wrong."""
        owner = self.owner_of(agent_id)
        if owner is None:
            raise BindingError(f"agent {agent_id} does not exist")
        pubkey = bytes(self.contract.functions.getMetadata(agent_id, METADATA_PUBKEY).call())
        signature = bytes(self.contract.functions.getMetadata(agent_id, METADATA_BINDING).call())
        if len(pubkey) != 32:
            raise BindingError(f"agent {agent_id} has no {METADATA_PUBKEY} key (got {len(pubkey)} bytes)")
        if not verify_binding(pubkey, signature, self.chain_id, self.address, owner):
            raise BindingError(f"agent {agent_id}: the binding signature does not verify for owner {owner}")
        return Binding(agent_id, pubkey, owner)


_CACHE_SCHEMA = """
DROP TABLE IF EXISTS agents;
CREATE TABLE IF NOT EXISTS claims (
    pubkey      BLOB PRIMARY KEY,
    agent_id    INTEGER NOT NULL,
    owner       TEXT,
    valid       INTEGER NOT NULL,
    reason      TEXT,
    checked_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS unrateable (
    pubkey    BLOB PRIMARY KEY,
    agent_id  INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    since     REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


def agent_id_from_agent_file(document: Any, chain_id: int, registry: str) -> int:
    """The agent id an ERC-8004 agent (registration) file lists for this registry.

    The file's ``registrations`` is a list of ``{"agentId": N, "agentRegistry":
    "eip155:<chain id>:<registry address>"}``; raises :class:`ClaimRejected` naming
    what is missing.
    """
    wanted = f"eip155:{chain_id}:{Web3.to_checksum_address(registry)}".lower()
    registrations = document.get("registrations") if isinstance(document, Mapping) else None
    if not isinstance(registrations, list):
        raise ClaimRejected('the agent file has no "registrations" list')
    for entry in registrations:
        if not isinstance(entry, Mapping) or str(entry.get("agentRegistry", "")).lower() != wanted:
            continue
        agent_id = entry.get("agentId")
        if isinstance(agent_id, str) and agent_id.isdigit():
            agent_id = int(agent_id)
        if not isinstance(agent_id, int) or isinstance(agent_id, bool) or not 0 <= agent_id < 2**256:
            raise ClaimRejected(f"the agent file's agentId for {wanted} is not an unsigned integer: {agent_id!r}")
        return agent_id
    raise ClaimRejected(f"the agent file lists no registration on {wanted}")


class IdentityResolver:
    """ed25519 pubkey -> agentId from the worker's own claim, verified by calls, cached in SQLite.

    Also remembers workers the registry refuses to let us rate (see :meth:`mark_unrateable`).
    """

    def __init__(
        self,
        registry: IdentityRegistryClient,
        cache_path: str | Path,
        *,
        recheck_after: float = RECHECK_AFTER,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.recheck_after = recheck_after
        self.clock = clock
        self._db = open_durable(cache_path)
        self._db.executescript(_CACHE_SCHEMA)
        # The genesis hash tells a restarted local chain (same id, same addresses) from the old one.
        genesis = bytes(registry.client.w3.eth.get_block("earliest")["hash"]).hex()
        scope = f"{registry.chain_id}:{registry.address}:{genesis}"
        if self._meta("scope") != scope:  # another chain, registry or genesis: start over
            self._reset(scope)

    def _reset(self, scope: str) -> None:
        self._db.executescript("DELETE FROM claims; DELETE FROM unrateable; DELETE FROM meta;")
        self._set_meta("scope", scope)

    def close(self) -> None:
        self._db.close()

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", (key, value)
        )

    # -- claims ------------------------------------------------------------------------

    def _verify(self, pubkey: bytes, agent_id: int) -> str:
        """The agent's owner if its binding names ``pubkey``; raises :class:`ClaimRejected` otherwise."""
        try:
            binding = self.registry.binding_of(agent_id)
        except BindingError as exc:
            raise ClaimRejected(f"worker ed25519:{pubkey.hex()} claims agent {agent_id}: {exc}") from None
        if binding.pubkey != pubkey:
            raise ClaimRejected(
                f"worker ed25519:{pubkey.hex()} claims agent {agent_id}, which binds ed25519:{binding.pubkey.hex()}"
            )
        return binding.owner

    def _row(self, pubkey: bytes) -> tuple[int, int, str | None, float] | None:
        row = self._db.execute(
            "SELECT agent_id, valid, reason, checked_at FROM claims WHERE pubkey = ?", (pubkey,)
        ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]), row[2], float(row[3]))

    def _store(self, pubkey: bytes, agent_id: int, owner: str | None, reason: str | None) -> None:
        self._db.execute(
            "INSERT INTO claims (pubkey, agent_id, owner, valid, reason, checked_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(pubkey) DO UPDATE SET agent_id = excluded.agent_id, owner = excluded.owner,"
            " valid = excluded.valid, reason = excluded.reason, checked_at = excluded.checked_at",
            (pubkey, agent_id, owner, 0 if reason else 1, reason, self.clock()),
        )

    def claim(self, pubkey: bytes, agent_id: int) -> int:
        """Verify that ``agent_id`` is the worker's agent and remember it; returns ``agent_id``.

        A fresh verified claim of the same agent costs no call. A claim that does not verify raises
        :class:`ClaimRejected` and never replaces a verified claim of another agent.
        """
        row = self._row(pubkey)
        if row is not None and row[0] == agent_id and row[1] and self.clock() - row[3] <= self.recheck_after:
            return agent_id
        try:
            owner = self._verify(pubkey, agent_id)
        except ClaimRejected as exc:
            if row is None or row[0] == agent_id or not row[1]:
                self._store(pubkey, agent_id, None, str(exc))
            raise
        self._store(pubkey, agent_id, owner, None)
        return agent_id

    def cached(self, pubkey: bytes) -> int | None:
        """The worker's verified agent from the cache alone (no call, however old the check)."""
        row = self._row(pubkey)
        return row[0] if row is not None and row[1] else None

    def resolve(self, pubkey: bytes) -> int:
        """The worker's claimed agent, verified again when the last check is older than ``recheck_after``."""
        row = self._row(pubkey)
        if row is None:
            raise UnknownWorker(
                f"worker ed25519:{pubkey.hex()} has claimed no ERC-8004 agent on"
                f" {self.registry.address}; claim one with its agent id (`dispatch-chain worker"
                f" claim`, or an agent_id with the job)"
            )
        agent_id, valid, reason, checked_at = row
        if self.clock() - checked_at > self.recheck_after:
            try:
                owner = self._verify(pubkey, agent_id)
            except ClaimRejected as exc:
                self._store(pubkey, agent_id, None, str(exc))
                raise
            self._store(pubkey, agent_id, owner, None)
            return agent_id
        if not valid:
            raise ClaimRejected(reason or f"agent {agent_id} does not verify for ed25519:{pubkey.hex()}")
        return agent_id

    def resolve_many(self, pubkeys: Iterable[bytes]) -> dict[bytes, int | None]:
        """Agent ids for many workers; None for workers without a verified claim."""
        result: dict[bytes, int | None] = {}
        for pubkey in pubkeys:
            try:
                result[pubkey] = self.resolve(pubkey)
            except UnknownWorker:
                result[pubkey] = None
        return result

    def rejected(self) -> dict[int, str]:
        """Claimed agents that do not (or no longer) verify, with the reason."""
        return {int(a): r for a, r in self._db.execute("SELECT agent_id, reason FROM claims WHERE valid = 0")}

    # -- unrateable workers ------------------------------------------------------------

    def mark_unrateable(self, pubkey: bytes, agent_id: int, reason: str) -> None:
        """The registry refuses our feedback for this worker for good (e.g. it made us its operator)."""
        self._db.execute(
            "INSERT INTO unrateable (pubkey, agent_id, reason, since) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(pubkey) DO UPDATE SET agent_id = excluded.agent_id, reason = excluded.reason",
            (pubkey, agent_id, reason, self.clock()),
        )

    def clear_unrateable(self, pubkey: bytes) -> None:
        """A feedback for this worker landed again: it is rateable."""
        if self.unrateable(pubkey) is not None:  # a read first: no durable write per landed feedback
            self._db.execute("DELETE FROM unrateable WHERE pubkey = ?", (pubkey,))

    def unrateable(self, pubkey: bytes) -> str | None:
        """Why this worker cannot be rated, or None when it can."""
        row = self._db.execute("SELECT reason FROM unrateable WHERE pubkey = ?", (pubkey,)).fetchone()
        return None if row is None else str(row[0])

    def unrateable_agents(self) -> dict[int, str]:
        """Every unrateable worker's agent id, with the reason."""
        return {int(a): r for a, r in self._db.execute("SELECT agent_id, reason FROM unrateable")}
