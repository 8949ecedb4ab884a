"""The Solana side of the BOLT bridge (dispatch_bridge): messages, reads, instructions, calls.

Message v1 (docs/bridge.md) is 178 packed big-endian bytes; its digest is
keccak256 of them. ``lock`` sends BOLT towards Monad (the outbound record
``["outbound", sequence]`` is what Monad's attesters read); ``attest`` is one
attester's vote for an inbound message (the one reaching the threshold
releases, or queues over the inbound limit); ``complete_queued`` releases a
queued message after its delay. Program errors surface as the typed
exceptions of :mod:`dispatch_chain.solana.errors` (``RateLimited``,
``DuplicateAttestation``, ``AlreadyExecuted``, ``NotDue``, ...).

Instruction builders (``*_instruction``) are pure and need no connection;
the methods without the suffix send through :class:`SolanaClient`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import Enum
from typing import Any

from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import DeploymentNotFound, DispatchChainError
from dispatch_chain.hashing import keccak256
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM, AccountData, SolanaClient
from dispatch_chain.solana.errors import ForeignAccount
from dispatch_chain.solana.idl import EnumValue
from dispatch_chain.solana.programs import SYSTEM_PROGRAM, IdlProgram

MESSAGE_VERSION = 1
KIND_TOKEN_TRANSFER = 1
MESSAGE_LEN = 178
MAX_ATTESTERS = 8
U64_MAX = 2**64 - 1
ASSOCIATED_TOKEN_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
BPF_LOADER_UPGRADEABLE = Pubkey.from_string("BPFLoaderUpgradeab1e11111111111111111111111")


class BridgeInputError(DispatchChainError, ValueError):
    """A bridge argument that cannot be encoded (wrong length, out of range): raised before any transaction."""


def chain_id(caip2: str) -> bytes:
    """The 32-byte chain id of a CAIP-2 id: keccak256 of its UTF-8 (``eip155:10143``, ``solana:<genesis prefix>``)."""
    return keccak256(caip2.encode("utf-8"))


def evm_address_bytes(address: str | bytes) -> bytes:
    """The 20 bytes of an EVM address (``0x`` + 40 hex digits, or 20 bytes)."""
    if isinstance(address, str):
        text = address[2:] if address.lower().startswith("0x") else address
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise BridgeInputError(f"EVM address {address!r}: not hex") from None
    else:
        raw = bytes(address)
    if len(raw) != 20:
        raise BridgeInputError(f"EVM address: expected 20 bytes, got {len(raw)}")
    return raw


def pad_evm_address(address: str | bytes) -> bytes:
    """An EVM address as a message field: 12 zero bytes, then its 20 bytes."""
    return bytes(12) + evm_address_bytes(address)


def _bytes32(name: str, value: bytes | Pubkey) -> bytes:
    raw = bytes(value)
    if len(raw) != 32:
        raise BridgeInputError(f"{name}: expected 32 bytes, got {len(raw)}")
    return raw


def _u64(name: str, value: int) -> int:
    if not 0 <= value <= U64_MAX:
        raise BridgeInputError(f"{name}: {value} is outside u64")
    return value


@dataclass(frozen=True, slots=True)
class BridgeMessage:
    """One bridge message, field by field (docs/bridge.md)."""

    version: int
    kind: int
    source_chain: bytes
    source_bridge: bytes
    sequence: int
    amount: int
    sender: bytes
    recipient: bytes
    destination_chain: bytes

    def __post_init__(self) -> None:
        for name in ("source_chain", "source_bridge", "sender", "recipient", "destination_chain"):
            object.__setattr__(self, name, _bytes32(name, getattr(self, name)))
        if not (0 <= self.version <= 255 and 0 <= self.kind <= 255):
            raise BridgeInputError("version and kind are single bytes")
        _u64("sequence", self.sequence)
        _u64("amount", self.amount)

    def encode(self) -> bytes:
        """The 178-byte packed big-endian encoding."""
        return (
            bytes([self.version, self.kind])
            + self.source_chain
            + self.source_bridge
            + struct.pack(">QQ", self.sequence, self.amount)
            + self.sender
            + self.recipient
            + self.destination_chain
        )

    @property
    def digest(self) -> bytes:
        return keccak256(self.encode())

    @classmethod
    def decode(cls, data: bytes) -> BridgeMessage:
        if len(data) != MESSAGE_LEN:
            raise BridgeInputError(f"a bridge message is {MESSAGE_LEN} bytes, got {len(data)}")
        sequence, amount = struct.unpack(">QQ", data[66:82])
        return cls(
            data[0], data[1], data[2:34], data[34:66], sequence, amount, data[82:114], data[114:146], data[146:178]
        )

    @classmethod
    def from_idl(cls, value: Any) -> BridgeMessage:
        """From the IDL coder's decoded ``BridgeMessage`` (an account field or an event)."""
        return cls(
            value.version,
            value.kind,
            bytes(value.source_chain),
            bytes(value.source_bridge),
            value.sequence,
            value.amount,
            bytes(value.sender),
            bytes(value.recipient),
            bytes(value.destination_chain),
        )

    def to_idl(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "kind": self.kind,
            "source_chain": list(self.source_chain),
            "source_bridge": list(self.source_bridge),
            "sequence": self.sequence,
            "amount": self.amount,
            "sender": list(self.sender),
            "recipient": list(self.recipient),
            "destination_chain": list(self.destination_chain),
        }

    @property
    def recipient_pubkey(self) -> Pubkey:
        return Pubkey.from_bytes(self.recipient)


