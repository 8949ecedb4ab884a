"""Demo stages on Solana: BOLT and the programs, workers staking into tiers, settlement with the burn."""

from __future__ import annotations

import shutil
from contextlib import ExitStack

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.demo.state import DemoState, SolanaDemo
from dispatch_chain.demo.tokenomics_stage import genesis
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.keys import save_keypair_bytes
from dispatch_chain.protocol import BOLT, BOLT_SUPPLY, PRICING_USD, format_bolt, protocol_fee
from dispatch_chain.solana.bolt import read_mint, transfer
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.deploy import ProgramSettings, init_programs

SOL = 1_000_000_000
BOLT_USD = 0.01  # an assumed BOLT price for turning USDC job prices into BOLT settlements
#: How much each demo worker stakes (in BOLT), so that every tier appears; the rest stay OPEN.
STAKE_PLAN = (1_500, 1_000, 250, 100, 40)
COORDINATOR_FLOAT = 10_000 * BOLT  # BOLT the coordinator holds for settlements (from the community allocation)


def _keypair(state: DemoState, name: str) -> Keypair:
    """A throwaway demo key, saved under OUT/keys so the CLI can use it with --keep-running."""
    keypair = Keypair()
    save_keypair_bytes(state.options.out / "keys" / f"{name}.json", bytes(keypair))
    return keypair


def deploy_solana(state: DemoState, stack: ExitStack) -> None:
    """BOLT (1B, 9 decimals, each allocation in its vault or schedule, mint authority revoked) and the
    three programs' configs."""
    assert state.connections is not None
    shutil.rmtree(state.options.out / "keys", ignore_errors=True)
    assert state.solana_node is not None
    client = state.connections.solana
    # The programs' admin is their upgrade authority, the node's deployer: only it may initialise them.
    admin = state.solana_node.deployer
    state.solana_node.write_deployer(state.options.out / "keys" / "admin.json")
    coordinator, mint = _keypair(state, "coordinator"), _keypair(state, "bolt-mint")
    client.airdrop(coordinator.pubkey(), 10 * SOL)
    manifest, network = state.connections.profile.manifest, state.connections.profile.name
    info, owners = genesis(state, admin, mint)
    init_programs(
        client,
        admin,
        mint.pubkey(),
        program_ids={},
        anchorers=[coordinator.pubkey()],
        settings=ProgramSettings(cooldown_seconds=60),
        manifest=manifest,
        network=network,
        progress=state.progress.note,
    )
    state.connections.reload_manifest()  # it now has the Solana deployments
    state.solana = SolanaDemo(mint.pubkey(), owners, admin, coordinator)
    state.report["bolt"] = {"mint": str(mint.pubkey()), "supply_at_genesis": info.supply}


def _supply(client: SolanaClient, mint: Pubkey) -> int:
    info = read_mint(client, mint)
    if info is None:
        raise DispatchChainError(f"the BOLT mint {mint} is gone")
    return info.supply


def stake_workers(state: DemoState, stack: ExitStack) -> None:
    """Workers (their ed25519 keys are Solana keys) get BOLT from the community allocation and stake."""
    assert state.connections is not None and state.workload is not None and state.solana is not None
    client, staking = state.connections.solana, state.connections.staking()
    community = state.solana.owners["community"]
    for worker, tokens in zip(state.workload.workers, STAKE_PLAN, strict=False):
        keypair = Keypair.from_seed(bytes(worker.key))
        client.airdrop(keypair.pubkey(), SOL)
        transfer(client, community, keypair.pubkey(), tokens * BOLT, state.solana.mint)
        staking.stake(keypair, tokens * BOLT)
    reader = state.connections.tier_reader()
    stakes = reader.stakes(Keypair.from_seed(bytes(w.key)).pubkey() for w in state.workload.workers)
    for worker in state.workload.workers:
        stake = stakes[Keypair.from_seed(bytes(worker.key)).pubkey()]
        state.tiers[worker.pubkey] = stake.tier
        state.progress.note(f"{worker.name}: {stake.active / BOLT:g} BOLT staked -> {stake.tier.name}")


def settle_jobs(state: DemoState, stack: ExitStack) -> None:
    """Every successful, verified job is settled in BOLT; 5 % of each settlement is burned."""
    assert state.connections is not None and state.workload is not None and state.solana is not None
    assert state.verification is not None
    client, settlement, sol = state.connections.solana, state.connections.settlement(), state.solana
    transfer(client, sol.owners["community"], sol.coordinator.pubkey(), COORDINATOR_FLOAT, sol.mint)
    jobs = {job.job_id: job for job in state.workload.jobs}
    due = [s for s in state.verification.valid if jobs[s.receipt.job_id].succeeded]
    supply_before = _supply(client, sol.mint)
    settled = burned = 0
    for n, signed in enumerate(due, 1):
        price = PRICING_USD[jobs[signed.receipt.job_id].pricing]
        amount = round(price / BOLT_USD * BOLT)
        record = settlement.settle(
            sol.coordinator,
            signed.receipt.job_id,
            Keypair.from_seed(bytes(jobs[signed.receipt.job_id].worker.key)).pubkey(),
            amount,
            signed.receipt.receipt_hash(),
        )
        settled += record.amount
        burned += record.fee
        state.progress.count("settlements", n, len(due))
    again = settlement.settle(
        sol.coordinator,
        due[0].receipt.job_id,
        Keypair.from_seed(bytes(jobs[due[0].receipt.job_id].worker.key)).pubkey(),
        1,
        due[0].receipt.receipt_hash(),
    )
    supply_after = _supply(client, sol.mint)
    if supply_before - supply_after != burned or burned != sum(
        protocol_fee(round(PRICING_USD[jobs[s.receipt.job_id].pricing] / BOLT_USD * BOLT)) for s in due
    ):
        raise DispatchChainError(f"burn mismatch: supply fell by {supply_before - supply_after}, fees {burned}")
    state.progress.note(
        f"{len(due)} jobs settled: {format_bolt(settled)} BOLT, {format_bolt(burned)} burned;"
        f" settling {due[0].receipt.job_id} again changed nothing (slot {again.slot})"
    )
    state.report["settlement"] = {
        "jobs": len(due),
        "settled": format_bolt(settled),
        "burned": format_bolt(burned),
        "supply": format_bolt(supply_after),
        "burned_total": format_bolt(BOLT_SUPPLY - supply_after),
        "bolt_usd_assumed": BOLT_USD,
    }
