"""scripts/deploy_bridge.py run as a deployer runs it (ape run deploy_bridge), against anvil."""

from __future__ import annotations

import shutil
import subprocess

from solders.pubkey import Pubkey

from dispatch_chain.bridge.evm import EvmBoltBridge
from dispatch_chain.bridge.message import chain_id_hash
from dispatch_chain.deployments import Manifest, SolanaDeployment, load_manifest
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.keys import dev_account

from support import dev_network

PROGRAM = str(Pubkey(bytes([7] * 32)))
CLUSTER = "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z"


def _deploy(repo_root, url, manifest, *extra):
    return subprocess.run([shutil.which("ape"), "run", "deploy_bridge", "--network", url, "--manifest", str(manifest),
                           *extra], cwd=repo_root, capture_output=True, text=True, timeout=300)


def test_deploys_with_the_peer_from_the_manifest(repo_root, chain, tmp_path) -> None:
    manifest = tmp_path / "local.json"
    manifest.write_text(Manifest(network="local", solana=SolanaDeployment(
        cluster=CLUSTER, programs={"dispatch_bridge": PROGRAM})).model_dump_json())
    proc = _deploy(repo_root, chain.provider.uri, manifest, "--inbound-limit", "5000", "--queue-delay", "30")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    evm = load_manifest(manifest).require_evm()
    assert evm.roles["BoltBridge.attesters"] == [dev_account(i).address for i in (6, 7, 8)]
    assert evm.roles["BoltBridge.peer"] == [CLUSTER, PROGRAM]
    bridge = EvmBoltBridge(EvmClient(dev_network(chain.provider.uri, chain.chain_id)),
                           evm.contract("BoltBridge").address)
    config = bridge.config()
    assert config.token == evm.contract("WrappedBolt").address
    assert (config.peer_chain, config.peer_bridge) == (chain_id_hash(CLUSTER), bytes([7] * 32))
    assert (config.threshold, config.queue_delay, config.inbound.limit) == (2, 30, 5000 * 10**9)
    assert load_manifest(manifest).solana.programs == {"dispatch_bridge": PROGRAM}  # the Solana part is kept


def test_refuses_to_deploy_without_a_peer(repo_root, chain, tmp_path) -> None:
    proc = _deploy(repo_root, chain.provider.uri, tmp_path / "local.json")
    assert proc.returncode == 2 and "the peer is unknown" in proc.stderr
    proc = _deploy(repo_root, chain.provider.uri, tmp_path / "local.json", "--peer-chain", CLUSTER,
                   "--peer-program", "not-base58!")
    assert proc.returncode == 2 and "not a base58 Solana program id" in proc.stderr
