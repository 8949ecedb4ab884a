"""BOLT vesting schedules and locks (dispatch_vesting).

A schedule is the PDA ``["schedule", creator, id]`` (``id``: any address
naming the schedule, e.g. :func:`schedule_id` of a label); its tokens sit
in its vault, the schedule PDA's associated token account for the mint.
Vested at time ``t`` (``t`` frozen at ``revoked_at`` once revoked): ``0``
before ``cliff_ts``, ``total`` from ``end_ts`` on, else
``total * (t - start_ts) // (end_ts - start_ts)``, the program's integer
arithmetic exactly. ``claim`` pays what has vested and was not claimed;
``revoke`` (only where a revocation authority was named) takes back the
unvested part.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import spl.token.instructions as token_ix
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.errors import DeploymentNotFound
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
from dispatch_chain.solana.programs import SYSTEM_PROGRAM, IdlProgram

VESTING = "dispatch_vesting"


def schedule_id(label: str) -> Pubkey:
    """The address naming a schedule from a label (``sha256("dispatch-vesting:" + label)``)."""
    return Pubkey(hashlib.sha256(b"dispatch-vesting:" + label.encode("utf-8")).digest())


def vested_amount(total: int, start_ts: int, cliff_ts: int, end_ts: int, t: int) -> int:
    """What a schedule of ``total`` has vested at unix time ``t`` (rounded down)."""
    if t < cliff_ts:
        return 0
    if t >= end_ts:
        return total
    return total * (t - start_ts) // (end_ts - start_ts)


@dataclass(frozen=True, slots=True)
class VestingSchedule:
    address: Pubkey
    creator: Pubkey
    id: Pubkey
    beneficiary: Pubkey
    mint: Pubkey
    vault: Pubkey
    revoke_authority: Pubkey | None
    start_ts: int
    cliff_ts: int
    end_ts: int
    total: int
    claimed: int
    revoked_at: int | None
    revoked_amount: int

    def vested_at(self, t: int) -> int:
        if self.revoked_at is not None:
            t = min(t, self.revoked_at)
        return vested_amount(self.total, self.start_ts, self.cliff_ts, self.end_ts, t)

    def claimable_at(self, t: int) -> int:
        return max(0, self.vested_at(t) - self.claimed)

    def unvested_at(self, t: int) -> int:
        """Not vested yet (zero once revoked: that part went back)."""
        return self.total - self.revoked_amount - self.vested_at(t)

    @property
    def is_lock(self) -> bool:
        return self.revoke_authority is None


class VestingClient:
    """Instructions and reads of dispatch_vesting.

    Against a node (``dispatch-chain vesting show|claim``, tests/solana/test_tokenomics.py) or
    without one (``client=None``: builders and decoding, for LiteSVM tests).
    """

    def __init__(self, client: SolanaClient | None, program: IdlProgram) -> None:
        self.client = client  # None: instruction builders and decoding only
        self.program = program
        if client is not None:
            client.idl_errors[str(program.program_id)] = program.errors  # typed exceptions (NothingToClaim, ...)

    def schedule_address(self, creator: Pubkey, id_: Pubkey) -> Pubkey:
        return self.program.pda(b"schedule", bytes(creator), bytes(id_))

    def schedule_at(self, address: Pubkey) -> VestingSchedule:
        if self.client is None:
            raise DeploymentNotFound("this VestingClient has no Solana client")
        account = self.client.account(address)
        if account is None:
            raise DeploymentNotFound(f"no vesting schedule at {address}")
        return self.decode(address, account.data)

    def create_schedule_instructions(
        self,
        creator: Pubkey,
        id_: Pubkey,
        *,
        mint: Pubkey,
        beneficiary: Pubkey,
        total: int,
        start_ts: int,
        cliff_ts: int,
        end_ts: int,
        revoke_authority: Pubkey | None,
        source: Pubkey | None = None,
    ) -> list:
        """The vault's creation (ATA program, idempotent) and ``create_schedule``."""
        schedule = self.schedule_address(creator, id_)
        args = {
            "beneficiary": beneficiary,
            "total": total,
            "start_ts": start_ts,
            "cliff_ts": cliff_ts,
            "end_ts": end_ts,
            "revoke_authority": revoke_authority,
        }  # CreateScheduleArgs
        create = self.program.instruction(
            "create_schedule",
            args,
            accounts={
                "creator": creator,
                "schedule_id": id_,
                "schedule": schedule,
                "vault": associated_token_account(schedule, mint),
                "source": source or associated_token_account(creator, mint),
                "mint": mint,
                "token_program": TOKEN_PROGRAM,
                "system_program": SYSTEM_PROGRAM,
            },
        )
        vault = token_ix.create_idempotent_associated_token_account(creator, schedule, mint)
        return [vault, create]

    def claim_instructions(
        self, beneficiary: Pubkey, schedule: VestingSchedule, destination: Pubkey | None = None
    ) -> list:
        """The beneficiary's associated token account (idempotent, unless ``destination``) and ``claim``."""

        own = associated_token_account(beneficiary, schedule.mint)
        claim = self.program.instruction(
            "claim",
            accounts={
                "beneficiary": beneficiary,
                "schedule": schedule.address,
                "vault": schedule.vault,
                "destination": destination or own,
                "mint": schedule.mint,
                "token_program": TOKEN_PROGRAM,
            },
        )
        if destination is not None:
            return [claim]
        return [token_ix.create_idempotent_associated_token_account(beneficiary, beneficiary, schedule.mint), claim]

    def decode(self, address: Pubkey, data: bytes) -> VestingSchedule:
        s = self.program.decode("VestingSchedule", data)
        return VestingSchedule(
            address,
            s.creator,
            s.id,
            s.beneficiary,
            s.mint,
            s.vault,
            s.revoke_authority,
            s.start_ts,
            s.cliff_ts,
            s.end_ts,
            s.total,
            s.claimed,
            s.revoked_at,
            s.revoked_amount,
        )

    def claim(self, beneficiary: Keypair, schedule: VestingSchedule, destination: Pubkey | None = None) -> str:
        if self.client is None:
            raise DeploymentNotFound("this VestingClient has no Solana client")
        return self.client.send(self.claim_instructions(beneficiary.pubkey(), schedule, destination), [beneficiary])[0]
