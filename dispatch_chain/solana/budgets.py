"""Compute-unit limits for transactions that call the Dispatch programs.

Every instruction's budget was measured on the programs' SBF builds and is
documented in docs/solana-programs.md ("Compute budgets"); the Rust test
``svm/tests/compute_budgets.rs`` fails when an instruction exceeds it, and
``tests/solana/test_budgets.py`` keeps this table equal to the documented
one. :meth:`SolanaClient.prepare <dispatch_chain.solana.client.SolanaClient.prepare>`
adds ``SetComputeUnitLimit(limit)`` to every transaction with a Dispatch
instruction instead of running under the 200,000 CU default.

A budget holds when each PDA the instruction searches with
``find_program_address`` is found at bump 255; every further bump tried
costs :data:`PER_BUMP` CU, so the limit adds ``PER_BUMP * (255 - bump)`` for
each searched PDA, its bump computed here from the IDL's seeds (associated
token accounts under the ATA program included; :data:`HANDLER_SEEDS` for the
few the IDL leaves unchecked). (A fixed
margin would not do: a PDA's bump is fixed by its seeds, so a worker whose
stake PDA happened to need many bumps could never stake.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from solders.instruction import Instruction
from solders.pubkey import Pubkey

#: CU of one ``find_program_address`` iteration (the syscall's ``create_program_address_units``).
PER_BUMP = 1_500
#: What the ``SetComputeUnitLimit`` instruction itself consumes.
COMPUTE_BUDGET_INSTRUCTION = 150
COMPUTE_BUDGET_PROGRAM = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
ASSOCIATED_TOKEN_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")

#: (program, instruction) -> (budget at bump 255, accounts whose PDA the program searches);
#: docs/solana-programs.md, "Compute budgets".
BUDGETS: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {
    ("dispatch_staking", "accept_admin"): (8_000, ()),
    ("dispatch_staking", "cancel_unstake"): (12_000, ()),
    ("dispatch_staking", "initialize"): (25_000, ("config", "vault")),
    ("dispatch_staking", "propose_admin"): (8_000, ()),
    ("dispatch_staking", "request_unstake"): (13_000, ()),
    ("dispatch_staking", "stake"): (32_000, ("stake_account",)),
    ("dispatch_staking", "update_config"): (8_000, ()),
    ("dispatch_staking", "withdraw"): (26_000, ()),
    ("dispatch_settlement", "accept_admin"): (7_000, ()),
    ("dispatch_settlement", "initialize"): (13_000, ("config",)),
    ("dispatch_settlement", "propose_admin"): (7_000, ()),
    ("dispatch_settlement", "set_fee"): (7_000, ()),
    ("dispatch_settlement", "settle"): (36_000, ("settlement",)),
    ("dispatch_anchor", "accept_admin"): (7_000, ()),
    ("dispatch_anchor", "add_anchorer"): (12_000, ("anchorer",)),
    ("dispatch_anchor", "anchor_batch"): (21_000, ("anchorer", "batch")),
    ("dispatch_anchor", "initialize"): (12_000, ("config",)),
    ("dispatch_anchor", "propose_admin"): (7_000, ()),
    ("dispatch_anchor", "remove_anchorer"): (9_000, ()),
    ("dispatch_anchor", "verify"): (21_000, ()),
    ("dispatch_anchor", "verify_receipt"): (22_000, ()),
    ("dispatch_rewards", "claim"): (46_000, ("claim_record",)),
    ("dispatch_rewards", "initialize"): (20_000, ("config", "vault")),
    ("dispatch_rewards", "post_root"): (20_000, ("epoch_root",)),
    ("dispatch_rewards", "set_distributor"): (8_000, ()),
    ("dispatch_vesting", "claim"): (18_000, ()),
    ("dispatch_vesting", "create_schedule"): (26_000, ("schedule", "vault")),
    ("dispatch_vesting", "revoke"): (18_000, ()),
    ("dispatch_vesting", "set_beneficiary"): (9_000, ()),
}

#: Searched PDAs whose seeds the IDL does not give (the account is unchecked and
#: the handler derives it): (program, instruction, account) -> their seeds from the
#: instruction's decoded arguments.
HANDLER_SEEDS: dict[tuple[str, str, str], Callable[[Any], list[bytes]]] = {
    ("dispatch_rewards", "post_root", "epoch_root"): lambda args: [b"epoch", args.args.epoch.to_bytes(8, "little")],
}

#: The Associated Token Account program's ``CreateIdempotent`` (settle creates the
#: worker's account in the same transaction): budget at bump 255 when it creates
#: the account; it searches the associated address's bump too.
ATA_CREATE_IDEMPOTENT = 17_000
#: SPL Token's ``MintToChecked`` (a vesting schedule's genesis transaction mints its funds
#: before ``create_schedule``): its budget, docs/solana-programs.md.
MINT_TO_CHECKED = 1_000
MINT_TO_CHECKED_TAG = 14
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")


def _ata_units(ix: Instruction) -> int | None:
    data = bytes(ix.data)
    if data not in (b"\x01",) or len(ix.accounts) < 6:
        return None  # only CreateIdempotent is budgeted
    ata, owner, mint, token_program = (ix.accounts[i].pubkey for i in (1, 2, 3, 5))
    address, bump = Pubkey.find_program_address(
        [bytes(owner), bytes(token_program), bytes(mint)], ASSOCIATED_TOKEN_PROGRAM
    )
    extra = 255 - bump if address == ata else 0
    return ATA_CREATE_IDEMPOTENT + PER_BUMP * extra


def compute_unit_limit(instructions: Sequence[Instruction]) -> int | None:
    """The CU limit for a transaction of ``instructions``, or None to leave the default.

    None when no instruction calls a Dispatch program, when the caller set a
    limit already, or when an instruction has no known budget.
    """
    from dispatch_chain.solana.programs import registered_program

    total, dispatch = COMPUTE_BUDGET_INSTRUCTION, False
    for ix in instructions:
        if ix.program_id == COMPUTE_BUDGET_PROGRAM:
            return None
        if ix.program_id == ASSOCIATED_TOKEN_PROGRAM:
            units = _ata_units(ix)
        elif ix.program_id == TOKEN_PROGRAM:
            units = MINT_TO_CHECKED if bytes(ix.data)[:1] == bytes([MINT_TO_CHECKED_TAG]) else None
        else:
            program = registered_program(ix.program_id)
            units = None if program is None else program.compute_units(ix)
            dispatch = dispatch or units is not None
        if units is None:
            return None
        total += units
    return total if dispatch else None


def set_compute_unit_limit(units: int) -> Instruction:
    """ComputeBudget's ``SetComputeUnitLimit(units)``."""
    return Instruction(COMPUTE_BUDGET_PROGRAM, bytes([2]) + units.to_bytes(4, "little"), [])
