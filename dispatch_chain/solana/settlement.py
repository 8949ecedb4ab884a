"""Job settlement in BOLT with the 5 % protocol burn (dispatch_settlement).

``settle`` moves ``amount - fee`` from the coordinator to the worker and burns
``fee = amount * fee_bps / 10_000`` in the same instruction. The per-job
record ``["settlement", coordinator, sha256(job_id)]`` makes the program refuse
a second settlement; :meth:`SettlementClient.settle` is idempotent on top of
that: settling a job that is already settled returns the existing record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import spl.token.instructions as token_ix
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import DeploymentNotFound, DispatchChainError
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
from dispatch_chain.solana.errors import AlreadySettled
from dispatch_chain.solana.programs import SYSTEM_PROGRAM, IdlProgram

if TYPE_CHECKING:
    from dispatch_chain.payments.swap import SwapResult, UsdcToBolt
    from dispatch_chain.payments.verify import VerifiedPayment

MAX_JOB_ID_BYTES = 64


@dataclass(frozen=True, slots=True)
class SettlementConfig:
    address: Pubkey
    admin: Pubkey
    mint: Pubkey
    fee_bps: int
    total_settled: int
    total_burned: int


@dataclass(frozen=True, slots=True)
class Settlement:
    address: Pubkey
    coordinator: Pubkey
    worker: Pubkey
    job_id: str
    amount: int
    fee: int
    receipt_hash: bytes
    slot: int
    settled_at: int
    signature: str | None = None  # the settling transaction, when this client sent it


def job_id_hash(job_id: str) -> bytes:
    return hashlib.sha256(job_id.encode("utf-8")).digest()


class SettlementClient:
    """Instructions and reads of dispatch_settlement."""

    def __init__(self, client: SolanaClient, program: IdlProgram) -> None:
        self.client = client
        self.program = program
        self.config_address = program.pda(b"config")

    def config(self) -> SettlementConfig:
        config = self.find_config()
        if config is None:
            raise DeploymentNotFound(f"dispatch_settlement at {self.program.program_id} is not initialised")
        return config

    def find_config(self) -> SettlementConfig | None:
        """The config, or None before ``initialize`` (an address holding only lamports has none).

        A foreign account at the config PDA raises ForeignAccount.
        """
        c = self.program.read("SettlementConfig", self.client.account(self.config_address))
        if c is None:
            return None
        return SettlementConfig(self.config_address, c.admin, c.mint, c.fee_bps, c.total_settled, c.total_burned)

    def record_address(self, coordinator: Pubkey, job_id: str) -> Pubkey:
        return self.program.pda(b"settlement", bytes(coordinator), job_id_hash(job_id))

    def record(self, coordinator: Pubkey, job_id: str) -> Settlement | None:
        """The job's settlement record, None while unsettled.

        A record address holding only lamports is unsettled (the program creates the
        record over them); any other foreign account there raises ForeignAccount.
        """
        address = self.record_address(coordinator, job_id)
        r = self.program.read("Settlement", self.client.account(address))
        if r is None:
            return None
        return Settlement(
            address, r.coordinator, r.worker, r.job_id, r.amount, r.fee, bytes(r.receipt_hash), r.slot, r.settled_at
        )

    def initialize(self, admin: Keypair, mint: Pubkey, fee_bps: int) -> str:
        ix = self.program.instruction(
            "initialize",
            fee_bps,
            accounts={
                "admin": admin.pubkey(),
                "config": self.config_address,
                "mint": mint,
                "system_program": SYSTEM_PROGRAM,
            },
        )
        return self.client.send([ix], [admin])[0]

    def set_fee(self, admin: Keypair, fee_bps: int) -> str:
        ix = self.program.instruction(
            "set_fee", fee_bps, accounts={"admin": admin.pubkey(), "config": self.config_address}
        )
        return self.client.send([ix], [admin])[0]

    def settle_instructions(
        self,
        coordinator: Pubkey,
        job_id: str,
        worker: Pubkey,
        amount: int,
        receipt_hash: bytes,
        *,
        mint: Pubkey,
        coordinator_token: Pubkey | None = None,
        worker_token: Pubkey | None = None,
    ) -> list:
        if not job_id or len(job_id.encode("utf-8")) > MAX_JOB_ID_BYTES:
            raise DispatchChainError(f"job_id must be 1 to {MAX_JOB_ID_BYTES} UTF-8 bytes")
        if len(receipt_hash) != 32:
            raise DispatchChainError("receipt_hash must be 32 bytes")
        worker_token = worker_token or associated_token_account(worker, mint)
        create_worker_token = token_ix.create_idempotent_associated_token_account(coordinator, worker, mint)
        settle = self.program.instruction(
            "settle",
            job_id,
            list(job_id_hash(job_id)),
            amount,
            list(receipt_hash),
            accounts={
                "coordinator": coordinator,
                "config": self.config_address,
                "settlement": self.record_address(coordinator, job_id),
                "coordinator_token": coordinator_token or associated_token_account(coordinator, mint),
                "worker_token": worker_token,
                "mint": mint,
                "token_program": TOKEN_PROGRAM,
                "system_program": SYSTEM_PROGRAM,
            },
        )
        # The worker's token account is created in the same transaction if needed.
        return [create_worker_token, settle] if worker_token == associated_token_account(worker, mint) else [settle]

    def settle(
        self,
        coordinator: Keypair,
        job_id: str,
        worker: Pubkey,
        amount: int,
        receipt_hash: bytes,
        *,
        coordinator_token: Pubkey | None = None,
        worker_token: Pubkey | None = None,
    ) -> Settlement:
        """Settle a job once; settling it again returns the existing record without a transaction."""
        existing = self.record(coordinator.pubkey(), job_id)
        if existing is not None:
            return existing
        mint = self.config().mint
        instructions = self.settle_instructions(
            coordinator.pubkey(),
            job_id,
            worker,
            amount,
            receipt_hash,
            mint=mint,
            coordinator_token=coordinator_token,
            worker_token=worker_token,
        )
        try:
            signature, _ = self.client.send(instructions, [coordinator])
        except AlreadySettled:  # settled concurrently by another instance of this coordinator
            record = self.record(coordinator.pubkey(), job_id)
            assert record is not None
            return record
        record = self.record(coordinator.pubkey(), job_id)
        assert record is not None
        return replace(record, signature=signature)

    def settle_paid(
        self,
        coordinator: Keypair,
        job_id: str,
        worker: Pubkey,
        payment: VerifiedPayment,
        swap: UsdcToBolt,
        receipt_hash: bytes,
    ) -> tuple[Settlement, SwapResult | None]:
        """Settle a paid job with the BOLT its verified USDC payment swaps to (quote, then execute).

        Idempotent like :meth:`settle`: an already settled job returns its record and no swap.
        """
        from dispatch_chain.payments.swap import bolt_for_payment

        existing = self.record(coordinator.pubkey(), job_id)
        if existing is not None:
            return existing, None
        swapped = bolt_for_payment(swap, payment)
        return self.settle(coordinator, job_id, worker, swapped.bolt_received, receipt_hash), swapped

    def settle_strict(
        self, coordinator: Keypair, job_id: str, worker: Pubkey, amount: int, receipt_hash: bytes, **kwargs: Pubkey
    ) -> str:
        """Send the settle instruction unconditionally (no idempotency check); the program's errors surface."""
        mint = self.config().mint
        instructions = self.settle_instructions(
            coordinator.pubkey(), job_id, worker, amount, receipt_hash, mint=mint, **kwargs
        )
        return self.client.send(instructions, [coordinator])[0]
