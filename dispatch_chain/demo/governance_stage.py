"""Demo stages of governance: BOLT holders on Monad change the fee and a tier threshold, Solana follows.

``deploy_governance`` deploys DispatchTimelock, DispatchGovernor and ProtocolParams
(``ape run deploy_governance``, the local profile in seconds) and initialises the
Solana receiver with 3 attesters (threshold 2), handing it the admin roles of
dispatch_staking and dispatch_settlement (the ``gov init-receiver`` path).
``govern`` has the workers who bridged BOLT in the bridge stage (they hold
wBOLT) delegate, propose a lower fee and a higher SENTINEL threshold, vote,
queue and execute it (anvil's clock is mined forward past the voting delay,
the voting period and the timelock delay); two governance watchers carry the
change to Solana; then new settlements burn the new fee and the Solana tier
reader applies the new threshold, as does the wBOLT tier reader on Monad.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from solders.keypair import Keypair

from dispatch_chain.demo.bridge_stage import BRIDGING_WORKERS, WORKER_EVM
from dispatch_chain.demo.chains import ape_run
from dispatch_chain.demo.state import DemoState
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.governance.deploy import init_receiver
from dispatch_chain.governance.evm import Support
from dispatch_chain.governance.proposals import ParameterChange, proposal_description
from dispatch_chain.governance.solana import GovernanceReceiver
from dispatch_chain.governance.watcher import GovernanceWatcher, WatcherStore
from dispatch_chain.hashing import keccak256
from dispatch_chain.keys import dev_account, read_keypair_file, save_keypair_bytes
from dispatch_chain.localnet import rpc_call
from dispatch_chain.protocol import BOLT, format_bolt

NEW_FEE_BPS = 400  # from the whitepaper's 500 (5 %)
NEW_SENTINEL = 1_200 * BOLT  # from 1 000 BOLT: the worker staking exactly 1 000 drops to VERIFIED
ATTESTERS = 3
THRESHOLD = 2
MAX_WATCHER_STEPS = 20
SETTLEMENTS_AFTER = 3  # settlements under the new fee, one per bridging worker
SETTLEMENT_AMOUNT = 10 * BOLT


def _attester_key(state: DemoState, i: int) -> Path:
    return state.options.out / "keys" / f"governance-attester-{i}.json"


def deploy_governance(state: DemoState, stack: ExitStack) -> None:
    """Governor, timelock and ProtocolParams on anvil; dispatch_governance takes the Solana admin roles."""
    assert state.connections is not None and state.anvil is not None and state.solana is not None
    connections = state.connections
    ape_run(state, "deploy_governance", manifest=connections.profile.manifest)
    connections.reload_manifest()
    evm = connections.manifest.require_evm()
    assert connections.profile.evm is not None
    attesters = [Keypair() for _ in range(ATTESTERS)]
    for i, keypair in enumerate(attesters):
        connections.solana.airdrop(keypair.pubkey(), 10**9)
        save_keypair_bytes(_attester_key(state, i), bytes(keypair))
    receiver = init_receiver(
        connections.solana,
        state.solana.admin,
        monad_chain=connections.profile.evm.caip2,
        params_address=evm.contract("ProtocolParams").address,
        attesters=[k.pubkey() for k in attesters],
        threshold=THRESHOLD,
        keep_admin=False,
        manifest=connections.profile.manifest,
        network=connections.profile.name,
    )
    connections.reload_manifest()
    staking_admin = connections.staking().config().admin
    if staking_admin != receiver.config_address:
        raise DispatchChainError(f"dispatch_staking's admin is {staking_admin}, not the governance receiver")
    state.progress.note(
        f"DispatchGovernor at {evm.contract('DispatchGovernor').address}; dispatch_governance"
        f" ({THRESHOLD} of {ATTESTERS} attesters) is now the admin of dispatch_staking and dispatch_settlement"
    )
    state.report["governance"] = {
        "DispatchGovernor": evm.contract("DispatchGovernor").address,
        "ProtocolParams": evm.contract("ProtocolParams").address,
        "receiver": str(receiver.config_address),
    }
    state.report.setdefault("contracts", {}).update({k: v.address for k, v in evm.contracts.items()})


def _head_time(state: DemoState) -> int:
    assert state.anvil is not None
    return int(rpc_call(state.anvil.url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)


def _mine(state: DemoState, seconds: int) -> None:
    """Mine one anvil block ``seconds`` after the head (local only: the governor's clock is timestamps)."""
    assert state.anvil is not None
    rpc_call(state.anvil.url, "evm_mine", [_head_time(state) + seconds])


def govern(state: DemoState, stack: ExitStack) -> None:
    """wBOLT holders pass a fee and threshold change; watchers carry it to Solana; settlements and tiers follow."""
    assert state.connections is not None and state.workload is not None and state.solana is not None
    connections = state.connections
    gov = connections.governance()
    before = gov.params()
    holders = [TxSender(connections.evm, dev_account(n)) for n in WORKER_EVM[:BRIDGING_WORKERS]]
    for holder in holders:
        gov.delegate(holder)
    _mine(state, 1)  # the votes' checkpoints are before the snapshot
    change = ParameterChange(fee_bps=NEW_FEE_BPS, thresholds=(before.verified_threshold, NEW_SENTINEL))
    params_address = gov.params_contract.address
    proposal_id, _ = gov.propose(
        holders[0], change.calls(params_address), proposal_description("Demo", change.describe(params_address))
    )
    governor = gov.governor.functions
    _mine(state, int(governor.votingDelay().call()) + 1)
    for holder in holders:
        gov.cast_vote(holder, proposal_id, Support.FOR)
    _mine(state, int(governor.votingPeriod().call()) + 1)
    gov.queue(holders[0], proposal_id)
    eta = gov.proposal(proposal_id).eta
    _mine(state, max(int(eta) - _head_time(state), 1))
    gov.execute(holders[0], proposal_id)
    after = gov.params()
    state.progress.note(
        f"proposal {str(proposal_id)[:12]}... executed by the timelock: fee {before.fee_bps} -> {after.fee_bps} bps,"
        f" SENTINEL {format_bolt(before.sentinel_threshold)} -> {format_bolt(after.sentinel_threshold)} BOLT"
        f" (version {after.version})"
    )
    applied_in = _carry_to_solana(state, after.version)
    state.progress.note(f"2 of {ATTESTERS} watchers carried version {after.version} to Solana in {applied_in} steps")
    burned, settled, expected = _settle_after(state)
    cached = connections.protocol_params(ttl=30)
    if burned != expected or burned != sum(cached.burned_fee(SETTLEMENT_AMOUNT) for _ in range(SETTLEMENTS_AFTER)):
        raise DispatchChainError(f"settlements after governance burned {burned}, expected {expected}")
    old = state.tiers.copy()
    keys = {w.pubkey: Keypair.from_seed(bytes(w.key)).pubkey() for w in state.workload.workers}
    stakes = connections.tier_reader(ttl=0).stakes(keys.values())
    changed: dict[str, str] = {}
    for worker in state.workload.workers:
        tier = stakes[keys[worker.pubkey]].tier
        state.tiers[worker.pubkey] = tier
        if tier != old.get(worker.pubkey):
            changed[worker.name] = f"{old[worker.pubkey].name} -> {tier.name}"
            state.progress.note(f"{worker.name}: Solana stake tier {old[worker.pubkey].name} -> {tier.name}")
    monad_tiers = connections.wrapped_tier_reader(ttl=0).stakes([h.address for h in holders])  # ProtocolParams'
    state.progress.note(
        "wBOLT tiers on Monad (ProtocolParams thresholds): "
        + ", ".join(
            f"{w.name} {monad_tiers[h.address].tier.name}"
            for w, h in zip(state.workload.workers, holders, strict=False)
        )
    )
    state.report["governance"].update(
        {
            "proposal": str(proposal_id),
            "holders": len(holders),
            "fee_bps": [before.fee_bps, after.fee_bps],
            "sentinel": [format_bolt(before.sentinel_threshold), format_bolt(after.sentinel_threshold)],
            "version": after.version,
            "applied_on_solana": True,
            "watcher_steps": applied_in,
            "settlements_after": SETTLEMENTS_AFTER,
            "settled_after": format_bolt(settled),
            "burned_after": format_bolt(burned),
            "tiers_changed": changed,
            "monad_tiers": {
                w.name: monad_tiers[h.address].tier.name for w, h in zip(state.workload.workers, holders, strict=False)
            },
        }
    )
    if not changed:
        raise DispatchChainError("no worker's tier changed with the new SENTINEL threshold")
    differ = [
        w.name
        for w, h in zip(state.workload.workers, holders, strict=False)
        if monad_tiers[h.address].tier != state.tiers[w.pubkey]
    ]
    if differ:  # the bridged balances sit on the same side of the new thresholds as the stakes
        raise DispatchChainError(f"wBOLT tiers on Monad differ from the Solana tiers for {differ}")


def _carry_to_solana(state: DemoState, version: int) -> int:
    """Two of the three attesters' watchers step in turn until Solana has applied ``version``."""
    assert state.connections is not None and state.solana is not None
    connections = state.connections
    assert connections.profile.evm is not None
    receiver_client = GovernanceReceiver(connections.solana)
    folder = state.options.out / "governance"
    shutil.rmtree(folder, ignore_errors=True)  # cursors of an earlier demo's chains would skip this one's blocks
    folder.mkdir(parents=True)
    watchers = [
        GovernanceWatcher(
            connections.evm,
            connections.manifest.require_evm().contract("ProtocolParams").address,
            receiver_client,
            Keypair.from_bytes(read_keypair_file(_attester_key(state, i))),
            WatcherStore(folder / f"watcher-{i}.sqlite"),
            monad_chain=connections.profile.evm.caip2,
            solana_chain=connections.solana.caip2,
            mint=state.solana.mint,
        )
        for i in range(THRESHOLD)
    ]
    try:
        for step in range(MAX_WATCHER_STEPS):
            if receiver_client.config().applied_version >= version:
                return step
            watchers[step % len(watchers)].step()
    finally:
        for watcher in watchers:
            watcher.store.close()
    raise DispatchChainError(f"version {version} not applied on Solana after {MAX_WATCHER_STEPS} watcher steps")


def _settle_after(state: DemoState) -> tuple[int, int, int]:
    """Settle one job per bridging worker under the applied fee: (burned, settled, the fee the new bps gives)."""
    assert state.connections is not None and state.workload is not None and state.solana is not None
    settlement, sol = state.connections.settlement(), state.solana
    burned = settled = 0
    for n, worker in enumerate(state.workload.workers[:SETTLEMENTS_AFTER]):
        job_id = f"after-governance-{n}"
        record = settlement.settle(
            sol.coordinator,
            job_id,
            Keypair.from_seed(bytes(worker.key)).pubkey(),
            SETTLEMENT_AMOUNT,
            keccak256(job_id.encode()),
        )
        burned += record.fee
        settled += record.amount
    expected = SETTLEMENTS_AFTER * (SETTLEMENT_AMOUNT * NEW_FEE_BPS // 10_000)
    return burned, settled, expected


def report_lines(report: dict[str, Any]) -> list[str]:
    """The governance lines of the demo report (none when the stage did not run)."""
    g = report.get("governance")
    if not g or "proposal" not in g:
        return []
    tiers = ", ".join(f"{name} {change}" for name, change in g["tiers_changed"].items())
    return [
        f"  governance      {g['holders']} wBOLT holders passed a proposal: fee {g['fee_bps'][0]} -> {g['fee_bps'][1]}"
        f" bps, SENTINEL {g['sentinel'][0]} -> {g['sentinel'][1]} BOLT (version {g['version']});"
        f" applied on Solana by 2 of 3 watchers",
        f"                  next {g['settlements_after']} settlements: {g['settled_after']} BOLT,"
        f" {g['burned_after']} burned ({g['fee_bps'][1] / 100:g} %); Solana tiers: {tiers}",
        "                  wBOLT tiers on Monad (ProtocolParams thresholds): "
        + ", ".join(f"{name} {tier}" for name, tier in g["monad_tiers"].items()),
    ]
