"""Compute-unit limits: the clients' table equals the documented one, and every transaction
with a Dispatch instruction carries its limit, which the SBF execution on the node stays under."""

from __future__ import annotations

import hashlib
import os
import re

from conftest import holder
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature

from dispatch_chain.protocol import BOLT
from dispatch_chain.solana import budgets
from dispatch_chain.solana.budgets import COMPUTE_BUDGET_PROGRAM, PER_BUMP, compute_unit_limit
from dispatch_chain.solana.programs import IdlProgram

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
    assert docs == budgets.BUDGETS
    assert ata[0] == budgets.ATA_CREATE_IDEMPOTENT


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


def test_settle_and_anchor_transactions_carry_their_limit_and_stay_under_it(solana, deployed) -> None:
    coordinator = holder(solana, deployed, 100 * BOLT)
    worker = Keypair().pubkey()
    record = deployed.settlement.settle(coordinator, "budgeted-job", worker, 10 * BOLT, os.urandom(32))
    assert record.signature is not None
    tx = solana.rpc.get_transaction(Signature.from_string(record.signature), "base64",
                                    max_supported_transaction_version=0).value
    assert tx is not None and tx.transaction.meta is not None
    message = tx.transaction.transaction.message  # type: ignore[union-attr]
    last = message.instructions[-1]
    assert message.account_keys[last.program_id_index] == COMPUTE_BUDGET_PROGRAM  # last: indices of the others stay
    assert bytes(last.data)[0] == 2  # SetComputeUnitLimit
    limit = int.from_bytes(bytes(last.data)[1:5], "little")
    seeds = [b"settlement", bytes(coordinator.pubkey()), hashlib.sha256(b"budgeted-job").digest()]
    bump = _bump(seeds, deployed.settlement.program.program_id)
    assert limit >= 150 + budgets.BUDGETS[("dispatch_settlement", "settle")][0] + PER_BUMP * (255 - bump)
    consumed = tx.transaction.meta.compute_units_consumed
    assert 10_000 < consumed <= limit < 200_000, (consumed, limit)
    logs = tx.transaction.meta.log_messages or []
    assert any(line.startswith("Program data: ") for line in logs), logs  # emit!: the Settled event


def test_programs_are_registered_for_budgets(deployed) -> None:
    from dispatch_chain.solana.programs import registered_program

    for program in (deployed.staking.program, deployed.settlement.program, deployed.anchor.program):
        assert isinstance(registered_program(program.program_id), IdlProgram)
