"""The Solana halves of the attester service: dispatch_bridge as a message source, as a destination, and its relayer.

- :class:`SolanaMessageSource`: the lock messages of dispatch_bridge, read at
  ``finalized`` (the outbound records ``["outbound", sequence]``). Its
  position is the outbound *sequence*, not a slot: the safe head is the last
  sequence the finalized config has handed out, and a range of sequences is
  one batched read of their records at ``finalized``. A lock that is only
  processed or confirmed is therefore invisible to it, however long it waits.
- :class:`SolanaAttestationTarget`: ``dispatch_bridge::attest`` from one
  attester keypair. The signed transaction is what the store keeps; it can
  land as long as its blockhash is valid (``SignedAttestation.nonce`` holds
  the blockhash's last valid block height: Solana has no nonce), and
  re-sending the same bytes is harmless (same signature).
- :class:`SolanaRelayer`: completes the inbound transfers dispatch_bridge
  queued over its limit once they are due (anyone may); the program's
  inbound record holds the message, so it needs no store.
"""

from __future__ import annotations

import logging
import time

from solana.rpc.commitment import Commitment
from solders.keypair import Keypair
from solders.signature import Signature
from solders.transaction import Transaction

from dispatch_chain.bridge.attester import AttestationSpent, SignedAttestation, Verdict
from dispatch_chain.bridge.evm_attester import RelayStats
from dispatch_chain.bridge.message import BridgeMessage
from dispatch_chain.bridge.store import Observed
from dispatch_chain.connect import Connections
from dispatch_chain.errors import ChainError, DeploymentNotFound, DispatchChainError, TransactionFailed
from dispatch_chain.localnet import rpc_call
from dispatch_chain.solana import errors as E
from dispatch_chain.solana.bridge import BridgeClient, InboundStatus
from dispatch_chain.solana.bridge import BridgeMessage as SolanaMessage
from dispatch_chain.solana.client import PreparedTx

log = logging.getLogger(__name__)

#: the commitment a lock must reach before it is attested (docs/bridge.md: finalized on Solana)
SAFE_COMMITMENT = "finalized"

#: refusals that settle the message for this attester: nothing left to do
SETTLED = (E.DuplicateAttestation, E.AlreadyExecuted)
#: refusals that mean the program will never accept the message as it is
PERMANENT = (
    E.UnsupportedVersion,
    E.UnsupportedKind,
    E.WrongChain,
    E.WrongSourceChain,
    E.WrongSourceBridge,
    E.ZeroAmount,
    E.MalformedRecipient,
    E.UnknownAttester,
)


def to_solana_message(message: BridgeMessage) -> SolanaMessage:
    """The same 178 bytes as dispatch_chain.solana.bridge's message type."""
    return SolanaMessage.decode(message.encode())


def from_solana_message(message: SolanaMessage) -> BridgeMessage:
    return BridgeMessage.decode(message.encode())


class SolanaMessageSource:
    """Lock messages of dispatch_bridge, final at ``commitment`` (``finalized`` unless a test says otherwise)."""

    def __init__(self, bridge: BridgeClient, *, commitment: str = SAFE_COMMITMENT, batch: int = 100) -> None:
        self.bridge = bridge
        self.commitment = commitment
        self.batch = batch

    @property
    def _client(self):  # -> SolanaClient
        assert self.bridge.client is not None, "a message source reads: give BridgeClient a SolanaClient"
        return self.bridge.client

    @property
    def name(self) -> str:
        return f"{self._client.caip2}/{self.bridge.program.program_id}"

    @property
    def start_block(self) -> int:
        """Sequences start at 0."""
        return 0

    def safe_head(self) -> int:
        """The last sequence handed out by the config as of ``commitment`` (-1 before the first lock)."""
        try:
            return self.bridge.config(commitment=self.commitment).next_sequence - 1
        except DeploymentNotFound:
            return -1  # initialised, but not yet at this commitment
        except DispatchChainError:
            raise
        except Exception as exc:  # connection errors
            raise ChainError(f"cannot read dispatch_bridge's config on {self._client.network.rpc_url}: {exc}") from exc

    def messages(self, from_block: int, to_block: int) -> list[Observed]:
        """The lock messages of sequences ``from_block..to_block``, read at ``commitment``."""
        found: list[Observed] = []
        for start in range(from_block, to_block + 1, self.batch):
            stop = min(to_block + 1, start + self.batch)
            records = self.bridge.outbound_range(start, stop, commitment=self.commitment)
            if len(records) != stop - start:
                have = {r.message.sequence for r in records}
                missing = [s for s in range(start, stop) if s not in have]
                raise ChainError(
                    f"outbound records {missing} are missing at {self.commitment} below the config's sequence"
                )
            found += [Observed(from_solana_message(r.message), None, r.slot) for r in records]
        return found


