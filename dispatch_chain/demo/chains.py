"""Demo stages: start the local chains and deploy onto them."""

from __future__ import annotations

import subprocess
from contextlib import ExitStack
from pathlib import Path

import dispatch_chain
from dispatch_chain.config import load_network
from dispatch_chain.connect import Connections
from dispatch_chain.demo.payments_stage import usdc_funding_args
from dispatch_chain.demo.state import COORDINATOR, DemoState
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil, SolanaNode

REPO = Path(dispatch_chain.__file__).resolve().parent.parent


def start_chains(state: DemoState, stack: ExitStack) -> None:
    log = state.options.out / "anvil.log"
    state.anvil = stack.enter_context(Anvil(log_path=log))
    state.progress.note(f"anvil on {state.anvil.url} (chain 31337), log {log}")
    state.report["evm"] = {"rpc_url": state.anvil.url, "chain_id": 31337}
    log = state.options.out / "solana-node.log"
    state.solana_node = stack.enter_context(SolanaNode(log_path=log))
    state.progress.note(
        f"dispatch-solana-node on {state.solana_node.url} (Dispatch programs: SBF, upgradeable loader), log {log}"
    )
    state.report["solana"] = {"rpc_url": state.solana_node.url}


def ape_run(state: DemoState, script: str, *args: str, manifest: Path) -> None:
    """``ape run SCRIPT`` against the demo's anvil and manifest; its output goes to OUT/SCRIPT.log."""
    assert state.anvil is not None
    proc = subprocess.run(
        ["ape", "run", script, "--network", state.anvil.url, "--manifest", str(manifest), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    log = state.options.out / f"{script.replace('_', '-')}.log"
    log.write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise DispatchChainError(f"ape run {script} failed (see {log}):\n{proc.stderr[-2000:]}")


def deploy(state: DemoState, stack: ExitStack) -> None:
    assert state.anvil is not None
    if not (REPO / "ape-config.yaml").exists():
        raise DispatchChainError(f"the demo deploys with ape from the repository; {REPO} has no ape-config.yaml")
    manifest = state.options.out / "deployments.json"
    manifest.unlink(missing_ok=True)
    # LocalUsdc comes with the contracts; the x402 stage's paying agents get theirs at deploy time
    funding = usdc_funding_args(state.options.seed)
    ape_run(state, "deploy", "--anchorer", dev_account(COORDINATOR).address, *funding, manifest=manifest)
    assert state.solana_node is not None
    profile = load_network(
        "local",
        env={},
        overrides={
            "evm": {"rpc_url": state.anvil.url, "confirmations": 0, "poll_interval": 0.05},
            "solana": {"rpc_url": state.solana_node.url},
            "manifest": str(manifest),
        },
    )
    state.connections = Connections(
        profile,
        evm_account_spec=f"dev:{COORDINATOR}",
        solana_keypair_path=str(state.options.out / "keys" / "coordinator.json"),
    )
    for name, deployment in state.connections.manifest.require_evm().contracts.items():
        state.progress.note(f"{name} at {deployment.address}")
    state.report["contracts"] = {k: v.address for k, v in state.connections.manifest.require_evm().contracts.items()}
