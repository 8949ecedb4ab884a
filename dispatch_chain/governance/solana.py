"""The Solana side of governance: the dispatch_governance receiver (docs/governance.md).

The receiver holds the admin role of dispatch_staking and dispatch_settlement
(their admin proposes it with ``propose_admin``, then anyone calls
``accept_admins``); attesters attest a governance parameters message each in
their own transaction, and once the threshold is reached anyone calls
``apply``, which sets the staking thresholds and cooldown and the settlement
fee by CPI. Failures surface as :class:`dispatch_chain.solana.errors.ProgramError`
whose ``name`` is the program's error (``StaleVersion``, ``AlreadyApplied``,
``WrongSourceEmitter``, ``BelowThreshold``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import spl.token.instructions as token_ix
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import DeploymentNotFound
from dispatch_chain.governance.message import ParamsMessage, SpendMessage
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
from dispatch_chain.solana.programs import SETTLEMENT, STAKING, SYSTEM_PROGRAM, IdlProgram, programdata_address

GOVERNANCE = "dispatch_governance"


@dataclass(frozen=True)
class ReceiverConfig:
    """The receiver's config as the chain holds it."""

    address: Pubkey
    chain_id: bytes
    source_chain: bytes
    source_emitter: bytes
    attesters: tuple[Pubkey, ...]
    threshold: int
    applied_version: int
    staking_program: Pubkey
    settlement_program: Pubkey
    treasury: Pubkey
    treasury_mint: Pubkey


@dataclass(frozen=True)
class MessageRecord:
    digest: bytes
    params_version: int
    attesters: tuple[Pubkey, ...]
    applied: bool


@dataclass(frozen=True)
class SpendRecord:
    spend_id: int
    amount: int
    recipient: Pubkey
    attesters: tuple[Pubkey, ...]
    payable_at: int  # 0 until the threshold approved it
    paid: bool


def _spend_record(r: Any) -> SpendRecord:
    return SpendRecord(int(r.spend_id), int(r.amount), r.recipient, tuple(r.attesters), int(r.payable_at), bool(r.paid))


def _spend_idl(message: SpendMessage) -> dict[str, Any]:
    return {
        "version": message.version,
        "kind": message.kind,
        "source_chain": list(message.source_chain),
        "source_emitter": list(message.source_emitter),
        "spend_id": message.spend_id,
        "amount": message.amount,
        "recipient": list(message.recipient),
        "destination_chain": list(message.destination_chain),
    }


def _message_idl(message: ParamsMessage) -> dict[str, Any]:
    return {
        "version": message.version,
        "kind": message.kind,
        "source_chain": list(message.source_chain),
        "source_emitter": list(message.source_emitter),
        "params_version": message.params_version,
        "fee_bps": message.fee_bps,
        "verified_threshold": message.verified_threshold,
        "sentinel_threshold": message.sentinel_threshold,
        "cooldown_seconds": message.cooldown_seconds,
        "destination_chain": list(message.destination_chain),
    }