class SolanaAttestationTarget:
    """Attestations to dispatch_bridge from one attester keypair."""

    def __init__(self, bridge: BridgeClient, attester: Keypair) -> None:
        assert bridge.client is not None, "a target sends: give BridgeClient a SolanaClient"
        self.bridge = bridge
        self.client = bridge.client
        self.keypair = attester

    @property
    def attester(self) -> str:
        return str(self.keypair.pubkey())

    def settled(self, message: BridgeMessage) -> str | None:
        record = self.bridge.inbound(message.digest())
        if record is None:
            return None
        if record.status is InboundStatus.EXECUTED:
            return "executed"
        if self.keypair.pubkey() in record.attesters:
            return "attested"
        if record.status is InboundStatus.QUEUED:
            return "queued"
        return None

    def prepare(self, message: BridgeMessage) -> SignedAttestation:
        """Sign the attestation after a simulation, so a refusal raises the program's typed error now."""
        mint = self.bridge.config().mint
        ix = self.bridge.attest_instruction(self.keypair.pubkey(), to_solana_message(message), mint=mint)
        self.client.simulate([ix], self.keypair.pubkey())
        prepared = self.client.prepare([ix], [self.keypair])
        # no nonce on Solana: the slot keeps the blockhash's last valid block height instead
        return SignedAttestation(prepared.signature, prepared.raw, prepared.last_valid_block_height)

    def _prepared(self, signed: SignedAttestation) -> PreparedTx:
        return PreparedTx(signed.tx, signed.raw, signed.nonce or 0, (str(self.bridge.program.program_id),))

    def broadcast(self, signed: SignedAttestation) -> None:
        try:
            self.client.broadcast(self._prepared(signed), preflight=False)
        except TransactionFailed:
            raise
        except DispatchChainError as exc:  # already processed: the same bytes landed before
            log.debug("re-sending %s: %s", signed.tx, exc)

    def can_land(self, signed: SignedAttestation) -> bool:
        """Landed already, or its blockhash is still valid (the newest block height is not past its last one)."""
        known, _ = self.client.status(signed.tx)
        if known is not None:
            return True
        if signed.nonce is None:  # stored without its last valid height: ask for the blockhash itself
            blockhash = Transaction.from_bytes(signed.raw).message.recent_blockhash
            answer = rpc_call(
                self.client.network.rpc_url, "isBlockhashValid", [str(blockhash), {"commitment": "processed"}]
            )
            return bool(answer["value"])
        return int(self.client.rpc.get_block_height(Commitment("processed")).value) <= signed.nonce

    def confirm(self, message: BridgeMessage, signed: SignedAttestation, *, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            value = self.client.rpc.get_signature_statuses(
                [Signature.from_string(signed.tx)], search_transaction_history=True
            ).value[0]
            if value is not None and value.err is not None:
                failure = self.client.failure_of(self._prepared(signed), value.err)
                reason = self.settled(message)
                if reason is not None:
                    return f"already {reason}"
                if isinstance(failure, SETTLED + PERMANENT):
                    raise failure
                raise AttestationSpent(f"{signed.tx} failed ({failure}); the attestation must be signed again")
            if value is not None and str(value.confirmation_status).split(".")[-1].lower() in (
                "confirmed",
                "finalized",
            ):
                break
            if value is None and not self.can_land(signed):
                raise AttestationSpent(f"{signed.tx} expired before landing; the attestation must be signed anew")
            if time.monotonic() > deadline:
                raise ChainError(f"attestation {signed.tx} not confirmed within {timeout:.0f} s")
            time.sleep(0.1)
        record = self.bridge.inbound(message.digest())
        if record is not None and record.status is InboundStatus.EXECUTED:
            return "attested: released"
        if record is not None and record.status is InboundStatus.QUEUED:
            return "attested: queued"
        return "attested"

    def classify(self, error: Exception) -> Verdict:
        if isinstance(error, SETTLED):
            return "settled"
        if isinstance(error, PERMANENT):
            return "permanent"
        return "transient"


class SolanaRelayer:
    """Completes dispatch_bridge's queued inbound transfers once their delay has passed (anyone may)."""

    def __init__(self, bridge: BridgeClient, payer: Keypair) -> None:
        self.bridge = bridge
        self.payer = payer

    def run_once(self, *, now: int | None = None) -> RelayStats:
        stats = RelayStats()
        queued = [r for r in self.bridge.inbound_records() if r.status is InboundStatus.QUEUED]
        stats.found = len(queued)
        now = int(time.time()) if now is None else now
        for record in queued:
            if record.release_after > now:
                continue
            try:
                self.bridge.complete_queued(self.payer, record.message)
            except (E.NotQueued, E.AlreadyExecuted):
                stats.skipped += 1
                continue
            except DispatchChainError as exc:  # not due by the node's clock yet, paused, below threshold, node trouble
                stats.errors.append(f"0x{record.digest.hex()}: {exc}")
                continue
            stats.completed += 1
        return stats


def solana_message_source(connections: Connections) -> SolanaMessageSource:
    """Solana -> Monad: the lock messages of the manifest's dispatch_bridge, at finalized."""
    return SolanaMessageSource(connections.solana_bridge())


def solana_attestation_target(connections: Connections) -> SolanaAttestationTarget:
    """Monad -> Solana: attestations signed with the profile's Solana keypair (DISPATCH_SOLANA_KEYPAIR)."""
    return SolanaAttestationTarget(connections.solana_bridge(), connections.solana_keypair)
