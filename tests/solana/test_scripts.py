"""The deploy and operator scripts of scripts/solana/, run as a deployer runs them, against the local node.

Each script is a separate process with --url, a keypair file and a manifest
path, exactly like a run against devnet; the chain state is then checked with
the Python adapter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SOL

from dispatch_chain.deployments import load_manifest
from dispatch_chain.protocol import BOLT, BOLT_SUPPLY, Tier
from dispatch_chain.solana.bolt import read_mint, transfer
from dispatch_chain.solana.deploy import load_or_create_keypair
from dispatch_chain.solana.programs import STAKING, IdlProgram
from dispatch_chain.solana.staking import StakingClient

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "solana"
COOLDOWN = 8  # seconds: longer than starting a script, so the early withdrawal is early


@pytest.fixture(scope="module")
def deployer(solana, solana_node, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scripts")
    payer = load_or_create_keypair(folder / "payer.json")
    env = {**os.environ, "DISPATCH_KEY_DIR": str(folder / "keys"), "DISPATCH_MANIFEST": str(folder / "local.json")}

    def run(script: str, *args: str, keypair: Path = folder / "payer.json") -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(SCRIPTS / script), "--network", "local",
                   "--url", solana_node.url, "--keypair", str(keypair), *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    run.deployer = solana_node.write_deployer(folder / "deployer.json")  # type: ignore[attr-defined]
    return folder, payer, run


def test_scripts_deploy_stake_unstake_settle(solana, deployer) -> None:
    folder, payer, run = deployer
    team = folder / "team.json"  # one grant of the whole 150M
    team.write_text(json.dumps([{"label": "all", "beneficiary": str(payer.pubkey()), "amount": str(150_000_000 * BOLT)}]))
    created = run("create_bolt.py", "--team-file", str(team), "--generate-owners", "--airdrop", "10")
    assert created.returncode == 0, created.stderr
    assert "supply 1,000,000,000 BOLT, mint authority None, freeze authority None" in created.stdout
    again = run("create_bolt.py", "--team-file", str(team), "--generate-owners")  # resumable: a second run mints nothing
    assert again.returncode == 0, again.stderr
    manifest = load_manifest(folder / "local.json").require_solana()
    mint = load_or_create_keypair(folder / "keys" / "local" / "bolt-mint.json").pubkey()
    assert manifest.account("bolt_mint") == str(mint)
    info = read_mint(solana, mint)
    assert info is not None and info.supply == BOLT_SUPPLY

    # Only the programs' upgrade authority (the node's deployer) may initialise them.
    refused = run("init_programs.py", "--cooldown", str(COOLDOWN))
    assert refused.returncode != 0 and "only the upgrade authority of dispatch_staking" in refused.stderr, refused.stderr
    initialised = run("init_programs.py", "--cooldown", str(COOLDOWN), keypair=run.deployer)
    assert initialised.returncode == 0, initialised.stderr
    staking = StakingClient(solana, IdlProgram.load(STAKING))
    assert staking.config().cooldown_seconds == COOLDOWN

    worker_file = folder / "worker.json"
    worker = load_or_create_keypair(worker_file)
    solana.airdrop(worker.pubkey(), SOL)
    rewards = load_or_create_keypair(folder / "keys" / "local" / "allocations" / "community.json")
    solana.airdrop(rewards.pubkey(), SOL)  # generated allocation keys hold BOLT but no SOL for fees
    transfer(solana, rewards, worker.pubkey(), 200 * BOLT, mint)

    staked = run("stake.py", "99.999999999", keypair=worker_file)  # exact decimals, no float rounding
    assert staked.returncode == 0, staked.stderr
    assert "active 99.999999999, tier OPEN" in staked.stdout
    staked = run("stake.py", "0.000000001", keypair=worker_file)
    assert staked.returncode == 0 and "active 100.000000000, tier VERIFIED" in staked.stdout
    assert staking.stake_of(worker.pubkey()).active == 100 * BOLT

    unstaked = run("unstake.py", "40", keypair=worker_file)
    assert unstaked.returncode == 0, unstaked.stderr
    assert "pending 40.000000000 BOLT" in unstaked.stdout and "tier OPEN" in unstaked.stdout
    early = run("withdraw.py", keypair=worker_file)
    assert early.returncode != 0
    assert "CooldownNotElapsed" in early.stderr, early.stderr
    time.sleep(max(0.0, staking.stake_of(worker.pubkey()).unlock_at + 1 - time.time()))  # the node's clock is wall time
    withdrawn = run("withdraw.py", keypair=worker_file)
    assert withdrawn.returncode == 0, withdrawn.stderr
    stake = staking.stake_of(worker.pubkey())
    assert (stake.active, stake.pending, stake.tier) == (60 * BOLT, 0, Tier.OPEN)

    community = load_or_create_keypair(folder / "keys" / "local" / "allocations" / "community.json")
    solana.airdrop(community.pubkey(), SOL)
    transfer(solana, community, payer.pubkey(), 1_000 * BOLT, mint)
    receipt_hash = "0x" + "ab" * 32
    settled = run("settle.py", "job-1", str(worker.pubkey()), "10", "--receipt-hash", receipt_hash)
    assert settled.returncode == 0, settled.stderr
    assert "10.000000000 BOLT, 0.500000000 burned, 9.500000000 to" in settled.stdout
    twice = run("settle.py", "job-1", str(worker.pubkey()), "10", "--receipt-hash", receipt_hash)
    assert twice.returncode == 0 and "(already settled)" in twice.stdout
    after = read_mint(solana, mint)
    assert after is not None and after.supply == BOLT_SUPPLY - BOLT // 2


def test_scripts_reject_bad_amounts_before_sending(deployer) -> None:
    folder, _, run = deployer
    for amount, reason in (("1e3", "is not a BOLT amount"), ("1.0000000001", "more than 9 decimals"),
                           ("-5", "is not a BOLT amount")):
        result = run("stake.py", "--", amount, keypair=folder / "payer.json")
        assert result.returncode == 2, (amount, result.stdout, result.stderr)
        assert reason in result.stderr
