"""Demo stages of the BOLT distribution (whitepaper §5.4): genesis into the vaults, one epoch of rewards.

:func:`genesis` creates BOLT with every allocation in its vault or schedule
(worker rewards in dispatch_rewards, the treasury in dispatch_governance's
vault, team grants vesting, liquidity locked); :func:`rewards_epoch` initialises dispatch_rewards,
computes epoch 0 from the demo's settlement records on chain, posts its root,
and has a SENTINEL worker claim its reward with its claim file; then the
distribution table is read from the chain for the report. The demo's node is
local, so the stage moves its clock past the end of the epoch
(``dispatchWarpClock``, a local-only RPC).
"""

from __future__ import annotations

import json
from contextlib import ExitStack

from solders.keypair import Keypair

from dispatch_chain.demo.state import DemoState
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.keys import save_keypair_bytes
from dispatch_chain.protocol import BOLT, Tier, format_bolt
from dispatch_chain.rewards import read_claim_file
from dispatch_chain.rewards.posting import post_epoch
from dispatch_chain.solana.bolt import MintInfo, associated_token_account, token_balance
from dispatch_chain.solana.distribution import read_distribution
from dispatch_chain.solana.genesis import read_team_file
from dispatch_chain.solana.programs import SETTLEMENT
from dispatch_chain.solana.tokenomics import DEFAULT_EPOCH_SECONDS, FREE_CATEGORIES, GenesisPlan, deploy_genesis
from dispatch_chain.solana.tokenomics import init_rewards as init_rewards_program

SOL = 1_000_000_000
TEAM = (("founder", 90_000_000), ("engineer", 45_000_000), ("advisor", 15_000_000))  # BOLT, 150M in all


def _keypair(state: DemoState, name: str) -> Keypair:
    keypair = Keypair()
    save_keypair_bytes(state.options.out / "keys" / f"{name}.json", bytes(keypair))
    return keypair


def genesis(state: DemoState, admin: Keypair, mint: Keypair) -> tuple[MintInfo, dict[str, Keypair]]:
    """BOLT into its vaults and schedules, created by ``admin``; returns the mint and the demo's keys
    (the free categories' owners, ``liquidity``, ``team:<label>``)."""
    assert state.connections is not None
    client = state.connections.solana
    keys = {name: _keypair(state, f"allocation-{name}") for name in (*FREE_CATEGORIES, "liquidity")}
    team = {label: _keypair(state, f"team-{label}") for label, _ in TEAM}
    team_file = state.options.out / "team.json"
    team_file.write_text(
        json.dumps(
            [
                {"label": label, "beneficiary": str(team[label].pubkey()), "amount": str(bolt * BOLT)}
                for label, bolt in TEAM
            ],
            indent=2,
        )
    )
    for name in FREE_CATEGORIES:
        client.airdrop(keys[name].pubkey(), 10 * SOL)
    plan = GenesisPlan(
        team=read_team_file(team_file),
        liquidity_beneficiary=keys["liquidity"].pubkey(),
        team_revoke_authority=None,
        owners={name: keys[name].pubkey() for name in FREE_CATEGORIES},
    )
    info = deploy_genesis(
        client,
        admin,
        mint,
        plan,
        manifest=state.connections.profile.manifest,
        network=state.connections.profile.name,
        progress=state.progress.note,
    )
    return info, {**keys, **{f"team:{label}": k for label, k in team.items()}}


def rewards_epoch(state: DemoState, stack: ExitStack) -> None:
    """Epoch 0 of worker rewards from the demo's settlements: posted, claimed by a SENTINEL worker."""
    assert state.connections is not None and state.solana is not None and state.solana_node is not None
    assert state.workload is not None
    connections, sol = state.connections, state.solana
    connections.reload_manifest()
    genesis_ts = int(connections.manifest.require_solana().account("genesis_ts"))
    init_rewards_program(
        connections.solana,
        sol.admin,
        sol.mint,
        distributor=sol.admin.pubkey(),
        start_ts=genesis_ts,
        epoch_seconds=DEFAULT_EPOCH_SECONDS,
        manifest=connections.profile.manifest,
        network=connections.profile.name,
        progress=state.progress.note,
    )
    now = state.solana_node.warp_clock(DEFAULT_EPOCH_SECONDS)
    state.progress.note(f"local clock warped one epoch ahead, to {now} (dispatchWarpClock, local only)")
    posted = post_epoch(
        connections.rewards(),
        sol.admin,
        connections.solana_program(SETTLEMENT),
        connections.tier_reader(),
        0,
        out=state.options.out / "rewards",
    )
    sentinels = [w for w in state.workload.workers if state.tiers.get(w.pubkey) is Tier.SENTINEL]
    if not sentinels:
        raise DispatchChainError("no SENTINEL worker in the demo: nobody earns protocol rewards")
    worker = Keypair.from_seed(bytes(sentinels[0].key))
    claim = read_claim_file(posted.claims / f"{worker.pubkey()}.json")
    account = associated_token_account(worker.pubkey(), sol.mint)
    before = token_balance(connections.solana, account) or 0
    connections.rewards().claim(worker, claim)
    gained = (token_balance(connections.solana, account) or 0) - before
    if gained != claim.amount:
        raise DispatchChainError(f"{sentinels[0].name} claimed {claim.amount} but received {gained}")
    state.progress.note(
        f"epoch 0: {format_bolt(posted.tree.total)} BOLT to {len(posted.tree.rewards)} SENTINEL workers;"
        f" {sentinels[0].name} claimed {format_bolt(claim.amount)} BOLT"
    )
    distribution = read_distribution(
        connections.manifest.require_solana(),
        connections.rewards(),
        connections.vesting(),
        connections.governance_receiver(),
    )
    state.report["rewards"] = {
        "epoch": 0,
        "root": "0x" + posted.tree.root.hex(),
        "total": format_bolt(posted.tree.total),
        "workers": len(posted.tree.rewards),
        "claimed_by": sentinels[0].name,
        "claimed": format_bolt(claim.amount),
        "claims": str(posted.claims),
    }
    state.report["distribution"] = distribution.to_json()


def report_lines(report: dict) -> list[str]:
    """The rewards epoch and the distribution table, for the demo report."""
    if "distribution" not in report:
        return []
    r, d = report["rewards"], report["distribution"]
    lines = [
        f"  rewards         epoch 0: {r['total']} BOLT to {r['workers']} SENTINEL workers (root {r['root'][:18]}...);"
        f" {r['claimed_by']} claimed {r['claimed']} BOLT",
        "  distribution    "
        + f"{'(whole BOLT)':<16}"
        + "".join(f"{h:>16}" for h in ("allocated", "released", "claimed", "locked")),
    ]
    for row in d["categories"]:
        cells = "".join(f"{int(row[k]) // BOLT:>16,}" for k in ("allocated", "released", "claimed", "locked"))
        lines.append(f"                  {row['category']:<16}{cells}")
    lines.append(
        f"                  supply {format_bolt(int(d['supply']))} = 1,000,000,000 - {format_bolt(int(d['burned']))}"
        f" burned; {format_bolt(int(d['in_vaults']))} in vaults"
    )
    return lines
