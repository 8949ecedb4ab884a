"""`dispatch-chain bridge` across both local chains: to-monad, status on both sides, attest both ways, relay, audit.

Every refusal is one line with exit 1 (the bridge's state) or 2 (the input).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from solders.keypair import Keypair
from support_xbridge import BOLT, EVM_ATTESTERS, EVM_CHAIN_ID

from dispatch_chain.bridge.evm import Status
from dispatch_chain.bridge.message import BridgeMessage, chain_id_hash, evm_address_word
from dispatch_chain.cli import main
from dispatch_chain.deployments import ContractDeployment, EvmDeployment, Manifest, SolanaDeployment
from dispatch_chain.keys import dev_account, save_keypair_bytes
from dispatch_chain.solana.bridge import InboundStatus
from dispatch_chain.solana.programs import BRIDGE

USER = dev_account(5)


@pytest.fixture(scope="module")
def env(xroute, tmp_path_factory):
    folder = tmp_path_factory.mktemp("xcli")
    manifest = folder / "local.json"
    evm = EvmDeployment(chain_id=EVM_CHAIN_ID, contracts={
        "BoltBridge": ContractDeployment(address=xroute.evm_bridge.address, block=xroute.evm_bridge.deploy_block),
        "WrappedBolt": ContractDeployment(address=xroute.evm_bridge.token.address, block=0)})
    solana = SolanaDeployment(cluster=xroute.caip2, programs={BRIDGE: str(xroute.sol_bridge.program.program_id)})
    manifest.write_text(Manifest(network="local", evm=evm, solana=solana).model_dump_json())
    keys = {}
    for name, keypair in [("holder", xroute.holder)] + [(f"att{i}", k) for i, k in enumerate(xroute.sol_attesters)]:
        keys[name] = folder / f"{name}.json"
        save_keypair_bytes(keys[name], bytes(keypair))
    base = {"DISPATCH_EVM_RPC_URL": xroute.evm.network.rpc_url, "DISPATCH_EVM_CHAIN_ID": str(EVM_CHAIN_ID),
            "DISPATCH_SOLANA_RPC_URL": xroute.solana.network.rpc_url, "DISPATCH_MANIFEST": str(manifest),
            "DISPATCH_SOLANA_KEYPAIR": str(keys["holder"]), "USER_KEY": USER.key.hex()}
    base.update({f"ATT{i}_KEY": dev_account(n).key.hex() for i, n in enumerate(EVM_ATTESTERS)})
    return {"env": base, "keys": keys, "folder": folder}


def run(env, *args: str):
    return CliRunner().invoke(main, list(args), env=env["env"], catch_exceptions=False)


def one_line_error(result, code: int, *needles: str) -> None:
    assert result.exit_code == code, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: "), result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_to_monad_status_attest_both_ways_and_audit(env, xroute) -> None:
    result = run(env, "bridge", "to-monad", "3", "--recipient", USER.address, "--json")
    assert result.exit_code == 0, result.output
    lock = json.loads(result.output)
    assert lock["amount"] == 3 * BOLT and lock["recipient"] == USER.address
    status = json.loads(run(env, "bridge", "status", str(lock["sequence"]), "--from", "solana", "--json").output)
    assert status["commitment"] in ("processed", "confirmed") and status["monad"]["status"] == "none"
    by_tx = run(env, "bridge", "status", lock["tx"])
    assert by_tx.exit_code == 0 and lock["digest"] in by_tx.output and "BOLT locked at slot" in by_tx.output

    for i in range(2):  # 2 of 3, each with its own key and store; --drain waits for finalized
        result = run(env, "bridge", "attest", "--from", "solana", "--account", f"env:ATT{i}_KEY", "--drain",
                     "--interval", "0.1", "--store", str(env["folder"] / f"to-monad-{i}.sqlite"))
        assert result.exit_code == 0, result.output
    done = run(env, "bridge", "status", str(lock["sequence"]), "--from", "solana", "--wait", "--timeout", "30",
               "--json")
    data = json.loads(done.output)
    assert data["commitment"] == "finalized" and data["monad"]["status"] == "executed"
    assert xroute.wbolt_of(USER.address) >= 3 * BOLT

    owner = Keypair().pubkey()
    result = run(env, "bridge", "to-solana", "1", "--recipient", str(owner), "--account", "env:USER_KEY", "--json")
    assert result.exit_code == 0, result.output
    sent = json.loads(result.output)
    pending = json.loads(run(env, "bridge", "status", str(sent["sequence"]), "--json").output)
    assert pending["solana"]["status"] == "none" and pending["solana"]["threshold"] == 2
    for i in range(2):
        result = run(env, "bridge", "attest", "--from", "monad", "--keypair", str(env["keys"][f"att{i}"]),
                     "--drain", "--interval", "0.1", "--store", str(env["folder"] / f"to-solana-{i}.sqlite"))
        assert result.exit_code == 0, result.output
    result = run(env, "bridge", "status", str(sent["sequence"]), "--wait", "--timeout", "30")
    assert result.exit_code == 0 and "released on Solana" in result.output, result.output
    assert xroute.bolt_of(owner) == BOLT

    # the third attester runs both directions (default stores under run/ in its working directory)
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=env["folder"]):
        result = runner.invoke(main, ["bridge", "attest", "--account", "env:ATT2_KEY", "--keypair",
                                      str(env["keys"]["att2"]), "--drain", "--interval", "0.1"], env=env["env"])
    assert result.exit_code == 0, result.output
    assert "attested 0" in result.output and "already settled 2" in result.output, result.output

    audit = run(env, "bridge", "audit", "--json")
    assert audit.exit_code == 0, audit.output
    report = json.loads(audit.output)
    assert report["ok"] and report["in_flight_to_monad"] == [] and report["in_flight_to_solana"] == []
    assert report["custody"] == report["wrapped_supply"] + report["surplus"]
    assert run(env, "bridge", "audit").output.startswith("invariant holds")


def test_bad_input_and_refusals_are_one_line(env, xroute) -> None:
    one_line_error(run(env, "bridge", "to-monad", "1", "--recipient", "0x1234"), 2, "--recipient")
    one_line_error(run(env, "bridge", "to-monad", "1", "--recipient", "0x" + "00" * 20), 2, "--recipient")
    one_line_error(run(env, "bridge", "to-monad", "18446744074", "--recipient", USER.address), 2, "AMOUNT")
    one_line_error(run(env, "bridge", "to-monad", "0", "--recipient", USER.address), 2, "ZeroAmount")
    one_line_error(run(env, "bridge", "to-monad", "5000", "--recipient", USER.address), 1, "RateLimited")
    one_line_error(run(env, "bridge", "to-solana", "1", "--recipient", "not-base58!", "--account", "env:USER_KEY"),
                   2, "--recipient")
    one_line_error(run(env, "bridge", "status", "4242", "--from", "solana"), 1, "no lock with sequence 4242")
    one_line_error(run(env, "bridge", "attest", "--from", "both", "--store", "x.sqlite"), 2, "--store")
    xroute.sol_bridge.pause(xroute.node.deployer)
    try:
        one_line_error(run(env, "bridge", "to-monad", "1", "--recipient", USER.address), 1, "Paused")
    finally:
        xroute.sol_bridge.unpause(xroute.node.deployer)
    assert xroute.sol_bridge.config().paused is False


def test_audit_exits_1_when_wrapped_bolt_is_not_backed(env, xroute) -> None:
    """Two compromised attesters mint for a lock that never happened: the audit must catch it."""
    before = json.loads(run(env, "bridge", "audit", "--json").output)
    assert before["ok"]
    forged = BridgeMessage(source_chain=chain_id_hash(xroute.caip2),
                           source_bridge=bytes(xroute.sol_bridge.program.program_id), sequence=10**6,
                           amount=before["surplus"] + BOLT, sender=bytes(32), recipient=evm_address_word(USER.address),
                           destination_chain=chain_id_hash(f"eip155:{EVM_CHAIN_ID}"))
    for i in range(2):
        xroute.evm_bridge.attest(xroute.evm_sender(EVM_ATTESTERS[i]), forged)
    assert xroute.evm_bridge.message_state(forged.digest()).status is Status.EXECUTED
    result = run(env, "bridge", "audit")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("invariant BROKEN")
    report = json.loads(run(env, "bridge", "audit", "--json").output)
    assert not report["ok"] and report["surplus"] == -BOLT
    assert xroute.sol_bridge.inbound(forged.digest()) is None or xroute.sol_bridge.inbound(
        forged.digest()).status is not InboundStatus.EXECUTED
