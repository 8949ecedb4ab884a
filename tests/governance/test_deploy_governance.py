"""scripts/deploy_governance.py run as a deployer runs it, after deploy and deploy_bridge, against anvil."""

from __future__ import annotations

import shutil
import subprocess

import ape
from solders.pubkey import Pubkey

from dispatch_chain.deployments import Manifest, SolanaDeployment, load_manifest
from dispatch_chain.governance.roles import CANCELLER_ROLE, DEFAULT_ADMIN_ROLE, EXECUTOR_ROLE, PROPOSER_ROLE
from dispatch_chain.hashing import keccak256

PROGRAM = str(Pubkey(bytes([7] * 32)))
CLUSTER = "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z"
ANCHORER_ROLE = keccak256(b"ANCHORER_ROLE")


def _run(repo_root, script, url, manifest, *extra):
    proc = subprocess.run([shutil.which("ape"), "run", script, "--network", url, "--manifest", str(manifest), *extra],
                          cwd=repo_root, capture_output=True, text=True, timeout=300)
    return proc


def _deploy_all(repo_root, chain, tmp_path, *extra):
    manifest = tmp_path / "local.json"
    manifest.write_text(Manifest(network="local", solana=SolanaDeployment(
        cluster=CLUSTER, programs={"dispatch_bridge": PROGRAM})).model_dump_json())
    for script, args in (("deploy", ()), ("deploy_bridge", ()), ("deploy_governance", extra)):
        proc = _run(repo_root, script, chain.provider.uri, manifest, *args)
        assert proc.returncode == 0, f"{script}: {proc.stdout}{proc.stderr}"
    return load_manifest(manifest).require_evm(), manifest


def test_the_timelock_becomes_the_only_admin(repo_root, chain, project, accounts, tmp_path) -> None:
    evm, _ = _deploy_all(repo_root, chain, tmp_path, "--timelock-delay", "7")
    deployer, outsider = accounts[0], accounts[9]
    timelock = project.DispatchTimelock.at(evm.contract("DispatchTimelock").address)
    governor = project.DispatchGovernor.at(evm.contract("DispatchGovernor").address)
    params = project.ProtocolParams.at(evm.contract("ProtocolParams").address)
    anchor = project.ReceiptAnchor.at(evm.contract("ReceiptAnchor").address)
    bridge = project.BoltBridge.at(evm.contract("BoltBridge").address)

    assert anchor.defaultAdmin() == bridge.defaultAdmin() == params.owner() == timelock.address
    assert governor.timelock() == timelock.address and governor.token() == evm.contract("WrappedBolt").address
    assert timelock.getMinDelay() == 7
    for role in (PROPOSER_ROLE, EXECUTOR_ROLE, CANCELLER_ROLE):
        assert timelock.hasRole(role, governor) and not timelock.hasRole(role, deployer)
    assert not timelock.hasRole(DEFAULT_ADMIN_ROLE, deployer)
    assert timelock.hasRole(DEFAULT_ADMIN_ROLE, timelock)  # it administers itself
    for name in ("ReceiptAnchor", "BoltBridge"):
        assert evm.roles[f"{name}.admin"] == [timelock.address]
    assert evm.roles["ProtocolParams.owner"] == [timelock.address]

    # The deployer (the former admin) can change nothing any more, each contract with its own error.
    with ape.reverts(anchor.AccessControlUnauthorizedAccount):
        anchor.grantRole(ANCHORER_ROLE, outsider, sender=deployer)
    with ape.reverts(bridge.AccessControlUnauthorizedAccount):
        bridge.setThreshold(1, sender=deployer)
    with ape.reverts(bridge.AccessControlUnauthorizedAccount):
        bridge.beginDefaultAdminTransfer(deployer, sender=deployer)
    with ape.reverts(params.ProtocolParamsUnauthorized):
        params.setFeeBps(400, sender=deployer)
    with ape.reverts(timelock.AccessControlUnauthorizedAccount):
        timelock.schedule(params.address, 0, params.setFeeBps.encode_input(1), bytes(32), bytes(32), 7,
                          sender=deployer)


def test_keep_admin_leaves_the_deployer_in_charge(repo_root, chain, project, accounts, tmp_path) -> None:
    evm, _ = _deploy_all(repo_root, chain, tmp_path, "--keep-admin")
    deployer = accounts[0]
    timelock = project.DispatchTimelock.at(evm.contract("DispatchTimelock").address)
    params = project.ProtocolParams.at(evm.contract("ProtocolParams").address)
    anchor = project.ReceiptAnchor.at(evm.contract("ReceiptAnchor").address)
    assert params.owner() == anchor.defaultAdmin() == deployer.address
    assert evm.roles["ProtocolParams.owner"] == [deployer.address]
    assert timelock.getMinDelay() == 10 and not timelock.hasRole(DEFAULT_ADMIN_ROLE, deployer)


def test_refuses_without_wrapped_bolt(repo_root, chain, tmp_path) -> None:
    manifest = tmp_path / "local.json"
    assert _run(repo_root, "deploy", chain.provider.uri, manifest).returncode == 0
    proc = _run(repo_root, "deploy_governance", chain.provider.uri, manifest)
    assert proc.returncode == 2 and "run deploy_bridge first" in proc.stderr
