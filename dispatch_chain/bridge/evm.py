"""Client of the Monad side of the bridge: BoltBridge and its WrappedBolt.

Every write is simulated first (``eth_estimateGas``), so a call the contract
would refuse raises its typed exception (:mod:`dispatch_chain.bridge.errors`)
before anything is signed; a transaction that reverts on chain anyway is
replayed at its block to name the error. Writes are split into
:meth:`EvmBoltBridge.prepare` (sign only) and the sender's broadcast/wait, so
the attester service can store a signed attestation before it can land.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, cast

from eth_typing import HexStr
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD
from web3.types import BlockIdentifier, TxReceipt

from dispatch_chain.bridge.errors import decode_revert
from dispatch_chain.bridge.message import BridgeMessage
from dispatch_chain.errors import ChainError, TransactionFailed
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import PreparedTx, TxSender
from dispatch_chain.hashing import keccak256

BRIDGE = "BoltBridge"
TOKEN = "WrappedBolt"
MESSAGE_SENT_TOPIC = "0x" + keccak256(b"MessageSent(uint64,bytes32,address,bytes)").hex()
OUTBOUND_QUEUED_TOPIC = "0x" + keccak256(b"OutboundTransferQueued(uint64,bytes32,address,uint256,bytes)").hex()
INBOUND_QUEUED_TOPIC = "0x" + keccak256(b"InboundTransferQueued(bytes32,address,uint64,uint256)").hex()
TRANSFER_MINTED_TOPIC = "0x" + keccak256(b"TransferMinted(bytes32,address,uint64,uint64)").hex()
#: Gas added to every estimate. WrappedBolt's votes are checkpointed by timestamp: a mint or burn in a
#: new second pushes new total-supply (and delegate) checkpoints, up to ~45k gas more than an estimate
#: made at the previous block's timestamp, where the same checkpoints are updated in place.
CHECKPOINT_HEADROOM = 50_000
#: Gas limit floor of an attestation. Which attestation completes the threshold, and so pays for the
#: mint (a new holder, new checkpoints: ~160k), is decided by the order attesters land in, not known
#: when one estimates: an estimate made below the threshold (~64k) would run out of gas if another
#: attester's transaction lands first. (Monad charges the limit: a few cents of gas per attestation.)
ATTEST_GAS_FLOOR = 220_000


class Direction(IntEnum):
    INBOUND = 0  # Solana -> Monad (mints)
    OUTBOUND = 1  # Monad -> Solana (burns)


class Status(IntEnum):
    NONE = 0
    QUEUED = 1
    EXECUTED = 2


@dataclass(frozen=True, slots=True)
class MessageState:
    """A digest's record on the Monad bridge."""

    status: Status
    attestations: int
    ready_at: int  # queued: earliest completion timestamp, else 0


@dataclass(frozen=True, slots=True)
class RateLimit:
    limit: int
    available: int


