"""The Monad halves of the attester service: BoltBridge as a message source, as a destination, and its relayer.

- :class:`EvmMessageSource`: ``MessageSent`` events of a BoltBridge, final once
  they have ``confirmations`` blocks (the profile's setting; 1 means the
  including block itself, 0 the head).
- :class:`EvmAttestationTarget`: ``BoltBridge.attest`` from one attester key.
- :class:`EvmRelayer`: completes queued transfers of a BoltBridge once due
  (inbound ones with the message bytes from the attester's store, or else
  from the calldata of the transaction that queued them; outbound ones with
  the bytes their ``OutboundTransferQueued`` event carries).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from web3.logs import DISCARD

from dispatch_chain.bridge import errors
from dispatch_chain.bridge.attester import AttestationSpent, SignedAttestation, Verdict
from dispatch_chain.bridge.evm import EvmBoltBridge, Status
from dispatch_chain.bridge.message import BridgeMessage
from dispatch_chain.bridge.store import AttesterStore, Observed
from dispatch_chain.errors import ChainError, DispatchChainError, TransactionFailed
from dispatch_chain.evm.transactions import PreparedTx, TxSender

log = logging.getLogger(__name__)

#: refusals that mean the destination will never accept the message as it is
PERMANENT = (
    errors.InvalidMessageLength,
    errors.UnsupportedMessage,
    errors.WrongDestinationChain,
    errors.WrongSourceChain,
    errors.WrongSourceBridge,
    errors.ZeroAmount,
    errors.MalformedRecipient,
    errors.UnknownAttester,
)


class EvmMessageSource:
    """Outbound messages of a BoltBridge at a safety depth of ``confirmations`` blocks."""

    def __init__(self, bridge: EvmBoltBridge, *, confirmations: int | None = None) -> None:
        self.bridge = bridge
        self.confirmations = bridge.client.network.confirmations if confirmations is None else confirmations

    @property
    def name(self) -> str:
        return f"{self.bridge.client.caip2}/{self.bridge.address}"

    @property
    def start_block(self) -> int:
        return self.bridge.deploy_block

    def safe_head(self) -> int:
        """The newest block with at least ``confirmations`` confirmations (the including block counts)."""
        try:
            head = self.bridge.client.w3.eth.block_number
        except Exception as exc:  # connection errors
            raise ChainError(f"cannot read the head of {self.bridge.client.caip2}: {exc}") from exc
        return head - max(self.confirmations - 1, 0)

    def messages(self, from_block: int, to_block: int) -> list[Observed]:
        return [Observed(m.message, m.tx, m.block) for m in self.bridge.outbound_messages(from_block, to_block)]


class EvmAttestationTarget:
    """Attestations to a BoltBridge from one attester account."""

    def __init__(self, bridge: EvmBoltBridge, sender: TxSender) -> None:
        self.bridge = bridge
        self.sender = sender

    @property
    def attester(self) -> str:
        return self.sender.address

    def settled(self, message: BridgeMessage) -> str | None:
        digest = message.digest()
        state = self.bridge.message_state(digest)
        if state.status is Status.EXECUTED:
            return "executed"
        if state.status is Status.QUEUED:
            return "queued"
        if self.bridge.has_attested(digest, self.attester):
            return "attested"
        return None

    def prepare(self, message: BridgeMessage) -> SignedAttestation:
        prepared = self.bridge.prepare_attest(self.sender, message)
        return SignedAttestation(prepared.tx_hash, prepared.raw, prepared.nonce)

    def _prepared(self, signed: SignedAttestation) -> PreparedTx:
        return PreparedTx(signed.tx, signed.raw, signed.nonce or 0, self.sender.address)

    def broadcast(self, signed: SignedAttestation) -> None:
        self.sender.broadcast(self._prepared(signed))

    def can_land(self, signed: SignedAttestation) -> bool:
        if self.sender.is_known(signed.tx):
            return True
        used = self.bridge.client.w3.eth.get_transaction_count(self.sender.address, "latest")
        return signed.nonce is None or used <= signed.nonce

    def confirm(self, message: BridgeMessage, signed: SignedAttestation, *, timeout: float) -> str:
        try:
            receipt = self.bridge.confirm(
                self.sender, self.bridge.attest_call(message), self._prepared(signed), timeout=timeout
            )
        except TransactionFailed as exc:
            if exc.tx is None:  # not mined (a timeout, node trouble): the same bytes may still land
                raise
            reason = self.settled(message)  # mined and reverted: its nonce is spent either way
            if reason is not None:
                return f"already {reason}"
            raise AttestationSpent(f"{signed.tx} reverted ({exc}); the attestation must be signed anew") from exc
        if self.bridge.minted_in_receipt(receipt):
            return "attested: minted"
        events = self.bridge.contract.events.InboundTransferQueued().process_receipt(receipt, errors=DISCARD)
        return "attested: queued" if events else "attested"

    def classify(self, error: Exception) -> Verdict:
        if isinstance(error, errors.SETTLED_FOR_ATTESTER):
            return "settled"
        if isinstance(error, PERMANENT):
            return "permanent"
        return "transient"


@dataclass
class RelayStats:
    found: int = 0
    completed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


class EvmRelayer:
    """Completes a BoltBridge's queued transfers once their delay has passed (anyone may)."""

    def __init__(self, bridge: EvmBoltBridge, sender: TxSender, store: AttesterStore) -> None:
        self.bridge = bridge
        self.sender = sender
        self.store = store

    @property
    def name(self) -> str:
        return f"relay:{self.bridge.client.caip2}/{self.bridge.address}"

    def scan(self) -> int:
        """Record the transfers queued since the last scan."""
        start = self.store.cursor(self.name)
        start = self.bridge.deploy_block if start is None else start
        head = self.bridge.client.w3.eth.block_number
        if start > head:
            return 0
        entries: list[tuple[BridgeMessage, int]] = []
        for queued in self.bridge.queued_inbound(start, head):
            # the store's copy, else the bytes of the call that queued it: a queue this attester did not
            # complete (the others reached the threshold first) must not be skipped for good
            message = self.store.message_of(queued.digest) or self.bridge.message_of_queuing_tx(queued)
            if message is None:
                log.warning("queued inbound 0x%s: its message cannot be recovered", queued.digest.hex())
                continue
            entries.append((message, queued.ready_at))
        entries += [(m.message, m.ready_at) for m in self.bridge.outbound_messages(start, head, queued=True)]
        self.store.record_queued(self.name, entries, head + 1)
        return len(entries)

    def complete_due(self) -> RelayStats:
        stats = RelayStats()
        now = int(self.bridge.client.w3.eth.get_block("latest")["timestamp"])
        for message, _ready_at in self.store.due_queued(now):
            digest = message.digest()
            try:
                self.bridge.complete_queued(self.sender, message)
            except (errors.NotQueued, errors.AlreadyExecuted):
                self.store.record_completed(digest, "already completed")
                stats.skipped += 1
                continue
            except DispatchChainError as exc:  # delay not over by the node's clock, paused, node trouble
                stats.errors.append(f"0x{digest.hex()}: {exc}")
                continue
            self.store.record_completed(digest, "completed")
            stats.completed += 1
        return stats

    def run_once(self) -> RelayStats:
        found = self.scan()
        stats = self.complete_due()
        stats.found = found
        return stats
