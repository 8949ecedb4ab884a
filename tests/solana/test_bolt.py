"""BOLT: fixed supply, whitepaper distribution, no mint or freeze authority, resumable creation."""

from __future__ import annotations

import pytest
import spl.token.instructions as token_ix
from conftest import funded
from solders.keypair import Keypair

from dispatch_chain.protocol import BOLT, BOLT_SUPPLY, DISTRIBUTION
from dispatch_chain.solana.bolt import (
    BoltError,
    associated_token_account,
    create_bolt,
    read_mint,
    token_balance,
    whitepaper_allocations,
)
from dispatch_chain.solana.client import TOKEN_PROGRAM
from dispatch_chain.solana.errors import TokenProgramError


def test_supply_and_distribution(solana, bolt) -> None:
    mint, owners = bolt
    info = read_mint(solana, mint)
    assert info.supply == BOLT_SUPPLY == 1_000_000_000 * BOLT
    assert info.decimals == 9
    assert info.mint_authority is None and info.freeze_authority is None
    balances = {name: token_balance(solana, associated_token_account(owners[name].pubkey(), mint))
                for name, _ in DISTRIBUTION}
    assert balances == {name: share * 10_000_000 * BOLT for name, share in DISTRIBUTION}
    assert balances["worker_rewards"] == 400_000_000 * BOLT


def test_nobody_can_mint_more(solana, bolt) -> None:
    mint, owners = bolt
    holder = owners["treasury"]
    ix = token_ix.mint_to_checked(token_ix.MintToCheckedParams(
        program_id=TOKEN_PROGRAM, mint=mint, dest=associated_token_account(holder.pubkey(), mint),
        mint_authority=holder.pubkey(), amount=1, decimals=9))
    with pytest.raises(TokenProgramError, match="FixedSupply"):
        solana.send([ix], [holder])
    assert read_mint(solana, mint).supply == BOLT_SUPPLY


def test_a_crash_mid_distribution_is_finished_by_a_rerun(solana) -> None:
    payer, mint = funded(solana), Keypair()
    owners = {name: Keypair().pubkey() for name, _ in DISTRIBUTION}
    allocations = whitepaper_allocations(owners)
    # First run dies after two allocations: replay exactly what it had sent.
    partial = [(n, o, a) for n, o, a in allocations]
    sent = []

    class Crash(Exception):
        pass

    def stop_after_two(message: str) -> None:
        sent.append(message)
        if len(sent) == 3:  # mint created + two allocations
            raise Crash()

    with pytest.raises(Crash):
        create_bolt(solana, payer, mint, partial, progress=stop_after_two)
    assert read_mint(solana, mint.pubkey()).supply == sum(a for _, _, a in allocations[:2])
    info = create_bolt(solana, payer, mint, allocations)
    assert info.supply == BOLT_SUPPLY and info.mint_authority is None
    for _name, owner, amount in allocations:
        assert token_balance(solana, associated_token_account(owner, mint.pubkey())) == amount


def test_wrong_allocations_and_wrong_mint_are_refused(solana) -> None:
    payer = funded(solana)
    owners = {name: Keypair().pubkey() for name, _ in DISTRIBUTION}
    allocations = whitepaper_allocations(owners)
    with pytest.raises(BoltError, match="add up to exactly"):
        create_bolt(solana, payer, Keypair(), allocations[:-1])
    with pytest.raises(BoltError, match="no owner given"):
        whitepaper_allocations({"team": owners["team"]})
    # A mint with 6 decimals already at that address is not BOLT.
    mint = Keypair()
    from solders.system_program import CreateAccountParams, create_account

    rent = solana.rpc.get_minimum_balance_for_rent_exemption(82).value
    solana.send([create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=mint.pubkey(),
                                                    lamports=rent, space=82, owner=TOKEN_PROGRAM)),
                 token_ix.initialize_mint(token_ix.InitializeMintParams(decimals=6, program_id=TOKEN_PROGRAM,
                                                                        mint=mint.pubkey(),
                                                                        mint_authority=payer.pubkey()))],
                [payer, mint])
    with pytest.raises(BoltError, match="6 decimals"):
        create_bolt(solana, payer, mint, allocations)
