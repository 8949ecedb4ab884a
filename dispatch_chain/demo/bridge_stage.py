"""Demo stages of the BOLT bridge: deploy both sides, bridge workers' BOLT to Monad and part of it back.

Three workers lock on Solana as much BOLT as they staked there, for an EVM
address of theirs (anvil dev accounts 2 to 4); two of three attesters on each
side (their own keys and stores under ``<out>/bridge``) carry the messages; the
workers' tiers read on Monad from wrapped balances (one JSON-RPC batch) must
equal their Solana stake tiers; then one worker bridges part back. The report
shows custody, wrapped supply and the supply invariant.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

from solders.keypair import Keypair

from dispatch_chain.bridge.attester import AttesterService
from dispatch_chain.bridge.evm_attester import EvmAttestationTarget, EvmMessageSource
from dispatch_chain.bridge.solana_attester import SolanaAttestationTarget, SolanaMessageSource
from dispatch_chain.bridge.solana_supply import read_bridge_supply
from dispatch_chain.bridge.store import AttesterStore
from dispatch_chain.bridge.supply import executed_on_monad, read_monad_supply, supply_report
from dispatch_chain.demo.chains import ape_run
from dispatch_chain.demo.state import DemoState
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account, read_keypair_file, save_keypair_bytes
from dispatch_chain.protocol import format_bolt
from dispatch_chain.solana.bolt import transfer
from dispatch_chain.solana.bridge import InitParams, chain_id, pad_evm_address
from dispatch_chain.solana.deploy import init_bridge
from dispatch_chain.solana.programs import BRIDGE, IdlProgram

BOLT = 10**9
BRIDGING_WORKERS = 3
WORKER_EVM = (2, 3, 4)  # anvil dev accounts of the bridging workers
EVM_ATTESTERS = (6, 7)  # 2 of deploy_bridge's default 3 (6, 7, 8), threshold 2
BACK_SHARE = 4  # the last bridging worker sends 1/4 of its wrapped BOLT back


def deploy_bridge(state: DemoState, stack: ExitStack) -> None:
    """BoltBridge + WrappedBolt on anvil (ape run deploy_bridge), dispatch_bridge initialised on Solana."""
    assert state.connections is not None and state.anvil is not None and state.solana is not None
    connections = state.connections
    solana = connections.solana
    program = IdlProgram.load(BRIDGE)
    manifest = connections.profile.manifest
    ape_run(state, "deploy_bridge", "--peer-chain", solana.caip2, "--peer-program", str(program.program_id),
            manifest=manifest)  # fmt: skip
    connections.reload_manifest()
    bridge_address = connections.manifest.require_evm().contract("BoltBridge").address
    attesters = [Keypair() for _ in range(3)]
    for i, keypair in enumerate(attesters):
        solana.airdrop(keypair.pubkey(), 10**9)
        save_keypair_bytes(_attester_key(state, i), bytes(keypair))
    init_bridge(
        solana,
        state.solana.admin,
        state.solana.mint,
        InitParams(
            pauser=state.solana.admin.pubkey(),
            chain_id=chain_id(solana.caip2),
            peer_chain_id=chain_id("eip155:31337"),
            peer_bridge=pad_evm_address(bridge_address),
            attesters=tuple(k.pubkey() for k in attesters),
            threshold=2,
            outbound_capacity=1_000_000 * BOLT,
            inbound_capacity=1_000_000 * BOLT,
            queue_delay=60,
        ),
        program_id=None,
        manifest=manifest,
        network=connections.profile.name,
        progress=state.progress.note,
    )
    connections.reload_manifest()
    state.progress.note(f"BoltBridge at {bridge_address}, 2 of 3 attesters on each side")
    state.report["bridge"] = {"BoltBridge": bridge_address, "dispatch_bridge": str(program.program_id)}
    state.report.setdefault("contracts", {}).update(
        {k: v.address for k, v in connections.manifest.require_evm().contracts.items()}
    )


def _attester_key(state: DemoState, i: int) -> Path:
    return state.options.out / "keys" / f"bridge-attester-{i}.json"


def _services(state: DemoState) -> tuple[list[AttesterService], list[AttesterService]]:
    assert state.connections is not None
    folder = state.options.out / "bridge"
    folder.mkdir(parents=True, exist_ok=True)
    evm_bridge, sol_bridge = state.connections.bolt_bridge(), state.connections.solana_bridge()
    to_monad = [
        AttesterService(
            AttesterStore(folder / f"to-monad-{n}.sqlite"),
            SolanaMessageSource(sol_bridge),
            EvmAttestationTarget(evm_bridge, TxSender(state.connections.evm, dev_account(n))),
        )
        for n in EVM_ATTESTERS
    ]
    to_solana = [
        AttesterService(
            AttesterStore(folder / f"to-solana-{i}.sqlite"),
            EvmMessageSource(evm_bridge, confirmations=0),
            SolanaAttestationTarget(sol_bridge, keypair),
        )
        for i, keypair in enumerate(Keypair.from_bytes(read_keypair_file(_attester_key(state, i))) for i in range(2))
    ]
    return to_monad, to_solana


def bridge_workers(state: DemoState, stack: ExitStack) -> None:
    """Workers bridge their stake's worth of BOLT to Monad; tiers on Monad match Solana's; one bridges back."""
    assert state.connections is not None and state.workload is not None and state.solana is not None
    connections = state.connections
    solana, sol_bridge, evm_bridge = connections.solana, connections.solana_bridge(), connections.bolt_bridge()
    workers = state.workload.workers[:BRIDGING_WORKERS]
    community = state.solana.owners["community"]  # worker rewards sit in the rewards vault since genesis
    stake_reader = connections.tier_reader()
    to_monad, to_solana = _services(state)
    try:
        evm_of: dict[bytes, str] = {}
        for worker, n in zip(workers, WORKER_EVM, strict=False):
            keypair = Keypair.from_seed(bytes(worker.key))
            staked = stake_reader.stakes([keypair.pubkey()])[keypair.pubkey()].active
            transfer(solana, community, keypair.pubkey(), staked, state.solana.mint)  # its stake's worth, liquid
            evm_of[worker.pubkey] = dev_account(n).address
            record = sol_bridge.lock(keypair, staked, evm_of[worker.pubkey])
            state.progress.note(
                f"{worker.name}: locked {format_bolt(staked)} BOLT (sequence {record.message.sequence})"
            )
        for service in to_monad:
            service.drain(timeout=120, interval=0.1)
        monad_tiers = connections.wrapped_tier_reader().stakes(list(evm_of.values()))
        matches = {}
        for worker in workers:
            on_monad = monad_tiers[evm_of[worker.pubkey]]
            matches[worker.name] = on_monad.tier == state.tiers.get(worker.pubkey)
            state.progress.note(
                f"{worker.name}: {format_bolt(on_monad.balance)} wBOLT on Monad -> {on_monad.tier.name}"
                f" (Solana stake tier {state.tiers[worker.pubkey].name})"
            )
        back_worker, back_n = workers[-1], WORKER_EVM[len(workers) - 1]
        back_amount = monad_tiers[evm_of[back_worker.pubkey]].balance // BACK_SHARE
        back_owner = Keypair.from_seed(bytes(back_worker.key)).pubkey()
        evm_bridge.send_to_solana(TxSender(connections.evm, dev_account(back_n)), back_amount, bytes(back_owner))
        for service in to_solana:
            service.drain(timeout=120, interval=0.1)
        state.progress.note(f"{back_worker.name}: bridged {format_bolt(back_amount)} BOLT back to Solana")
        sol = read_bridge_supply(sol_bridge)  # Solana first, then Monad (docs/bridge.md)
        monad = read_monad_supply(evm_bridge)
        report = supply_report(
            monad,
            custody=sol.custody,
            released_on_solana=sol.released,
            locked_on_solana=sol.locked,
            minted_on_monad=executed_on_monad(evm_bridge, sol.locked),
        )
    finally:
        for service in (*to_monad, *to_solana):
            service.store.close()
    state.report["bridge"].update(
        {
            "workers": len(workers),
            "tiers_match": matches,
            "bridged_back": back_amount,
            "custody": report.custody,
            "wrapped_supply": report.wrapped_supply,
            "in_flight": len(report.in_flight_to_monad) + len(report.in_flight_to_solana),
            "invariant_holds": report.ok,
        }
    )
    if not report.ok or not all(matches.values()):
        raise DispatchChainError(f"bridge stage: invariant {report.ok}, tiers match {matches}")


def report_lines(report: dict[str, Any]) -> list[str]:
    """The bridge's lines of the demo report (none when the stage did not run)."""
    bridge = report.get("bridge")
    if not bridge or "custody" not in bridge:
        return []
    matched = sum(bridge["tiers_match"].values())
    return [
        f"  bridge          {bridge['workers']} workers bridged to Monad, tiers on Monad match Solana for"
        f" {matched}/{bridge['workers']}; {format_bolt(bridge['bridged_back'])} BOLT bridged back",
        f"                  custody {format_bolt(bridge['custody'])} BOLT >= wrapped supply"
        f" {format_bolt(bridge['wrapped_supply'])}: invariant {'holds' if bridge['invariant_holds'] else 'BROKEN'}"
        f" ({bridge['in_flight']} in flight)",
    ]