@dataclass(frozen=True, slots=True)
class BridgeConfig:
    token: str
    local_chain: bytes
    peer_chain: bytes
    peer_bridge: bytes
    threshold: int
    attesters: tuple[str, ...]
    next_sequence: int
    queue_delay: int
    inbound: RateLimit
    outbound: RateLimit
    paused: bool


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A message this bridge emitted (``MessageSent``) or queued (``OutboundTransferQueued``)."""

    message: BridgeMessage
    tx: str
    block: int
    queued: bool = False
    ready_at: int = 0

    @property
    def digest(self) -> bytes:
        return self.message.digest()


@dataclass(frozen=True, slots=True)
class QueuedInbound:
    digest: bytes
    recipient: str
    amount: int
    ready_at: int
    tx: str
    block: int


class EvmBoltBridge:
    """Reads and writes one BoltBridge (and reads its WrappedBolt)."""

    def __init__(self, client: EvmClient, address: str, *, deploy_block: int = 0) -> None:
        self.client = client
        self.address = Web3.to_checksum_address(address)
        self.deploy_block = deploy_block
        self.contract = client.contract(BRIDGE, self.address)
        self._token: Any = None

    # -- reads --------------------------------------------------------------------------

    @property
    def token(self) -> Any:
        """The WrappedBolt contract (web3), found through ``token()`` once."""
        if self._token is None:
            self._token = self.client.contract(TOKEN, self._read(self.contract.functions.token()))
        return self._token

    def _read(self, call: ContractFunction, block: int | str = "latest") -> Any:
        try:
            # a block number or a tag ("latest", "finalized"...); web3 types the tags as a Literal
            return call.call(block_identifier=cast(BlockIdentifier, block))
        except ContractLogicError as exc:
            raise decode_revert(exc.data if isinstance(exc.data, str) else None) or ChainError(
                f"{BRIDGE} call {call.fn_name} reverted: {exc}"
            ) from exc
        except (ValueError, OSError) as exc:
            raise ChainError(f"{BRIDGE} call {call.fn_name} at {self.address} failed: {exc}") from exc

    def config(self) -> BridgeConfig:
        f = self.contract.functions
        peer_chain, peer_bridge = self._read(f.peer())
        inbound, outbound = self._read(f.rateLimit(0)), self._read(f.rateLimit(1))
        return BridgeConfig(
            token=self.token.address,
            local_chain=bytes(self._read(f.localChain())),
            peer_chain=bytes(peer_chain),
            peer_bridge=bytes(peer_bridge),
            threshold=int(self._read(f.threshold())),
            attesters=tuple(self._read(f.attesters())),
            next_sequence=int(self._read(f.nextSequence())),
            queue_delay=int(self._read(f.queueDelay())),
            inbound=RateLimit(*map(int, inbound)),
            outbound=RateLimit(*map(int, outbound)),
            paused=bool(self._read(f.paused())),
        )

    def message_state(self, digest: bytes, block: int | str = "latest") -> MessageState:
        status, attestations, ready_at = self._read(self.contract.functions.messageStatus(digest), block)
        return MessageState(Status(status), int(attestations), int(ready_at))

    def has_attested(self, digest: bytes, attester: str, block: int | str = "latest") -> bool:
        return bool(self._read(self.contract.functions.hasAttested(digest, Web3.to_checksum_address(attester)), block))

    def is_attester(self, account: str) -> bool:
        return bool(self._read(self.contract.functions.isAttester(Web3.to_checksum_address(account))))

    def totals(self) -> tuple[int, int]:
        """``(minted, burned)`` base units since deployment."""
        minted, burned = self._read(self.contract.functions.totals())
        return int(minted), int(burned)

    def wrapped_supply(self) -> int:
        return int(self._read(self.token.functions.totalSupply()))

    def balance_of(self, account: str) -> int:
        return int(self._read(self.token.functions.balanceOf(Web3.to_checksum_address(account))))

    # -- writes -------------------------------------------------------------------------

    def prepare(
        self,
        sender: TxSender,
        call: ContractFunction,
        *,
        nonce: int | None = None,
        gas: int | None = None,
        min_gas: int = 0,
    ) -> PreparedTx:
        """Simulate and sign ``call``; a call the contract refuses raises its typed exception."""
        if gas is None:
            try:
                estimate = call.estimate_gas({"from": sender.address})
            except ContractLogicError as exc:
                data = exc.data if isinstance(exc.data, str) else None
                raise decode_revert(data) or TransactionFailed(
                    f"{BRIDGE} would revert: {exc}", reason=str(exc)
                ) from exc
            except (ValueError, OSError) as exc:
                raise ChainError(f"gas estimate for {BRIDGE}.{call.fn_name} failed: {exc}") from exc
            gas = max(int(estimate * sender.gas_margin) + CHECKPOINT_HEADROOM, min_gas)
        return sender.prepare(call, contract=BRIDGE, nonce=nonce, gas=gas)

    def confirm(
        self, sender: TxSender, call: ContractFunction, prepared: PreparedTx, *, timeout: float = 120.0
    ) -> TxReceipt:
        """Wait for ``prepared``; a revert raises the typed exception found by replaying ``call``."""
        receipt = sender.wait(prepared.tx_hash, timeout=timeout)
        if receipt["status"] != 1:
            raise self.revert_of(sender, call, receipt, prepared.tx_hash)
        return receipt

    def revert_of(self, sender: TxSender, call: ContractFunction, receipt: TxReceipt, tx: str) -> TransactionFailed:
        try:
            limit = int(self.client.w3.eth.get_transaction(HexStr(tx))["gas"])
        except Exception:
            limit = None
        if limit is not None and int(receipt["gasUsed"]) >= limit:
            return TransactionFailed(
                f"{BRIDGE} transaction {tx} ran out of gas (limit {limit})", reason="OutOfGas", tx=tx
            )
        try:
            call.call({"from": sender.address}, block_identifier=receipt["blockNumber"] - 1)
        except ContractLogicError as exc:
            typed = decode_revert(exc.data if isinstance(exc.data, str) else None, tx=tx)
            if typed is not None:
                return typed
            return TransactionFailed(f"{BRIDGE} reverted: {exc}", reason=str(exc), tx=tx)
        except Exception as exc:  # pruned state, RPC limits
            return TransactionFailed(f"{BRIDGE} transaction {tx} reverted (reason unavailable: {exc})", tx=tx)
        return TransactionFailed(f"{BRIDGE} transaction {tx} reverted (replay succeeded: state changed)", tx=tx)

    def transact(self, sender: TxSender, call: ContractFunction, *, timeout: float = 120.0) -> TxReceipt:
        prepared = self.prepare(sender, call)
        sender.broadcast(prepared)
        return self.confirm(sender, call, prepared, timeout=timeout)

    def attest_call(self, message: BridgeMessage | bytes) -> ContractFunction:
        return self.contract.functions.attest(_bytes(message))

    def prepare_attest(
        self, sender: TxSender, message: BridgeMessage | bytes, *, nonce: int | None = None
    ) -> PreparedTx:
        """Simulate and sign an attestation, with gas for the mint it may turn out to complete."""
        return self.prepare(sender, self.attest_call(message), nonce=nonce, min_gas=ATTEST_GAS_FLOOR)

    def attest(self, sender: TxSender, message: BridgeMessage | bytes, *, timeout: float = 120.0) -> TxReceipt:
        """Attest an inbound message as the sender (an attester); mints when it completes the threshold."""
        call = self.attest_call(message)
        prepared = self.prepare_attest(sender, message)
        sender.broadcast(prepared)
        return self.confirm(sender, call, prepared, timeout=timeout)

    def execute(self, sender: TxSender, message: BridgeMessage | bytes, *, timeout: float = 120.0) -> TxReceipt:
        return self.transact(sender, self.contract.functions.execute(_bytes(message)), timeout=timeout)

    def complete_queued(self, sender: TxSender, message: BridgeMessage | bytes, *, timeout: float = 120.0) -> TxReceipt:
        return self.transact(sender, self.contract.functions.completeQueued(_bytes(message)), timeout=timeout)

    def send_to_solana(
        self, sender: TxSender, amount: int, recipient: bytes, *, timeout: float = 120.0
    ) -> OutboundMessage:
        """Burn ``amount`` of the sender's wrapped BOLT; the emitted (or queued) outbound message."""
        receipt = self.transact(sender, self.contract.functions.sendToSolana(amount, recipient), timeout=timeout)
        found = self.outbound_in_receipt(receipt)
        if not found:
            raise ChainError(f"sendToSolana {receipt['transactionHash'].hex()} emitted no outbound message")
        return found[0]

    # -- events -------------------------------------------------------------------------

    def outbound_in_receipt(self, receipt: TxReceipt) -> list[OutboundMessage]:
        tx, block = "0x" + bytes(receipt["transactionHash"]).hex(), int(receipt["blockNumber"])
        events = self.contract.events
        found = [
            OutboundMessage(BridgeMessage.decode(bytes(e["args"]["message"])), tx, block)
            for e in events.MessageSent().process_receipt(receipt, errors=DISCARD)
        ]
        found += [
            OutboundMessage(
                BridgeMessage.decode(bytes(e["args"]["message"])),
                tx,
                block,
                queued=True,
                ready_at=int(e["args"]["readyAt"]),
            )
            for e in events.OutboundTransferQueued().process_receipt(receipt, errors=DISCARD)
        ]
        return found

    def outbound_messages(
        self, from_block: int, to_block: int, *, queued: bool = False, sequence_topic: str | None = None
    ) -> list[OutboundMessage]:
        """``MessageSent`` (or, with ``queued``, ``OutboundTransferQueued``) messages in a block range,
        optionally only the one whose indexed sequence is ``sequence_topic`` (a 32-byte 0x word)."""
        topic = OUTBOUND_QUEUED_TOPIC if queued else MESSAGE_SENT_TOPIC
        event = self.contract.events.OutboundTransferQueued() if queued else self.contract.events.MessageSent()
        topics: list[str | None] = [topic] if sequence_topic is None else [topic, sequence_topic]
        found = []
        for log in self.client.get_logs({"address": self.address, "topics": topics}, from_block, to_block):
            args = event.process_log(log)["args"]
            found.append(
                OutboundMessage(
                    BridgeMessage.decode(bytes(args["message"])),
                    "0x" + bytes(log["transactionHash"]).hex(),
                    int(log["blockNumber"]),
                    queued=queued,
                    ready_at=int(args.get("readyAt", 0)),
                )
            )
        return found

    def queued_inbound(self, from_block: int, to_block: int) -> list[QueuedInbound]:
        """``InboundTransferQueued`` events in a block range (the relayer completes them when due)."""
        event = self.contract.events.InboundTransferQueued()
        found = []
        for log in self.client.get_logs(
            {"address": self.address, "topics": [INBOUND_QUEUED_TOPIC]}, from_block, to_block
        ):
            args = event.process_log(log)["args"]
            found.append(
                QueuedInbound(
                    bytes(args["digest"]),
                    args["recipient"],
                    int(args["amount"]),
                    int(args["readyAt"]),
                    "0x" + bytes(log["transactionHash"]).hex(),
                    int(log["blockNumber"]),
                )
            )
        return found

    def message_of_queuing_tx(self, queued: QueuedInbound) -> BridgeMessage | None:
        """The message a queued inbound transfer carries, read from the call that queued it
        (``attest(message)`` or ``execute(message)``: its only argument); None if it does not match."""

        tx = self.client.w3.eth.get_transaction(HexStr(queued.tx))
        try:
            _function, args = self.contract.decode_function_input(tx["input"])
        except ValueError:
            return None
        raw = next((bytes(v) for v in args.values() if isinstance(v, bytes | bytearray)), None)
        if raw is None or keccak256(raw) != queued.digest:
            return None
        return BridgeMessage.decode(raw)

    def minted_in_receipt(self, receipt: TxReceipt) -> list[dict[str, Any]]:
        return [dict(e["args"]) for e in self.contract.events.TransferMinted().process_receipt(receipt, errors=DISCARD)]


def _bytes(message: BridgeMessage | bytes) -> bytes:
    return message.encode() if isinstance(message, BridgeMessage) else bytes(message)
