"""dispatch_staking end to end: tiers at every boundary, cooldown, typed failures, the tier reader."""

from __future__ import annotations

import time

import pytest
from conftest import COOLDOWN, funded, holder
from solders.keypair import Keypair

from dispatch_chain.protocol import BOLT, Tier
from dispatch_chain.solana import errors
from dispatch_chain.solana.bolt import associated_token_account, token_balance
from dispatch_chain.solana.staking import TierReader

BOUNDARIES = [
    (100 * BOLT - 1, Tier.OPEN),  # 99.999999999 BOLT
    (100 * BOLT, Tier.VERIFIED),
    (1_000 * BOLT - 1, Tier.VERIFIED),  # 999.999999999 BOLT
    (1_000 * BOLT, Tier.SENTINEL),
]


def test_tier_reads_agree_with_stake_at_each_boundary(solana, deployed) -> None:
    workers = []
    for amount, tier in BOUNDARIES:
        worker = holder(solana, deployed, amount, "worker_rewards")
        deployed.staking.stake(worker, amount)
        workers.append((worker.pubkey(), amount, tier))
    unstaked = funded(solana).pubkey()
    reader = TierReader(deployed.staking)
    stakes = reader.stakes([w for w, _, _ in workers] + [unstaked])
    for worker, amount, tier in workers:
        assert stakes[worker].active == amount and stakes[worker].tier is tier
    assert stakes[unstaked].tier is Tier.OPEN and stakes[unstaked].active == 0
    assert deployed.staking.stake_of(workers[3][0]).tier is Tier.SENTINEL


def test_unstake_cooldown_and_withdraw(solana, deployed) -> None:
    worker = holder(solana, deployed, 1_000 * BOLT, "worker_rewards")
    deployed.staking.stake(worker, 1_000 * BOLT)
    deployed.staking.request_unstake(worker, 1 * BOLT)
    stake = deployed.staking.stake_of(worker.pubkey())
    assert stake.tier is Tier.VERIFIED and stake.pending == BOLT  # pending stake does not count
    with pytest.raises(errors.CooldownNotElapsed):
        deployed.staking.withdraw(worker)
    deployed.staking.cancel_unstake(worker)
    assert deployed.staking.stake_of(worker.pubkey()).tier is Tier.SENTINEL
    deployed.staking.request_unstake(worker, 400 * BOLT)
    time.sleep(COOLDOWN + 1)
    deployed.staking.withdraw(worker)
    stake = deployed.staking.stake_of(worker.pubkey())
    assert (stake.active, stake.pending, stake.tier) == (600 * BOLT, 0, Tier.VERIFIED)
    assert token_balance(solana, associated_token_account(worker.pubkey(), deployed.mint)) == 400 * BOLT


def test_typed_failures(solana, deployed) -> None:
    worker = holder(solana, deployed, 50 * BOLT, "worker_rewards")
    with pytest.raises(errors.ZeroAmount):
        deployed.staking.stake(worker, 0)
    deployed.staking.stake(worker, 50 * BOLT)
    with pytest.raises(errors.NothingPending):
        deployed.staking.cancel_unstake(worker)
    with pytest.raises(errors.InsufficientStake):
        deployed.staking.request_unstake(worker, 51 * BOLT)
    other = holder(solana, deployed, 10 * BOLT, "worker_rewards")
    with pytest.raises(errors.WrongTokenOwner):  # staking someone else's tokens
        deployed.staking.stake(worker, 10 * BOLT,
                               worker_token=associated_token_account(other.pubkey(), deployed.mint))
    with pytest.raises(errors.Unauthorized):
        deployed.staking.update_config(worker, verified_threshold=1, sentinel_threshold=2, cooldown_seconds=0)
    with pytest.raises(errors.InvalidThresholds):
        deployed.staking.update_config(deployed.admin, verified_threshold=2 * BOLT, sentinel_threshold=BOLT,
                                       cooldown_seconds=COOLDOWN)


def test_tier_reader_batches_and_caches(solana, deployed) -> None:
    workers = [Keypair().pubkey() for _ in range(250)]  # unstaked: OPEN, no account
    now = [0.0]
    reader = TierReader(deployed.staking, ttl=30, clock=lambda: now[0])
    before = solana.rpc_requests
    reader.tiers(workers)
    assert solana.rpc_requests - before == 3  # the config rides in the first of 3 getMultipleAccounts
    reader.tiers(workers)
    assert solana.rpc_requests - before == 3  # cached
    now[0] = 31
    reader.tiers(workers[:10])
    assert solana.rpc_requests - before == 4


def test_fast_stake_decoding_equals_the_idl_decoder(solana, deployed) -> None:
    from dispatch_chain.solana.staking import StakingClient

    worker = holder(solana, deployed, 321 * BOLT, "worker_rewards")
    deployed.staking.stake(worker, 321 * BOLT)
    deployed.staking.request_unstake(worker, 21 * BOLT)
    account = solana.account(deployed.staking.stake_address(worker.pubkey()))
    config = deployed.staking.config()
    fast = deployed.staking.decode_stake(worker.pubkey(), account, config)
    slow_client = StakingClient(solana, deployed.staking.program)
    slow_client._stake_discriminator = None  # force the IDL coder
    assert fast == slow_client.decode_stake(worker.pubkey(), account, config)
    assert (fast.active, fast.pending, fast.tier) == (300 * BOLT, 21 * BOLT, Tier.VERIFIED) and fast.unlock_at > 0
