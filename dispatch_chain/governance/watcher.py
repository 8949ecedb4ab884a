"""The governance watcher: carries ProtocolParams changes from Monad to the Solana receiver.

One watcher runs per attester, each with its own Solana key. Each step it reads
the ``ParamsChanged`` events of ProtocolParams from its cursor up to the head
less the confirmations it waits for, builds the governance message of the
newest version found (older pending versions would be stale on Solana), and,
unless the receiver already applied that version or already holds this
attester's attestation, attests it; when the threshold is reached it applies it
(anyone may). The cursor is committed in SQLite only after the step's work, so
a crash repeats a step rather than skipping one; repeating is harmless because
the receiver refuses a second attestation by the same key
(``DuplicateAttestation``) and a second application (``AlreadyApplied``), which
the watcher counts as done. ``TreasurySpendApproved`` events are attested the same way
(``attest_spend``; the attestation reaching the threshold starts the spend's 6-month delay on
Solana, after which anyone calls ``pay_spend``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from solders.keypair import Keypair
from solders.pubkey import Pubkey
from web3 import Web3

from dispatch_chain.bridge.message import chain_id_hash, evm_address_word
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.governance.message import ParamsMessage, SpendMessage
from dispatch_chain.governance.params import ProtocolParamSet
from dispatch_chain.governance.solana import GovernanceReceiver
from dispatch_chain.hashing import keccak256
from dispatch_chain.solana.errors import ProgramError
from dispatch_chain.sqlite import open_durable, transaction

PARAMS_CHANGED_TOPIC = "0x" + keccak256(b"ParamsChanged(uint64,uint16,uint64,uint64,uint32)").hex()
SPEND_APPROVED_TOPIC = "0x" + keccak256(b"TreasurySpendApproved(uint64,uint64,bytes32)").hex()
#: Receiver refusals of a spend attestation that mean the attester's work on it is over.
SPEND_SETTLED = ("DuplicateAttestation", "SpendAlreadyPaid")
#: Receiver refusals that mean "this attester's (or anyone's) work on the message is over".
SETTLED = ("DuplicateAttestation", "AlreadyApplied", "StaleVersion")


@dataclass(frozen=True)
class StepResult:
    """What one step did: the newest version seen, and whether it was attested and applied here."""

    scanned_to: int
    version: int | None = None
    attested: bool = False
    applied: bool = False
    spends_attested: tuple[int, ...] = ()


class WatcherStore:
    """The watcher's cursor: the next Monad block to scan (SQLite, WAL, fully synchronous)."""

    def __init__(self, path: str | Path) -> None:
        self.db: sqlite3.Connection = open_durable(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS cursor"
            " (id INTEGER PRIMARY KEY CHECK (id = 1), next_block INTEGER, pending BLOB)"
        )

    def next_block(self, default: int) -> int:
        row = self.db.execute("SELECT next_block FROM cursor WHERE id = 1").fetchone()
        return default if row is None else int(row[0])

    def pending(self) -> ParamsMessage | None:
        """The newest message seen, kept until the receiver applied it (so a later step retries it)."""
        row = self.db.execute("SELECT pending FROM cursor WHERE id = 1").fetchone()
        return None if row is None or row[0] is None else ParamsMessage.decode(bytes(row[0]))

    def advance(self, next_block: int, pending: ParamsMessage | None) -> None:
        with transaction(self.db) as db:
            db.execute(
                "INSERT INTO cursor (id, next_block, pending) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET next_block = excluded.next_block, pending = excluded.pending",
                (next_block, None if pending is None else pending.encode()),
            )

    def close(self) -> None:
        self.db.close()


