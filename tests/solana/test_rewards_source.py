"""An epoch of worker rewards computed from the local node: settlement
records read with getProgramAccounts, SENTINEL workers from their stake, and
the same root from two independent computations."""

from __future__ import annotations

import json
import os
import time

from click.testing import CliRunner
from conftest import holder
from solders.pubkey import Pubkey

from dispatch_chain.cli import main
from dispatch_chain.protocol import BOLT
from dispatch_chain.rewards import RewardTree
from dispatch_chain.rewards.source import epoch_from_chain, settlements_on_chain
from dispatch_chain.solana.staking import TierReader


def test_epoch_from_settlement_records_and_stake(solana, deployed) -> None:
    sentinel = holder(solana, deployed, 1_000 * BOLT)
    verified = holder(solana, deployed, 100 * BOLT)
    deployed.staking.stake(sentinel, 1_000 * BOLT)
    deployed.staking.stake(verified, 100 * BOLT)
    coordinator = holder(solana, deployed, 10_000 * BOLT)
    start = int(time.time()) - 60
    settled = {sentinel.pubkey(): [40 * BOLT, 2 * BOLT + 7], verified.pubkey(): [500 * BOLT]}
    for worker, amounts in settled.items():
        for n, amount in enumerate(amounts):
            deployed.settlement.settle(coordinator, f"{worker}-{n}", worker, amount, os.urandom(32))

    jobs = settlements_on_chain(solana, deployed.settlement.program)
    expected = sorted((w, a) for w, amounts in settled.items() for a in amounts)
    assert sorted((j.worker, j.amount) for j in jobs) == expected
    assert all(start <= j.settled_at < start + 3600 for j in jobs)

    budget = 1_000 * BOLT + 1
    d = epoch_from_chain(solana, deployed.settlement.program, TierReader(deployed.staking), 0,
                         start=start, epoch_seconds=3600, budget=budget)
    assert d.weights == {sentinel.pubkey(): 42 * BOLT + 7}
    assert d.ineligible == {verified.pubkey(): 500 * BOLT}
    assert d.rewards == ((sentinel.pubkey(), budget),)
    again = epoch_from_chain(solana, deployed.settlement.program, TierReader(deployed.staking), 0,
                             start=start, epoch_seconds=3600, budget=budget)
    assert RewardTree(0, again.rewards).root == RewardTree(0, d.rewards).root
    # The next epoch has no settlements yet: nothing to post.
    assert epoch_from_chain(solana, deployed.settlement.program, TierReader(deployed.staking), 1,
                            start=start, epoch_seconds=3600).rewards == ()


def test_cli_epoch_from_chain(solana, deployed, solana_node) -> None:

    sentinel = holder(solana, deployed, 1_000 * BOLT)
    deployed.staking.stake(sentinel, 1_000 * BOLT)
    coordinator = holder(solana, deployed, 1_000 * BOLT)
    start = int(time.time()) - 60
    deployed.settlement.settle(coordinator, "cli-epoch", sentinel.pubkey(), 9 * BOLT, os.urandom(32))
    args = ["--manifest", str(deployed.manifest), "rewards", "epoch", "0", "--start", str(start),
            "--epoch-seconds", "3600", "--from-chain", "--url", solana_node.url, "--json"]
    first = CliRunner().invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    mine = [r for r in data["rewards"] if r["worker"] == str(sentinel.pubkey())]
    assert mine and mine[0]["weight"] == str(9 * BOLT)
    rewards = [(Pubkey.from_string(r["worker"]), int(r["amount"])) for r in data["rewards"]]
    assert data["root"] == "0x" + RewardTree(0, rewards).root.hex()
    assert CliRunner().invoke(main, args, catch_exceptions=False).output == first.output
