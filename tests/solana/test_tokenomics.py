"""The BOLT genesis into its vaults, rewards and vesting over RPC, on the local node.

create-bolt runs as a separate process and is SIGKILLed between two steps,
then finished by a rerun; dispatch_rewards is initialised by its upgrade
authority only; an epoch is computed from on-chain settlement records,
posted and claimed through the CLI; the treasury sits in the governance
receiver's vault, which no key can move (the receiver is initialised over
it afterwards); the node's clock is warped (a local-only RPC) to open the
liquidity lock; `bolt distribution` adds up.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import SOL, compute_limit
from solders.pubkey import Pubkey

from dispatch_chain.deployments import load_manifest
from dispatch_chain.governance.solana import GovernanceReceiver
from dispatch_chain.protocol import BOLT, BOLT_SUPPLY
from dispatch_chain.rewards.program import RewardsClient
from dispatch_chain.solana.bolt import associated_token_account, read_mint, token_balance, transfer
from dispatch_chain.solana.budgets import BUDGETS, PER_BUMP
from dispatch_chain.solana.deploy import ProgramSettings, init_programs, load_or_create_keypair
from dispatch_chain.solana.errors import ExceedsReleased
from dispatch_chain.solana.genesis import ALLOCATION, LIQUIDITY_LOCK
from dispatch_chain.solana.programs import SETTLEMENT, STAKING, IdlProgram
from dispatch_chain.solana.settlement import SettlementClient
from dispatch_chain.solana.staking import StakingClient
from dispatch_chain.solana.vesting import VestingClient

M = 1_000_000 * BOLT
_key = Pubkey.from_string
WEEK = 7 * 24 * 3600
TEAM = [("alice", 100 * M), ("bob", 30 * M + 1), ("carol", 20 * M - 1)]


@pytest.fixture(scope="module")
def env(solana, solana_node, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tokenomics")
    payer = load_or_create_keypair(folder / "payer.json")
    solana.airdrop(payer.pubkey(), 20 * SOL)
    members = {label: load_or_create_keypair(folder / f"{label}.json") for label, _ in TEAM}
    team_file = folder / "team.json"
    team_file.write_text(json.dumps([{"label": label, "beneficiary": str(members[label].pubkey()), "amount": str(amount)}
                                     for label, amount in TEAM]))
    environ = {**os.environ, "DISPATCH_KEY_DIR": str(folder / "keys"), "DISPATCH_MANIFEST": str(folder / "local.json")}
    deployer = solana_node.write_deployer(folder / "deployer.json")

    def command(*args: str, keypair: Path = folder / "payer.json") -> list[str]:
        return [sys.executable, "-m", "dispatch_chain.cli", "--network", "local", *args, "--url", solana_node.url,
                "--keypair", str(keypair)]

    def run(*args: str, keypair: Path = folder / "payer.json") -> subprocess.CompletedProcess[str]:
        return subprocess.run(command(*args, keypair=keypair), env=environ, capture_output=True, text=True, timeout=120)

    return SimpleNamespace(folder=folder, payer=payer, members=members, team_file=team_file, environ=environ,
                           deployer=deployer, command=command, run=run, keys=folder / "keys" / "local")


def test_create_bolt_killed_between_steps_is_finished_by_a_rerun(solana, env) -> None:
    create = ("solana", "create-bolt", "--team-file", str(env.team_file), "--generate-owners")
    process = subprocess.Popen(env.command(*create), env=env.environ, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True)
    assert process.stderr is not None
    lines = []
    while len(lines) < 3:  # the mint, the rewards vault, the first team schedule
        line = process.stderr.readline()
        assert line, f"create-bolt ended early: {lines}"
        lines.append(line)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    time.sleep(0.5)
    mint = load_or_create_keypair(env.keys / "bolt-mint.json").pubkey()
    partial = read_mint(solana, mint)
    assert partial is not None and partial.mint_authority == env.payer.pubkey()
    assert partial.supply in (ALLOCATION["worker_rewards"] + TEAM[0][1], ALLOCATION["worker_rewards"] + TEAM[0][1] + TEAM[1][1])

    # A rerun whose team file changed a grant that is already placed is refused before anything is sent.
    changed = env.folder / "changed.json"
    grants = json.loads(env.team_file.read_text())
    grants[0]["beneficiary"] = str(env.payer.pubkey())
    changed.write_text(json.dumps(grants))
    refused = env.run("solana", "create-bolt", "--team-file", str(changed), "--generate-owners")
    assert refused.returncode == 2 and "team:alice" in refused.stderr and "not as asked" in refused.stderr
    assert read_mint(solana, mint).supply == partial.supply

    finished = env.run(*create)
    assert finished.returncode == 0, finished.stderr
    assert "supply 1,000,000,000 BOLT, mint authority None, freeze authority None" in finished.stdout
    assert "alice" not in finished.stderr  # placed by the killed run, not again
    again = env.run(*create)
    assert again.returncode == 0 and "BOLT:" not in again.stderr, again.stderr
    # A rerun must ask for the same schedules: another genesis time is refused.
    other_time = env.run(*create, "--genesis-ts", "1")
    assert other_time.returncode == 3 and "records genesis time" in other_time.stderr, other_time.stderr

    manifest = load_manifest(env.folder / "local.json").require_solana()
    rewards = RewardsClient(solana, IdlProgram.load("dispatch_rewards"))
    vesting = VestingClient(solana, IdlProgram.load("dispatch_vesting"))
    assert token_balance(solana, rewards.rewards.vault_address(mint)) == 400 * M
    # The treasury: minted into the governance receiver's vault (its config PDA's token account), no schedule.
    receiver = GovernanceReceiver(solana)
    assert manifest.account("governance_config") == str(receiver.config_address)
    assert manifest.account("allocation.treasury") == str(receiver.treasury_address(mint))
    assert token_balance(solana, receiver.treasury_address(mint)) == 150 * M
    assert "treasury_admin" not in manifest.accounts
    assert not [name for name in manifest.accounts if name.startswith("schedule.treasury")]
    genesis = int(manifest.account("genesis_ts"))
    for label, amount in TEAM:
        s = vesting.schedule_at(_key(manifest.account(f"schedule.team.team:{label}")))
        assert (s.beneficiary, s.total, token_balance(solana, s.vault)) == (env.members[label].pubkey(), amount, amount)
        assert (s.cliff_ts, s.end_ts, s.revoke_authority) == (genesis + 365 * 86400, genesis + 4 * 365 * 86400, None)
    liquidity = vesting.schedule_at(_key(manifest.account("schedule.liquidity.liquidity")))
    assert (liquidity.total, liquidity.is_lock, liquidity.end_ts) == (100 * M, True, genesis + 365 * 86400)
    for name in ("community", "hackathon", "partners"):
        assert token_balance(solana, _key(manifest.account(f"allocation.{name}"))) == ALLOCATION[name]
    assert token_balance(solana, associated_token_account(env.payer.pubkey(), mint)) == 0  # nothing left behind
    assert read_mint(solana, mint).supply == BOLT_SUPPLY


def test_a_bad_team_file_is_refused_before_anything_is_sent(env, tmp_path) -> None:
    bad = tmp_path / "team.json"
    for content, message in (
        ("[", "not JSON"),
        (json.dumps([{"label": "x", "beneficiary": "nope", "amount": "1"}]), "grant 0 (x): beneficiary"),
        (json.dumps([{"label": "x", "beneficiary": str(env.payer.pubkey()), "amount": "1.5"}]), "whole number"),
        (json.dumps([{"label": "x", "beneficiary": str(env.payer.pubkey()), "amount": str(10 * M)}]), "add up to"),
    ):
        bad.write_text(content)
        result = env.run("solana", "create-bolt", "--team-file", str(bad), "--generate-owners")
        assert result.returncode == 2 and message in result.stderr, result.stderr


def _landed_within_its_limit(solana, stdout: str) -> int:
    """The CU the transaction a command printed ("tx <signature>") consumed, checked against its limit."""
    found = re.search(r"tx (\w+)", stdout)
    assert found, stdout
    limit, consumed, _ = compute_limit(solana, found.group(1))
    assert consumed <= limit < 200_000, (consumed, limit)
    return consumed


def test_rewards_init_post_and_claim_over_rpc(solana, solana_node, env) -> None:
    mint = load_or_create_keypair(env.keys / "bolt-mint.json").pubkey()
    refused = env.run("rewards", "init")  # the payer is not the program's upgrade authority
    assert refused.returncode == 3 and "only the upgrade authority of dispatch_rewards" in refused.stderr
    initialised = env.run("rewards", "init", keypair=env.deployer)
    assert initialised.returncode == 0, initialised.stderr

    # A SENTINEL worker and a job settled to it; the coordinator pays from the community allocation.
    admin = solana_node.deployer
    init_programs(solana, admin, mint, program_ids={}, anchorers=[admin.pubkey()], settings=ProgramSettings(),
                  manifest=env.folder / "local.json", network="local", progress=lambda m: None)
    community = load_or_create_keypair(env.keys / "allocations" / "community.json")
    solana.airdrop(community.pubkey(), SOL)
    worker_file = env.folder / "worker.json"
    worker, coordinator = load_or_create_keypair(worker_file), load_or_create_keypair(env.folder / "coordinator.json")
    outsider = load_or_create_keypair(env.folder / "outsider.json")
    for key, bolt in ((worker, 1_000), (coordinator, 10_000), (outsider, 0)):
        solana.airdrop(key.pubkey(), SOL)
        if bolt:
            transfer(solana, community, key.pubkey(), bolt * BOLT, mint)
    StakingClient(solana, IdlProgram.load(STAKING)).stake(worker, 1_000 * BOLT)
    settlement = SettlementClient(solana, IdlProgram.load(SETTLEMENT))
    settlement.settle(coordinator, "job-1", worker.pubkey(), 500 * BOLT, bytes(range(32)))
    settlement.settle(coordinator, "job-2", outsider.pubkey(), 300 * BOLT, bytes(range(1, 33)))  # not SENTINEL

    out = env.folder / "claims"
    early = env.run("rewards", "post", "0", "--out", str(out), keypair=env.deployer)
    assert early.returncode == 3 and "EpochNotEnded" in early.stderr, early.stderr
    solana_node.warp_clock(WEEK)
    rewards = RewardsClient(solana, IdlProgram.load("dispatch_rewards"))
    # More than the curve has released: the program's error, as a typed exception and as exit 3.
    with pytest.raises(ExceedsReleased):
        rewards.post(admin, epoch=0, root=bytes(32), total=10 * M, workers=1)
    too_much = env.run("rewards", "post", "0", "--out", str(out), "--budget", str(10 * M), keypair=env.deployer)
    assert too_much.returncode == 3 and "ExceedsReleased" in too_much.stderr, too_much.stderr
    not_distributor = env.run("rewards", "post", "0", "--out", str(out))
    assert not_distributor.returncode == 3 and "NotDistributor" in not_distributor.stderr

    posted = env.run("rewards", "post", "0", "--out", str(out), "--json", keypair=env.deployer)
    assert posted.returncode == 0, posted.stderr
    result = json.loads(posted.stdout)
    assert result["workers"] == 1 and result["signature"]
    limit, consumed, _ = compute_limit(solana, result["signature"])  # the documented budget, bumps added
    epoch_bump = Pubkey.find_program_address([b"epoch", bytes(8)], rewards.rewards.program.program_id)[1]
    assert limit == 150 + BUDGETS[("dispatch_rewards", "post_root")][0] + PER_BUMP * (255 - epoch_bump)
    assert consumed <= limit
    assert env.run("rewards", "post", "0", "--out", str(out), "--json", keypair=env.deployer).returncode == 0
    claim_file = out / "epoch-0" / f"{worker.pubkey()}.json"
    assert not (out / "epoch-0" / f"{outsider.pubkey()}.json").exists()

    wrong_signer = env.run("rewards", "claim", str(claim_file), keypair=env.folder / "outsider.json")
    assert wrong_signer.returncode == 2 and "the claim is" in wrong_signer.stderr
    worker_token = associated_token_account(worker.pubkey(), mint)
    before = token_balance(solana, worker_token)  # what the settlement paid it
    claimed = env.run("rewards", "claim", str(claim_file), keypair=worker_file)
    assert claimed.returncode == 0, claimed.stderr
    assert _landed_within_its_limit(solana, claimed.stdout) > 0
    amount = int(json.loads(claim_file.read_text())["amount"])
    assert amount == int(result["total"]) > 0
    assert token_balance(solana, worker_token) == before + amount
    twice = env.run("rewards", "claim", str(claim_file), keypair=worker_file)
    assert twice.returncode == 3 and "AlreadyClaimed" in twice.stderr


def test_vesting_show_and_claim_with_the_clock_warped(solana, solana_node, env) -> None:
    manifest = load_manifest(env.folder / "local.json").require_solana()
    liquidity = manifest.account("schedule.liquidity.liquidity")
    owner_file = env.keys / "allocations" / "liquidity.json"
    solana.airdrop(load_or_create_keypair(owner_file).pubkey(), SOL)
    early = env.run("vesting", "claim", liquidity, keypair=owner_file)
    assert early.returncode == 3 and "NothingToClaim" in early.stderr, early.stderr
    not_beneficiary = env.run("vesting", "claim", liquidity)
    assert not_beneficiary.returncode == 2 and "beneficiary" in not_beneficiary.stderr

    solana_node.warp_clock(LIQUIDITY_LOCK)
    shown = env.run("vesting", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    by_label = {s["label"]: s for s in json.loads(shown.stdout)["schedules"]}
    assert by_label["liquidity"]["claimable"] == str(100 * M) and "treasury" not in by_label
    assert int(by_label["team:alice"]["vested"]) > 0  # the one-year warp also passed the team cliff
    claimed = env.run("vesting", "claim", liquidity, keypair=owner_file)
    assert claimed.returncode == 0, claimed.stderr
    assert _landed_within_its_limit(solana, claimed.stdout) > 0
    mint_key = load_or_create_keypair(env.keys / "bolt-mint.json").pubkey()
    owner = load_or_create_keypair(owner_file).pubkey()
    assert token_balance(solana, associated_token_account(owner, mint_key)) == 100 * M


def test_the_receiver_initialises_over_the_funded_vault_which_no_key_moves(solana, solana_node, env) -> None:
    """The receiver is initialised after genesis, over the vault genesis funded; the vault's only
    authority is the receiver config, so a plain transfer signed by anyone else fails."""
    from spl.token.constants import TOKEN_PROGRAM_ID
    from spl.token.instructions import TransferCheckedParams, transfer_checked

    from dispatch_chain.hashing import keccak256
    from dispatch_chain.solana.errors import SolanaTransactionError

    mint = load_or_create_keypair(env.keys / "bolt-mint.json").pubkey()
    receiver = GovernanceReceiver(solana)
    vault = receiver.treasury_address(mint)
    assert receiver.find_config() is None  # this module's node: genesis came first
    receiver.initialize(solana_node.deployer, mint=mint, chain_id=keccak256(b"solana:tokenomics"),
                        source_chain=keccak256(b"eip155:31337"), source_emitter=bytes(12) + bytes(range(20)),
                        attesters=[env.payer.pubkey()], threshold=1)
    assert (receiver.config().treasury, receiver.config().treasury_mint) == (vault, mint)
    assert token_balance(solana, vault) == 150 * M
    theft = transfer_checked(TransferCheckedParams(
        program_id=TOKEN_PROGRAM_ID, source=vault, mint=mint, dest=associated_token_account(env.payer.pubkey(), mint),
        owner=env.payer.pubkey(), amount=1, decimals=9))
    with pytest.raises(SolanaTransactionError):
        solana.send([theft], [env.payer])
    assert token_balance(solana, vault) == 150 * M


def test_bolt_distribution_adds_up_to_the_supply(solana, env) -> None:
    shown = env.run("bolt", "distribution", "--json")
    assert shown.returncode == 0, shown.stderr
    d = json.loads(shown.stdout)
    rows = {r["category"]: {k: int(v) for k, v in r.items() if k != "category"} for r in d["categories"]}
    assert sum(r["allocated"] for r in rows.values()) == int(d["total_allocated"]) == BOLT_SUPPLY
    assert all(r["released"] + r["locked"] == r["allocated"] for r in rows.values())
    # What left the vaults plus what is still in them is the whole 1B; the supply is 1B minus the burn.
    supply, burned = int(d["supply"]), int(d["burned"])
    assert sum(r["claimed"] for r in rows.values()) + int(d["in_vaults"]) == BOLT_SUPPLY
    assert supply == read_mint(solana, load_or_create_keypair(env.keys / "bolt-mint.json").pubkey()).supply
    assert supply == BOLT_SUPPLY - burned and burned == 40 * BOLT  # 5 % of the two settlements
    assert rows["treasury"] == {"allocated": 150 * M, "released": 0, "claimed": 0, "locked": 150 * M}  # no spend paid
    assert rows["liquidity"]["claimed"] == 100 * M and rows["liquidity"]["locked"] == 0
    assert rows["worker_rewards"]["claimed"] > 0 and rows["team"]["released"] > rows["team"]["claimed"] == 0
    text = env.run("bolt", "distribution")
    assert text.returncode == 0 and "worker_rewards" in text.stdout and "burned 40" in text.stdout
