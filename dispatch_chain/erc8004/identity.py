"""The IdentityRegistry: registering workers, and resolving ed25519 pubkey -> agentId.

:class:`IdentityResolver` follows the registry's ``MetadataSet`` and ERC-721
``Transfer`` events, re-checks the binding of every agent they touch (the
ed25519 signature must name the agent's *current* owner), and keeps the result
in a SQLite cache that survives restarts, so a coordinator resolves a worker
with no RPC call once it has been seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nacl.signing
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from dispatch_chain.errors import DispatchChainError, TransactionFailed
from dispatch_chain.erc8004.binding import (
    METADATA_BINDING,
    METADATA_PUBKEY,
    Binding,
    BindingError,
    sign_binding,
    verify_binding,
)
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.hashing import keccak256
from dispatch_chain.sqlite import open_durable

CONTRACT = "IdentityRegistry"
METADATA_SET_TOPIC = "0x" + keccak256(b"MetadataSet(uint256,string,string,bytes)").hex()
TRANSFER_TOPIC = "0x" + keccak256(b"Transfer(address,address,uint256)").hex()
_BINDING_KEY_TOPICS = ["0x" + keccak256(k.encode()).hex() for k in (METADATA_PUBKEY, METADATA_BINDING)]


class UnknownWorker(DispatchChainError):
    """No agent on the registry carries a valid binding for this ed25519 key."""


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

    def register_worker(self, worker: nacl.signing.SigningKey, owner: LocalAccount, agent_uri: str = "") -> Registration:
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
        prepared = sender.prepare(self.contract.functions.setMetadata(agent_id, METADATA_BINDING, signature),
                                  contract=CONTRACT)
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
CREATE TABLE IF NOT EXISTS agents (
    agent_id  INTEGER PRIMARY KEY,
    pubkey    BLOB,
    owner     TEXT,
    valid     INTEGER NOT NULL,
    reason    TEXT
);
CREATE INDEX IF NOT EXISTS agents_pubkey ON agents(pubkey) WHERE valid = 1;
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


class IdentityResolver:
    """ed25519 pubkey -> agentId, from events, verified, cached in SQLite across restarts."""

    def __init__(self, registry: IdentityRegistryClient, cache_path: str | Path) -> None:
        self.registry = registry
        self._db = open_durable(cache_path)
        self._db.executescript(_CACHE_SCHEMA)
        # The genesis hash tells a restarted local chain (same id, same addresses) from the old one.
        genesis = bytes(registry.client.w3.eth.get_block(0)["hash"]).hex()
        scope = f"{registry.chain_id}:{registry.address}:{genesis}"
        if self._meta("scope") != scope:  # another chain, registry or genesis: start over
            self._reset(scope)

    def _reset(self, scope: str) -> None:
        self._db.executescript("DELETE FROM agents; DELETE FROM meta;")
        self._set_meta("scope", scope)

    def close(self) -> None:
        self._db.close()

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT v FROM meta WHERE k = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                         (key, value))

    @property
    def scanned_to(self) -> int:
        value = self._meta("scanned_to")
        return self.registry.deploy_block - 1 if value is None else int(value)

    def refresh(self) -> int:
        """Follow the registry's events since the last refresh; returns how many agents were re-checked."""
        client = self.registry.client
        start, head = self.scanned_to + 1, client.w3.eth.block_number
        if start > head + 1:  # the chain is shorter than what we scanned: it was reset under us
            self._reset(self._meta("scope") or "")
            start = self.scanned_to + 1
        if start > head:
            return 0
        touched: set[int] = set()
        for log in client.get_logs({"address": self.registry.address, "topics": [METADATA_SET_TOPIC, None,
                                                                                _BINDING_KEY_TOPICS]}, start, head):
            touched.add(int.from_bytes(bytes(log["topics"][1]), "big"))
        known = {row[0] for row in self._db.execute("SELECT agent_id FROM agents")}
        for log in client.get_logs({"address": self.registry.address, "topics": [TRANSFER_TOPIC]}, start, head):
            agent_id = int.from_bytes(bytes(log["topics"][3]), "big")
            if agent_id in known:
                touched.add(agent_id)
        for agent_id in sorted(touched):
            self._check(agent_id)
        self._set_meta("scanned_to", str(head))
        return len(touched)

    def _check(self, agent_id: int) -> None:
        try:
            binding = self.registry.binding_of(agent_id)
        except BindingError as exc:
            self._db.execute(
                "INSERT INTO agents (agent_id, pubkey, owner, valid, reason) VALUES (?, NULL, NULL, 0, ?)"
                " ON CONFLICT(agent_id) DO UPDATE SET pubkey = NULL, owner = NULL, valid = 0, reason = excluded.reason",
                (agent_id, str(exc)),
            )
            return
        self._db.execute(
            "INSERT INTO agents (agent_id, pubkey, owner, valid, reason) VALUES (?, ?, ?, 1, NULL)"
            " ON CONFLICT(agent_id) DO UPDATE SET pubkey = excluded.pubkey, owner = excluded.owner, valid = 1,"
            " reason = NULL",
            (agent_id, binding.pubkey, binding.owner),
        )

    def cached(self, pubkey: bytes) -> int | None:
        """The agent of ``pubkey`` from the cache alone (the first valid agent registered for it)."""
        row = self._db.execute("SELECT MIN(agent_id) FROM agents WHERE pubkey = ? AND valid = 1", (pubkey,)).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def resolve(self, pubkey: bytes) -> int:
        """The agent id of a worker; refreshes from the chain on a cache miss."""
        agent_id = self.cached(pubkey)
        if agent_id is None:
            self.refresh()
            agent_id = self.cached(pubkey)
        if agent_id is None:
            raise UnknownWorker(f"worker ed25519:{pubkey.hex()} has no ERC-8004 agent with a valid binding on "
                                f"{self.registry.address}")
        return agent_id

    def resolve_many(self, pubkeys: Iterable[bytes]) -> dict[bytes, int | None]:
        """Agent ids for many workers (one refresh at most); None for unknown workers."""
        keys = list(pubkeys)
        if any(self.cached(k) is None for k in keys):
            self.refresh()
        return {k: self.cached(k) for k in keys}

    def rejected(self) -> dict[int, str]:
        """Agents that claimed a Dispatch binding which does not verify, with the reason."""
        return dict(self._db.execute("SELECT agent_id, reason FROM agents WHERE valid = 0").fetchall())