class GovernanceWatcher:
    """Attests (and applies) on Solana the parameter changes ProtocolParams emits on Monad."""

    def __init__(
        self,
        evm: EvmClient,
        params_address: str,
        receiver: GovernanceReceiver,
        attester: Keypair,
        store: WatcherStore,
        *,
        monad_chain: str,
        solana_chain: str,
        mint: Pubkey,
        start_block: int = 0,
        confirmations: int = 0,
    ) -> None:
        self.evm = evm
        self.params_address = Web3.to_checksum_address(params_address)
        self.receiver = receiver
        self.attester = attester
        self.store = store
        self.monad_chain = monad_chain
        self.solana_chain = solana_chain
        self.mint = mint
        self.start_block = start_block
        self.confirmations = confirmations
        contract = evm.contract("ProtocolParams", self.params_address)
        self._event = contract.events.ParamsChanged()
        self._spend_event = contract.events.TreasurySpendApproved()

    def changes(self, from_block: int, to_block: int) -> list[ParamsMessage]:
        """The governance messages of the ``ParamsChanged`` events in a block range, in order."""
        found = []
        for log in self.evm.get_logs(
            {"address": self.params_address, "topics": [PARAMS_CHANGED_TOPIC]}, from_block, to_block
        ):
            args = self._event.process_log(log)["args"]
            params = ProtocolParamSet(
                version=int(args["version"]),
                fee_bps=int(args["feeBps"]),
                verified_threshold=int(args["verifiedThreshold"]),
                sentinel_threshold=int(args["sentinelThreshold"]),
                unstake_cooldown=int(args["unstakeCooldown"]),
                prices=MappingProxyType({}),
            )
            found.append(
                ParamsMessage.of(
                    params, monad_chain=self.monad_chain, emitter=self.params_address, solana_chain=self.solana_chain
                )
            )
        return found

    def spends(self, from_block: int, to_block: int) -> list[SpendMessage]:
        """The spend messages of the ``TreasurySpendApproved`` events in a block range, in order."""
        found = []
        for log in self.evm.get_logs(
            {"address": self.params_address, "topics": [SPEND_APPROVED_TOPIC]}, from_block, to_block
        ):
            args = self._spend_event.process_log(log)["args"]
            found.append(
                SpendMessage(
                    source_chain=chain_id_hash(self.monad_chain),
                    source_emitter=evm_address_word(self.params_address),
                    spend_id=int(args["spendId"]),
                    amount=int(args["amount"]),
                    recipient=bytes(args["recipient"]),
                    destination_chain=chain_id_hash(self.solana_chain),
                )
            )
        return found

    def _attest_spends(self, spends: list[SpendMessage]) -> tuple[int, ...]:
        attested = []
        for message in spends:
            record = self.receiver.spend(message.spend_id)
            if record is not None and (record.paid or self.attester.pubkey() in record.attesters):
                continue
            try:
                self.receiver.attest_spend(self.attester, message)
                attested.append(message.spend_id)
            except ProgramError as exc:
                if exc.name not in SPEND_SETTLED:
                    raise
        return tuple(attested)

    def step(self) -> StepResult:
        head = int(self.evm.w3.eth.block_number) - self.confirmations
        start = self.store.next_block(self.start_block)
        if head < start:
            return StepResult(scanned_to=start - 1)
        messages = self.changes(start, head)
        spends_attested = self._attest_spends(self.spends(start, head))
        pending = self.store.pending()
        if pending is not None:
            messages.append(pending)
        result = StepResult(scanned_to=head)
        newest = max(messages, key=lambda m: m.params_version) if messages else None
        if newest is not None:
            result = self._carry(newest, head)
            if result.applied or newest.params_version <= self.receiver.config().applied_version:
                newest = None  # applied (here or by another watcher): nothing left to retry
        self.store.advance(head + 1, newest)
        return replace(result, spends_attested=spends_attested)

    def _carry(self, message: ParamsMessage, head: int) -> StepResult:
        config = self.receiver.config()
        if message.params_version <= config.applied_version:
            return StepResult(scanned_to=head, version=message.params_version)
        record = self.receiver.record(message.digest())
        attested = False
        if record is None or self.attester.pubkey() not in record.attesters:
            try:
                self.receiver.attest(self.attester, message)
                attested = True
            except ProgramError as exc:
                if exc.name not in SETTLED:
                    raise
        record = self.receiver.record(message.digest())
        applied = False
        current = [k for k in (record.attesters if record else ()) if k in config.attesters]
        if record is not None and not record.applied and len(current) >= config.threshold:
            try:
                self.receiver.apply(self.attester, message, mint=self.mint)
                applied = True
            except ProgramError as exc:
                if exc.name not in SETTLED:
                    raise
        return StepResult(scanned_to=head, version=message.params_version, attested=attested, applied=applied)
