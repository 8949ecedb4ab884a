"""Compute-unit limits: the clients' table equals the documented one, and every transaction
with a Dispatch instruction carries its limit, which the SBF execution on the node stays under."""

from __future__ import annotations

import hashlib
import os
import re

from conftest import compute_limit, holder
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.protocol import BOLT
from dispatch_chain.rewards.claims import ClaimFile
from dispatch_chain.rewards.program import RewardsProgram
from dispatch_chain.solana import budgets
from dispatch_chain.solana.budgets import (
    ASSOCIATED_TOKEN_PROGRAM,
    ATA_CREATE_IDEMPOTENT,
    PER_BUMP,
    compute_unit_limit,
)
from dispatch_chain.solana.client import TOKEN_PROGRAM
from dispatch_chain.solana.genesis import ScheduleAllocation, ScheduleSpec
from dispatch_chain.solana.programs import IdlProgram
from dispatch_chain.solana.vesting import VestingClient, schedule_id

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "solana-programs.md")


def documented() -> dict[tuple[str, str], tuple[int, tuple[str, ...]]]:
    with open(DOCS) as handle:
        section = handle.read().split("## Compute budgets")[1].split("\n## ")[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith(("| dispatch_", "| spl_")):
            cells = [c.strip() for c in line.strip("|").split("|")]
            searched = tuple(re.findall(r"`(\w+)`", cells[5])) if cells[0].startswith("dispatch_") else ()
            rows[(cells[0], cells[1].strip("`"))] = (int(cells[4].replace(",", "")), searched)
    return rows


def test_the_clients_budgets_are_the_documented_ones() -> None:
    docs = documented()
    ata = docs.pop(("spl_associated_token_account", "create_idempotent"))
    mint_to = docs.pop(("spl_token", "mint_to_checked"))
    assert docs == budgets.BUDGETS
    assert ata[0] == budgets.ATA_CREATE_IDEMPOTENT
    assert mint_to[0] == budgets.MINT_TO_CHECKED


def _bump(seeds: list[bytes], program: Pubkey) -> int:
    return Pubkey.find_program_address(seeds, program)[1]


def test_limits_add_the_bumps_of_searched_pdas(deployed) -> None:
    staking = deployed.staking
    for _ in range(40):  # a worker whose stake PDA is not at bump 255, and one that is
        worker = Keypair().pubkey()
        bump = _bump([b"stake", bytes(worker)], staking.program.program_id)
        ix = staking.program.instruction("stake", 1, accounts={
            "worker": worker, "config": staking.config_address, "stake_account": staking.stake_address(worker),
            "worker_token": worker, "vault": staking.vault_address, "mint": deployed.mint,
            "token_program": worker, "system_program": worker})
        assert compute_unit_limit([ix]) == 150 + budgets.BUDGETS[("dispatch_staking", "stake")][0] + PER_BUMP * (255 - bump)
    # No Dispatch instruction, or a caller's own limit: the default stays.
    assert compute_unit_limit([budgets.set_compute_unit_limit(1_000)]) is None
    assert compute_unit_limit([budgets.set_compute_unit_limit(1_000), ix]) is None


def _extra(seeds: list[bytes], program: Pubkey) -> int:
    return 255 - _bump(seeds, program)


def _ata_extra(owner: Pubkey, mint: Pubkey) -> int:
    return _extra([bytes(owner), bytes(TOKEN_PROGRAM), bytes(mint)], ASSOCIATED_TOKEN_PROGRAM)


def _budget(program: str, instruction: str) -> int:
    return budgets.BUDGETS[(program, instruction)][0]


def test_rewards_limits_add_the_config_vault_epoch_and_claim_record_bumps() -> None:
    # The vault is an associated token account (its bump searched under the ATA program) and
    # post_root's epoch account is derived in the handler (no seeds in the IDL): both counted.
    rewards = RewardsProgram(IdlProgram.load("dispatch_rewards"))
    program, config = rewards.program.program_id, rewards.config_address
    seen = set()
    for n in range(40):
        mint, admin, worker = Keypair().pubkey(), Keypair().pubkey(), Keypair().pubkey()
        init = rewards.initialize_instructions(admin, mint, start_ts=0, epoch_seconds=1, distributor=admin)
        vault = _ata_extra(config, mint)  # the vault's CreateIdempotent searches it too
        assert compute_unit_limit(init) == (150 + ATA_CREATE_IDEMPOTENT + PER_BUMP * vault
                                            + _budget("dispatch_rewards", "initialize")
                                            + PER_BUMP * (_extra([b"config"], program) + vault))
        post = rewards.post_root_instruction(admin, mint, epoch=n, root=bytes(32), total=1, workers=1)
        epoch = _extra([b"epoch", n.to_bytes(8, "little")], program)
        assert compute_unit_limit([post]) == 150 + _budget("dispatch_rewards", "post_root") + PER_BUMP * epoch
        claim = ClaimFile(program, n, bytes(32), worker, 1, (bytes(32),) * 21)
        record = _extra([b"claim", bytes(rewards.epoch_address(n)), bytes(worker)], program)
        assert compute_unit_limit(rewards.claim_instructions(claim, mint)) == (
            150 + ATA_CREATE_IDEMPOTENT + PER_BUMP * _ata_extra(worker, mint)
            + _budget("dispatch_rewards", "claim") + PER_BUMP * record)
        seen |= {vault > 0, epoch > 0, record > 0}
    assert seen == {False, True}  # bumps below 255 were among them


def test_vesting_limits_add_the_schedule_and_vault_bumps() -> None:
    vesting = VestingClient(None, IdlProgram.load("dispatch_vesting"))
    program = vesting.program.program_id
    seen = set()
    for _ in range(40):
        creator, id_, mint, beneficiary = (Keypair().pubkey() for _ in range(4))
        create = vesting.create_schedule_instructions(
            creator, id_, mint=mint, beneficiary=beneficiary, total=1, start_ts=0, cliff_ts=0, end_ts=1,
            revoke_authority=None)
        schedule = vesting.schedule_address(creator, id_)
        vault = _ata_extra(schedule, mint)
        searched = _extra([b"schedule", bytes(creator), bytes(id_)], program) + vault
        assert compute_unit_limit(create) == (150 + ATA_CREATE_IDEMPOTENT + PER_BUMP * vault
                                              + _budget("dispatch_vesting", "create_schedule") + PER_BUMP * searched)
        seen |= {searched > 0}
    assert seen == {False, True}


def test_a_genesis_schedule_transaction_carries_a_limit() -> None:
    # Its own ATA, the schedule's funds minted (SPL Token), the vault's ATA and create_schedule.
    vesting = VestingClient(None, IdlProgram.load("dispatch_vesting"))
    payer, mint, beneficiary = Keypair().pubkey(), Keypair().pubkey(), Keypair().pubkey()
    spec = ScheduleSpec("team", "team:a", beneficiary, BOLT, 0, 0, 1, payer)
    instructions = ScheduleAllocation(spec, vesting, payer).instructions(payer, mint)
    schedule = vesting.schedule_address(payer, schedule_id("team:a"))
    vault = _ata_extra(schedule, mint)
    searched = _extra([b"schedule", bytes(payer), bytes(schedule_id("team:a"))], vesting.program.program_id) + vault
    assert compute_unit_limit(instructions) == (
        150 + ATA_CREATE_IDEMPOTENT + PER_BUMP * _ata_extra(payer, mint) + budgets.MINT_TO_CHECKED
        + ATA_CREATE_IDEMPOTENT + PER_BUMP * vault + _budget("dispatch_vesting", "create_schedule")
        + PER_BUMP * searched)
    # Any other SPL Token instruction is not budgeted: the transaction keeps the default.
    assert compute_unit_limit([*instructions[:1], replace_tag(instructions[1], 7)]) is None


def replace_tag(ix: Instruction, tag: int) -> Instruction:
    return Instruction(ix.program_id, bytes([tag]) + bytes(ix.data)[1:], ix.accounts)


def test_settle_and_anchor_transactions_carry_their_limit_and_stay_under_it(solana, deployed) -> None:
    coordinator = holder(solana, deployed, 100 * BOLT)
    worker = Keypair().pubkey()
    record = deployed.settlement.settle(coordinator, "budgeted-job", worker, 10 * BOLT, os.urandom(32))
    assert record.signature is not None
    limit, consumed, logs = compute_limit(solana, record.signature)
    seeds = [b"settlement", bytes(coordinator.pubkey()), hashlib.sha256(b"budgeted-job").digest()]
    bump = _bump(seeds, deployed.settlement.program.program_id)
    assert limit >= 150 + budgets.BUDGETS[("dispatch_settlement", "settle")][0] + PER_BUMP * (255 - bump)
    assert 10_000 < consumed <= limit < 200_000, (consumed, limit)
    assert any(line.startswith("Program data: ") for line in logs), logs  # emit!: the Settled event


def test_programs_are_registered_for_budgets(deployed) -> None:
    from dispatch_chain.solana.programs import registered_program

    for program in (deployed.staking.program, deployed.settlement.program, deployed.anchor.program):
        assert isinstance(registered_program(program.program_id), IdlProgram)
    for name in ("dispatch_rewards", "dispatch_vesting"):
        program = IdlProgram.load(name)
        assert registered_program(program.program_id) is program