class InboundStatus(Enum):
    PENDING = "Pending"
    QUEUED = "Queued"
    EXECUTED = "Executed"


@dataclass(frozen=True, slots=True)
class RateLimit:
    capacity: int
    level: int
    last_update: int

    def available(self, now: int) -> int:
        """The capacity available at unix time ``now`` (as the program computes it)."""
        elapsed = max(0, now - self.last_update)
        return min(self.capacity, self.level + self.capacity * elapsed // 86_400)


@dataclass(frozen=True, slots=True)
class BridgeConfig:
    address: Pubkey
    admin: Pubkey
    pending_admin: Pubkey | None
    pauser: Pubkey
    paused: bool
    mint: Pubkey
    custody: Pubkey
    chain_id: bytes
    peer_chain_id: bytes
    peer_bridge: bytes
    attesters: tuple[Pubkey, ...]
    threshold: int
    next_sequence: int
    outbound_limit: RateLimit
    inbound_limit: RateLimit
    queue_delay: int


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    address: Pubkey
    message: BridgeMessage
    digest: bytes
    slot: int
    locked_at: int
    signature: str | None = None  # the lock transaction, when this client sent it


@dataclass(frozen=True, slots=True)
class InboundRecord:
    address: Pubkey
    message: BridgeMessage
    digest: bytes
    attesters: tuple[Pubkey, ...]
    status: InboundStatus
    release_after: int


@dataclass(frozen=True, slots=True)
class InitParams:
    """What ``initialize`` configures (docs/bridge-solana.md)."""

    pauser: Pubkey
    chain_id: bytes
    peer_chain_id: bytes
    peer_bridge: bytes  # the Monad BoltBridge, padded (pad_evm_address)
    attesters: tuple[Pubkey, ...]
    threshold: int
    outbound_capacity: int
    inbound_capacity: int
    queue_delay: int

    def to_idl(self) -> dict[str, Any]:
        return {
            "pauser": self.pauser,
            "chain_id": list(_bytes32("chain_id", self.chain_id)),
            "peer_chain_id": list(_bytes32("peer_chain_id", self.peer_chain_id)),
            "peer_bridge": list(_bytes32("peer_bridge", self.peer_bridge)),
            "attesters": list(self.attesters),
            "threshold": self.threshold,
            "outbound_capacity": _u64("outbound_capacity", self.outbound_capacity),
            "inbound_capacity": _u64("inbound_capacity", self.inbound_capacity),
            "queue_delay": self.queue_delay,
        }


def _rate_limit(value: Any) -> RateLimit:
    return RateLimit(value.capacity, value.level, value.last_update)


def _status(value: EnumValue) -> InboundStatus:
    return InboundStatus(value.name)


class BridgeClient:
    """Instructions and reads of dispatch_bridge."""

    def __init__(self, client: SolanaClient | None, program: IdlProgram) -> None:
        self.client = client
        self.program = program
        self.config_address = program.pda(b"config")
        self.custody_address = program.pda(b"custody")
        self.program_data_address = Pubkey.find_program_address([bytes(program.program_id)], BPF_LOADER_UPGRADEABLE)[0]
        if client is not None:
            client.idl_errors[str(program.program_id)] = program.errors

    def _client(self) -> SolanaClient:
        if self.client is None:
            raise DispatchChainError("this BridgeClient only builds instructions: give it a SolanaClient")
        return self.client

    # -- addresses ----------------------------------------------------------------------------

    def outbound_address(self, sequence: int) -> Pubkey:
        return self.program.pda(b"outbound", struct.pack("<Q", _u64("sequence", sequence)))

    def inbound_address(self, digest: bytes) -> Pubkey:
        return self.program.pda(b"inbound", _bytes32("digest", digest))

    # -- reads ----------------------------------------------------------------------------------

    def decode_config(self, data: bytes) -> BridgeConfig:
        c = self.program.decode("BridgeConfig", data)
        return BridgeConfig(
            self.config_address,
            c.admin,
            c.pending_admin,
            c.pauser,
            c.paused,
            c.mint,
            c.custody,
            bytes(c.chain_id),
            bytes(c.peer_chain_id),
            bytes(c.peer_bridge),
            tuple(c.attesters),
            c.threshold,
            c.next_sequence,
            _rate_limit(c.outbound_limit),
            _rate_limit(c.inbound_limit),
            c.queue_delay,
        )

    def decode_outbound(self, address: Pubkey, data: bytes) -> OutboundRecord:
        r = self.program.decode("OutboundMessage", data)
        return OutboundRecord(address, BridgeMessage.from_idl(r.message), bytes(r.digest), r.slot, r.locked_at)

    def decode_inbound(self, address: Pubkey, data: bytes) -> InboundRecord:
        r = self.program.decode("InboundMessage", data)
        return InboundRecord(
            address,
            BridgeMessage.from_idl(r.message),
            bytes(r.digest),
            tuple(r.attesters),
            _status(r.status),
            r.release_after,
        )

    def config(self, *, commitment: str | None = None) -> BridgeConfig:
        """The config (at ``commitment``, default the network's); DeploymentNotFound before initialize."""
        found = self._client().account(self.config_address, commitment=commitment)
        config = self.program.read("BridgeConfig", found)
        if config is None:
            raise DeploymentNotFound(f"dispatch_bridge at {self.program.program_id} is not initialised")
        assert found is not None
        return self.decode_config(found.data)

    def outbound(self, sequence: int, *, commitment: str | None = None) -> OutboundRecord | None:
        address = self.outbound_address(sequence)
        return self._outbound(self._client().account(address, commitment=commitment))

    def _outbound(self, found: AccountData | None) -> OutboundRecord | None:
        """An outbound record, or None for no account (or only lamports at its address)."""
        if self.program.read("OutboundMessage", found) is None:
            return None
        assert found is not None
        return self.decode_outbound(found.pubkey, found.data)

    def outbound_range(self, start: int, stop: int, *, commitment: str | None = None) -> list[OutboundRecord]:
        """The outbound records of sequences ``start..stop`` that exist, in batched reads."""
        addresses = [self.outbound_address(s) for s in range(start, stop)]
        found = self._client().accounts(addresses, commitment=commitment)
        return [r for r in (self._outbound(a) for a in found) if r is not None]

    def inbound(self, digest: bytes, *, commitment: str | None = None) -> InboundRecord | None:
        found = self._client().account(self.inbound_address(digest), commitment=commitment)
        if self.program.read("InboundMessage", found) is None:
            return None
        assert found is not None
        return self.decode_inbound(found.pubkey, found.data)

    def inbound_records(self, *, commitment: str | None = None) -> list[InboundRecord]:
        """Every inbound record (one per Monad message attested at least once), via getProgramAccounts."""
        client = self._client()
        found = client.program_accounts(
            self.program.program_id, self.program.discriminator("InboundMessage"), commitment=commitment
        )
        return [self.decode_inbound(a.pubkey, a.data) for a in found if self.program.read("InboundMessage", a)]

    def custody_balance(self, *, commitment: str | None = None) -> int:
        """BOLT (base units) in the custody vault at ``commitment``; 0 before initialize."""
        found = self._client().account(self.custody_address, commitment=commitment)
        if found is None or found.holds_only_lamports:
            return 0
        if found.owner != TOKEN_PROGRAM or len(found.data) < 72:
            raise ForeignAccount(
                f"{self.custody_address} is not an SPL Token account",
                address=str(self.custody_address),
                expected="SPL Token account",
            )
        return int(struct.unpack_from("<Q", found.data, 64)[0])

    # -- instructions (pure) ----------------------------------------------------------------

    def initialize_instruction(self, admin: Pubkey, mint: Pubkey, params: InitParams) -> Instruction:
        return self.program.instruction(
            "initialize",
            params.to_idl(),
            accounts={
                "admin": admin,
                "config": self.config_address,
                "mint": mint,
                "custody": self.custody_address,
                "program": self.program.program_id,
                "program_data": self.program_data_address,
                "token_program": TOKEN_PROGRAM,
                "system_program": SYSTEM_PROGRAM,
            },
        )

    def lock_instruction(
        self,
        sender: Pubkey,
        amount: int,
        evm_recipient: str | bytes,
        *,
        sequence: int,
        mint: Pubkey,
        sender_token: Pubkey | None = None,
    ) -> Instruction:
        return self.program.instruction(
            "lock",
            _u64("amount", amount),
            list(evm_address_bytes(evm_recipient)),
            accounts={
                "sender": sender,
                "config": self.config_address,
                "outbound": self.outbound_address(sequence),
                "sender_token": sender_token or associated_token_account(sender, mint),
                "custody": self.custody_address,
                "mint": mint,
                "token_program": TOKEN_PROGRAM,
                "system_program": SYSTEM_PROGRAM,
            },
        )

    def _release_accounts(self, recipient: Pubkey, mint: Pubkey) -> dict[str, Pubkey]:
        return {
            "custody": self.custody_address,
            "mint": mint,
            "recipient": recipient,
            "recipient_token": associated_token_account(recipient, mint),
            "token_program": TOKEN_PROGRAM,
            "associated_token_program": ASSOCIATED_TOKEN_PROGRAM,
            "system_program": SYSTEM_PROGRAM,
        }

    def attest_instruction(self, attester: Pubkey, message: BridgeMessage, *, mint: Pubkey) -> Instruction:
        return self.program.instruction(
            "attest",
            message.to_idl(),
            accounts={
                "attester": attester,
                "config": self.config_address,
                "inbound": self.inbound_address(message.digest),
                **self._release_accounts(message.recipient_pubkey, mint),
            },
        )

    def complete_queued_instruction(self, payer: Pubkey, message: BridgeMessage, *, mint: Pubkey) -> Instruction:
        return self.program.instruction(
            "complete_queued",
            list(message.digest),
            accounts={
                "payer": payer,
                "config": self.config_address,
                "inbound": self.inbound_address(message.digest),
                **self._release_accounts(message.recipient_pubkey, mint),
            },
        )

    def _admin(self, name: str, signer: Pubkey, *args: Any, role: str = "admin") -> Instruction:
        return self.program.instruction(name, *args, accounts={role: signer, "config": self.config_address})

    def pause_instruction(self, authority: Pubkey) -> Instruction:
        return self._admin("pause", authority, role="authority")

    def unpause_instruction(self, admin: Pubkey) -> Instruction:
        return self._admin("unpause", admin)

    def set_attesters_instruction(self, admin: Pubkey, attesters: list[Pubkey]) -> Instruction:
        if not 1 <= len(attesters) <= MAX_ATTESTERS:
            raise BridgeInputError(f"1 to {MAX_ATTESTERS} attesters, got {len(attesters)}")
        return self._admin("set_attesters", admin, list(attesters))

    def set_threshold_instruction(self, admin: Pubkey, threshold: int) -> Instruction:
        return self._admin("set_threshold", admin, threshold)

    def set_limits_instruction(
        self, admin: Pubkey, outbound_capacity: int, inbound_capacity: int, queue_delay: int
    ) -> Instruction:
        return self._admin(
            "set_limits",
            admin,
            _u64("outbound_capacity", outbound_capacity),
            _u64("inbound_capacity", inbound_capacity),
            queue_delay,
        )

    def set_pauser_instruction(self, admin: Pubkey, pauser: Pubkey) -> Instruction:
        return self._admin("set_pauser", admin, pauser)

    def propose_admin_instruction(self, admin: Pubkey, new_admin: Pubkey) -> Instruction:
        return self._admin("propose_admin", admin, new_admin)

    def accept_admin_instruction(self, new_admin: Pubkey) -> Instruction:
        return self._admin("accept_admin", new_admin, role="new_admin")

    # -- calls ------------------------------------------------------------------------------------

    def initialize(self, admin: Keypair, mint: Pubkey, params: InitParams) -> str:
        """Initialise (the signer must be the program's upgrade authority)."""
        return self._client().send([self.initialize_instruction(admin.pubkey(), mint, params)], [admin])[0]

    def lock(
        self, sender: Keypair, amount: int, evm_recipient: str | bytes, *, sender_token: Pubkey | None = None
    ) -> OutboundRecord:
        """Lock ``amount`` of the sender's BOLT for ``evm_recipient`` on Monad; returns the outbound record.

        The record's address depends on the next sequence: a lock racing another
        one for the same sequence fails Anchor's ConstraintSeeds and is retried once
        with the new sequence.
        """
        from dispatch_chain.solana.errors import AnchorConstraintError

        client = self._client()
        for attempt in range(2):
            config = self.config()
            ix = self.lock_instruction(
                sender.pubkey(),
                amount,
                evm_recipient,
                sequence=config.next_sequence,
                mint=config.mint,
                sender_token=sender_token,
            )
            try:
                signature, _ = client.send([ix], [sender])
            except AnchorConstraintError as exc:
                if exc.name == "ConstraintSeeds" and attempt == 0:
                    continue
                raise
            record = self.outbound(config.next_sequence)
            assert record is not None, "the lock landed, so its record exists"
            return OutboundRecord(
                record.address, record.message, record.digest, record.slot, record.locked_at, signature
            )
        raise AssertionError("unreachable")

    def attest(self, attester: Keypair, message: BridgeMessage) -> InboundRecord:
        """Send one attester's attestation; returns the record after it (status tells released or queued)."""
        mint = self.config().mint
        self._client().send([self.attest_instruction(attester.pubkey(), message, mint=mint)], [attester])
        record = self.inbound(message.digest)
        assert record is not None
        return record

    def complete_queued(self, payer: Keypair, message: BridgeMessage) -> str:
        """Release a queued inbound message once due (anyone may)."""
        mint = self.config().mint
        return self._client().send([self.complete_queued_instruction(payer.pubkey(), message, mint=mint)], [payer])[0]

    def pause(self, authority: Keypair) -> str:
        return self._client().send([self.pause_instruction(authority.pubkey())], [authority])[0]

    def unpause(self, admin: Keypair) -> str:
        return self._client().send([self.unpause_instruction(admin.pubkey())], [admin])[0]

    def set_attesters(self, admin: Keypair, attesters: list[Pubkey]) -> str:
        return self._client().send([self.set_attesters_instruction(admin.pubkey(), attesters)], [admin])[0]

    def set_threshold(self, admin: Keypair, threshold: int) -> str:
        return self._client().send([self.set_threshold_instruction(admin.pubkey(), threshold)], [admin])[0]

    def set_limits(self, admin: Keypair, outbound_capacity: int, inbound_capacity: int, queue_delay: int) -> str:
        ix = self.set_limits_instruction(admin.pubkey(), outbound_capacity, inbound_capacity, queue_delay)
        return self._client().send([ix], [admin])[0]

    def set_pauser(self, admin: Keypair, pauser: Pubkey) -> str:
        return self._client().send([self.set_pauser_instruction(admin.pubkey(), pauser)], [admin])[0]

    def propose_admin(self, admin: Keypair, new_admin: Pubkey) -> str:
        return self._client().send([self.propose_admin_instruction(admin.pubkey(), new_admin)], [admin])[0]

    def accept_admin(self, new_admin: Keypair) -> str:
        return self._client().send([self.accept_admin_instruction(new_admin.pubkey())], [new_admin])[0]
