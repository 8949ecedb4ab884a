"""dispatch_settlement end to end: payment, the 5 % burn, one settlement per job, typed failures."""

from __future__ import annotations

import os

import pytest
from conftest import funded, holder
from solders.keypair import Keypair

from dispatch_chain.protocol import BOLT, BOLT_SUPPLY, protocol_fee
from dispatch_chain.solana import errors
from dispatch_chain.solana.bolt import associated_token_account, read_mint, token_balance


def test_supply_drops_by_exactly_five_percent_of_each_settlement(solana, deployed) -> None:
    assert read_mint(solana, deployed.mint).supply == BOLT_SUPPLY  # before any settlement
    coordinator = holder(solana, deployed, 10_000 * BOLT)
    workers = [Keypair().pubkey() for _ in range(3)]
    amounts = [100 * BOLT, 37 * BOLT + 123_456_789, 19]  # the last one is too small to carry a fee
    supply = read_mint(solana, deployed.mint).supply
    for n, (worker, amount) in enumerate(zip(workers, amounts, strict=True)):
        record = deployed.settlement.settle(coordinator, f"burn-{n}", worker, amount, os.urandom(32))
        fee = protocol_fee(amount)
        assert record.fee == fee and record.amount == amount and record.signature
        assert token_balance(solana, associated_token_account(worker, deployed.mint)) == amount - fee
        new_supply = read_mint(solana, deployed.mint).supply
        assert supply - new_supply == fee
        supply = new_supply
    assert protocol_fee(100 * BOLT) == 5 * BOLT
    assert BOLT_SUPPLY - supply == sum(protocol_fee(a) for a in amounts)
    config = deployed.settlement.config()
    assert config.fee_bps == 500
    assert config.total_burned >= sum(protocol_fee(a) for a in amounts)


def test_a_job_is_settled_once(solana, deployed) -> None:
    coordinator = holder(solana, deployed, 1_000 * BOLT)
    worker = Keypair().pubkey()
    first = deployed.settlement.settle(coordinator, "once", worker, 10 * BOLT, b"\x01" * 32)
    again = deployed.settlement.settle(coordinator, "once", worker, 10 * BOLT, b"\x01" * 32)  # idempotent
    assert again.signature is None and again.slot == first.slot
    with pytest.raises(errors.AlreadySettled) as info:  # a different transaction for the same job
        deployed.settlement.settle_strict(coordinator, "once", worker, 11 * BOLT, b"\x01" * 32)
    assert info.value.code == 6000 + 6 and info.value.program == str(deployed.settlement.program.program_id)
    assert token_balance(solana, associated_token_account(worker, deployed.mint)) == 10 * BOLT - protocol_fee(10 * BOLT)


def test_insufficient_balance(solana, deployed) -> None:
    coordinator = holder(solana, deployed, 5 * BOLT)
    with pytest.raises(errors.InsufficientBalance):
        deployed.settlement.settle_strict(coordinator, "too-much", Keypair().pubkey(), 6 * BOLT, b"\x02" * 32)
    assert deployed.settlement.record(coordinator.pubkey(), "too-much") is None


def test_wrong_mint(solana, deployed, bolt) -> None:
    from dispatch_chain.protocol import DISTRIBUTION
    from dispatch_chain.solana.bolt import create_bolt, whitepaper_allocations

    other_payer, other_mint = funded(solana), Keypair()
    coordinator = funded(solana)
    owners = {name: coordinator.pubkey() if name == "team" else Keypair().pubkey() for name, _ in DISTRIBUTION}
    create_bolt(solana, other_payer, other_mint, whitepaper_allocations(owners))  # a look-alike token
    fake_source = associated_token_account(coordinator.pubkey(), other_mint.pubkey())
    with pytest.raises(errors.WrongMint):
        deployed.settlement.settle_strict(coordinator, "fake-bolt", Keypair().pubkey(), BOLT, b"\x03" * 32,
                                          coordinator_token=fake_source)


def test_wrong_signer(solana, deployed) -> None:
    victim = holder(solana, deployed, 100 * BOLT)
    thief = funded(solana)
    with pytest.raises(errors.WrongTokenOwner):  # spending someone else's BOLT
        deployed.settlement.settle_strict(thief, "theft", thief.pubkey(), 10 * BOLT, b"\x04" * 32,
                                          coordinator_token=associated_token_account(victim.pubkey(), deployed.mint))
    with pytest.raises(errors.Unauthorized):  # only the admin changes the fee
        deployed.settlement.set_fee(thief, 100)


def test_fee_cap_and_admin_fee_change(solana, deployed) -> None:
    with pytest.raises(errors.FeeTooHigh):
        deployed.settlement.set_fee(deployed.admin, 1_001)
    deployed.settlement.set_fee(deployed.admin, 500)
    assert deployed.settlement.config().fee_bps == 500


def test_bad_job_ids_are_refused_before_sending(solana, deployed) -> None:
    from dispatch_chain.errors import DispatchChainError

    coordinator = holder(solana, deployed, BOLT)
    with pytest.raises(DispatchChainError, match="1 to 64 UTF-8 bytes"):
        deployed.settlement.settle(coordinator, "x" * 65, Keypair().pubkey(), 1, b"\x05" * 32)