class GovernanceReceiver:
    """Instructions and reads of dispatch_governance (and the handover instructions it needs)."""

    def __init__(self, client: SolanaClient, program: IdlProgram | None = None) -> None:
        self.client = client
        self.program = program or IdlProgram.load(GOVERNANCE)
        self.staking = IdlProgram.load(STAKING)
        self.settlement = IdlProgram.load(SETTLEMENT)
        self.config_address = self.program.pda(b"config")

    def treasury_address(self, mint: Pubkey) -> Pubkey:
        """The treasury vault: the receiver config's associated token account for ``mint`` (BOLT).

        It is derivable (and fundable) before the receiver exists: genesis mints the treasury
        allocation there, and ``initialize`` only records it.
        """
        return associated_token_account(self.config_address, mint)

    def record_address(self, digest: bytes) -> Pubkey:
        return self.program.pda(b"message", digest)

    # -- reads ------------------------------------------------------------------------------

    def find_config(self) -> ReceiverConfig | None:
        c = self.program.read("GovernanceConfig", self.client.account(self.config_address))
        if c is None:
            return None
        return ReceiverConfig(
            self.config_address,
            bytes(c.chain_id),
            bytes(c.source_chain),
            bytes(c.source_emitter),
            tuple(c.attesters),
            int(c.threshold),
            int(c.applied_version),
            c.staking_program,
            c.settlement_program,
            c.treasury,
            c.treasury_mint,
        )

    def config(self) -> ReceiverConfig:
        found = self.find_config()
        if found is None:
            raise DeploymentNotFound(f"{GOVERNANCE} at {self.program.program_id} is not initialised")
        return found

    def staked_mint(self) -> Pubkey:
        """The mint dispatch_staking checks its SENTINEL bound against (``apply`` passes it)."""
        c = self.staking.read("StakingConfig", self.client.account(self.staking.pda(b"config")))
        if c is None:
            raise DeploymentNotFound(f"dispatch_staking at {self.staking.program_id} is not initialised")
        return Pubkey.from_bytes(bytes(c.mint))

    def record(self, digest: bytes) -> MessageRecord | None:
        r = self.program.read("MessageRecord", self.client.account(self.record_address(digest)))
        if r is None:
            return None
        return MessageRecord(bytes(r.digest), int(r.params_version), tuple(r.attesters), bool(r.applied))

    # -- instructions -----------------------------------------------------------------------

    def initialize_instructions(
        self,
        authority: Pubkey,
        *,
        mint: Pubkey,
        chain_id: bytes,
        source_chain: bytes,
        source_emitter: bytes,
        attesters: list[Pubkey],
        threshold: int,
    ) -> list[Instruction]:
        """The idempotent creation of the treasury vault (a no-op once genesis created it), then ``initialize``."""
        args = {
            "chain_id": list(chain_id),
            "source_chain": list(source_chain),
            "source_emitter": list(source_emitter),
            "attesters": attesters,
            "threshold": threshold,
            "staking_program": self.staking.program_id,
            "settlement_program": self.settlement.program_id,
        }
        create_vault = token_ix.create_idempotent_associated_token_account(authority, self.config_address, mint)
        initialize = self.program.instruction(
            "initialize",
            args,
            accounts={
                "authority": authority,
                "config": self.config_address,
                "program": self.program.program_id,
                "program_data": programdata_address(self.program.program_id),
                "mint": mint,
                "treasury": self.treasury_address(mint),
                "token_program": TOKEN_PROGRAM,
                "system_program": SYSTEM_PROGRAM,
            },
        )
        return [create_vault, initialize]

    def propose_receiver_instructions(self, admin: Pubkey) -> list[Instruction]:
        """``propose_admin(receiver)`` on staking and settlement, signed by their current admin."""
        return [
            program.instruction(
                "propose_admin", self.config_address, accounts={"admin": admin, "config": program.pda(b"config")}
            )
            for program in (self.staking, self.settlement)
        ]

    def accept_admins_instruction(self) -> Instruction:
        return self.program.instruction(
            "accept_admins",
            accounts={
                "config": self.config_address,
                "staking_config": self.staking.pda(b"config"),
                "settlement_config": self.settlement.pda(b"config"),
                "staking_program": self.staking.program_id,
                "settlement_program": self.settlement.program_id,
            },
        )

    def attest_instruction(self, attester: Pubkey, message: ParamsMessage) -> Instruction:
        return self.program.instruction(
            "attest",
            _message_idl(message),
            accounts={
                "attester": attester,
                "config": self.config_address,
                "record": self.record_address(message.digest()),
                "system_program": SYSTEM_PROGRAM,
            },
        )

    def apply_instruction(self, message: ParamsMessage, *, mint: Pubkey) -> Instruction:
        return self.program.instruction(
            "apply",
            _message_idl(message),
            accounts={
                "config": self.config_address,
                "record": self.record_address(message.digest()),
                "staking_config": self.staking.pda(b"config"),
                "mint": mint,
                "settlement_config": self.settlement.pda(b"config"),
                "staking_program": self.staking.program_id,
                "settlement_program": self.settlement.program_id,
            },
        )

    def spend_address(self, spend_id: int) -> Pubkey:
        return self.program.pda(b"spend", spend_id.to_bytes(8, "little"))

    def spend(self, spend_id: int) -> SpendRecord | None:
        r = self.program.read("SpendRecord", self.client.account(self.spend_address(spend_id)))
        return None if r is None else _spend_record(r)

    def spends(self) -> list[SpendRecord]:
        """Every spend record the program holds (getProgramAccounts on the record's discriminator)."""
        found = self.client.program_accounts(self.program.program_id, self.program.discriminator("SpendRecord"))
        records = [self.program.read("SpendRecord", account) for account in found]
        return [_spend_record(r) for r in records if r is not None]

    def paid_out(self) -> int:
        """The base units paid out of the treasury vault: the sum of the paid spends."""
        return sum(r.amount for r in self.spends() if r.paid)

    def attest_spend_instruction(self, attester: Pubkey, message: SpendMessage) -> Instruction:
        return self.program.instruction(
            "attest_spend",
            _spend_idl(message),
            accounts={
                "attester": attester,
                "config": self.config_address,
                "record": self.spend_address(message.spend_id),
                "system_program": SYSTEM_PROGRAM,
            },
        )

    def pay_spend_instruction(self, spend_id: int, recipient_token: Pubkey, *, mint: Pubkey) -> Instruction:
        return self.program.instruction(
            "pay_spend",
            spend_id,
            accounts={
                "config": self.config_address,
                "record": self.spend_address(spend_id),
                "treasury": self.treasury_address(mint),
                "mint": mint,
                "recipient_token": recipient_token,
                "token_program": TOKEN_PROGRAM,
            },
        )

    def attest_spend(self, attester: Keypair, message: SpendMessage) -> str:
        return self.client.send([self.attest_spend_instruction(attester.pubkey(), message)], [attester])[0]

    def pay_spend(self, payer: Keypair, spend_id: int, recipient_token: Pubkey, *, mint: Pubkey) -> str:
        return self.client.send([self.pay_spend_instruction(spend_id, recipient_token, mint=mint)], [payer])[0]

    # -- sending ----------------------------------------------------------------------------

    def initialize(self, authority: Keypair, **kwargs: Any) -> str:
        return self.client.send(self.initialize_instructions(authority.pubkey(), **kwargs), [authority])[0]

    def hand_over(self, admin: Keypair, payer: Keypair | None = None) -> str:
        """Propose the receiver as admin of staking and settlement and accept it, in one transaction."""
        signers = [admin] if payer is None else [payer, admin]
        ixs = [*self.propose_receiver_instructions(admin.pubkey()), self.accept_admins_instruction()]
        return self.client.send(ixs, signers)[0]

    def attest(self, attester: Keypair, message: ParamsMessage) -> str:
        return self.client.send([self.attest_instruction(attester.pubkey(), message)], [attester])[0]

    def apply(self, payer: Keypair, message: ParamsMessage, *, mint: Pubkey) -> str:
        return self.client.send([self.apply_instruction(message, mint=mint)], [payer])[0]
