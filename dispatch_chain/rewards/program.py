"""Instructions and reads of the dispatch_rewards program.

The builders return plain instructions (tested against the program's SBF
build in LiteSVM); :class:`RewardsClient` sends them through a
:class:`~dispatch_chain.solana.client.SolanaClient` (the local node deploys
the program's SBF build like the others).
"""

from __future__ import annotations

from dataclasses import dataclass

import spl.token.instructions as token_ix
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import DeploymentNotFound
from dispatch_chain.rewards.claims import ClaimFile
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
from dispatch_chain.solana.programs import SYSTEM_PROGRAM, IdlProgram

REWARDS = "dispatch_rewards"


@dataclass(frozen=True, slots=True)
class RewardsConfig:
    address: Pubkey
    admin: Pubkey
    distributor: Pubkey
    mint: Pubkey
    vault: Pubkey
    start_ts: int
    epoch_seconds: int
    total_distributed: int
    total_claimed: int
    epochs_posted: int


@dataclass(frozen=True, slots=True)
class EpochRoot:
    address: Pubkey
    epoch: int
    root: bytes
    total: int
    workers: int
    claimed: int
    posted_at: int


class RewardsProgram:
    """Addresses, instruction builders and decoders of dispatch_rewards."""

    def __init__(self, program: IdlProgram) -> None:
        self.program = program
        self.config_address = program.pda(b"config")

    def vault_address(self, mint: Pubkey) -> Pubkey:
        return associated_token_account(self.config_address, mint)

    def epoch_address(self, epoch: int) -> Pubkey:
        return self.program.pda(b"epoch", epoch.to_bytes(8, "little"))

    def claim_record_address(self, epoch: int, worker: Pubkey) -> Pubkey:
        return self.program.pda(b"claim", bytes(self.epoch_address(epoch)), bytes(worker))

    def initialize_instructions(
        self, admin: Pubkey, mint: Pubkey, *, start_ts: int, epoch_seconds: int, distributor: Pubkey
    ) -> list[Instruction]:
        """The vault (the config's associated token account) and ``initialize``."""
        vault = token_ix.create_idempotent_associated_token_account(admin, self.config_address, mint)
        initialize = self.program.instruction(
            "initialize",
            start_ts,
            epoch_seconds,
            distributor,
            accounts={
                "admin": admin,
                "config": self.config_address,
                "vault": self.vault_address(mint),
                "mint": mint,
                "token_program": TOKEN_PROGRAM,
                "system_program": SYSTEM_PROGRAM,
            },
        )
        return [vault, initialize]

    def post_root_instruction(
        self, distributor: Pubkey, mint: Pubkey, *, epoch: int, root: bytes, total: int, workers: int
    ) -> Instruction:
        args = {"epoch": epoch, "root": list(root), "total": total, "workers": workers}  # PostRootArgs
        return self.program.instruction(
            "post_root",
            args,
            accounts={
                "distributor": distributor,
                "config": self.config_address,
                "epoch_root": self.epoch_address(epoch),
                "vault": self.vault_address(mint),
                "system_program": SYSTEM_PROGRAM,
            },
        )

    def claim_instructions(self, claim: ClaimFile, mint: Pubkey) -> list[Instruction]:
        """The worker's associated token account (idempotent) and ``claim``; the worker signs and pays."""
        worker_token = associated_token_account(claim.worker, mint)
        create = token_ix.create_idempotent_associated_token_account(claim.worker, claim.worker, mint)
        instruction = self.program.instruction(
            "claim",
            claim.amount,
            [list(p) for p in claim.proof],
            accounts={
                "worker": claim.worker,
                "config": self.config_address,
                "epoch_root": self.epoch_address(claim.epoch),
                "claim_record": self.claim_record_address(claim.epoch, claim.worker),
                "worker_token": worker_token,
                "vault": self.vault_address(mint),
                "mint": mint,
                "token_program": TOKEN_PROGRAM,
                "system_program": SYSTEM_PROGRAM,
            },
        )
        return [create, instruction]

    def decode_config(self, data: bytes) -> RewardsConfig:
        c = self.program.decode("RewardsConfig", data)
        return RewardsConfig(
            self.config_address,
            c.admin,
            c.distributor,
            c.mint,
            c.vault,
            c.start_ts,
            c.epoch_seconds,
            c.total_distributed,
            c.total_claimed,
            c.epochs_posted,
        )

    def decode_epoch(self, address: Pubkey, data: bytes) -> EpochRoot:
        e = self.program.decode("EpochRoot", data)
        return EpochRoot(address, e.epoch, bytes(e.root), e.total, e.workers, e.claimed, e.posted_at)


class RewardsClient:
    """dispatch_rewards through a Solana node."""

    def __init__(self, client: SolanaClient, program: IdlProgram) -> None:
        self.client = client
        self.rewards = RewardsProgram(program)
        client.idl_errors[str(program.program_id)] = program.errors  # typed exceptions (ExceedsReleased, ...)

    def config(self) -> RewardsConfig:
        account = self.client.account(self.rewards.config_address)
        if account is None:
            raise DeploymentNotFound(f"dispatch_rewards at {self.rewards.program.program_id} is not initialised")
        return self.rewards.decode_config(account.data)

    def epoch_root(self, epoch: int) -> EpochRoot | None:
        address = self.rewards.epoch_address(epoch)
        account = self.client.account(address)
        return None if account is None else self.rewards.decode_epoch(address, account.data)

    def initialize(
        self, admin: Keypair, mint: Pubkey, *, start_ts: int, epoch_seconds: int, distributor: Pubkey
    ) -> str:
        """``admin`` must be the program's upgrade authority (``initialize`` is gated on it)."""
        instructions = self.rewards.initialize_instructions(
            admin.pubkey(), mint, start_ts=start_ts, epoch_seconds=epoch_seconds, distributor=distributor
        )
        return self.client.send(instructions, [admin])[0]

    def post(self, distributor: Keypair, *, epoch: int, root: bytes, total: int, workers: int) -> str:
        mint = self.config().mint
        ix = self.rewards.post_root_instruction(
            distributor.pubkey(), mint, epoch=epoch, root=root, total=total, workers=workers
        )
        return self.client.send([ix], [distributor])[0]

    def claim(self, worker: Keypair, claim: ClaimFile) -> str:
        return self.client.send(self.rewards.claim_instructions(claim, self.config().mint), [worker])[0]
