"""`dispatch-chain bridge` against anvil: results, and one line with exit 1 or 2 for every refusal."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from solders.pubkey import Pubkey

from dispatch_chain.cli import main
from dispatch_chain.deployments import ContractDeployment, EvmDeployment, Manifest

from support_bridge import BOLT, isolated

RECIPIENT = str(Pubkey(bytes(range(1, 33))))


@pytest.fixture(scope="module")
def cli_env(chain, bridge, token, tmp_path_factory):
    manifest = tmp_path_factory.mktemp("cli") / "local.json"
    evm = EvmDeployment(chain_id=chain.chain_id, contracts={
        "BoltBridge": ContractDeployment(address=bridge.address, block=0),
        "WrappedBolt": ContractDeployment(address=token.address, block=0)})
    manifest.write_text(Manifest(network="local", evm=evm).model_dump_json())
    return {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_MANIFEST": str(manifest)}


@pytest.fixture(scope="module")
def funded(bridge, attesters, inbound, user):
    message = inbound.message(user.address, 150 * BOLT)
    for attester in attesters[:2]:
        bridge.attest(message.encode(), sender=attester)
    return message


def run(env, *args: str):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_info(cli_env, funded) -> None:
    result = run(cli_env, "bridge", "info", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["threshold"] == 2 and len(data["attesters"]) == 3 and data["wrapped_supply"] >= 150 * BOLT
    assert run(cli_env, "bridge", "info").output.startswith("BoltBridge ")


def test_to_solana_then_status(cli_env, funded, chain) -> None:
    with isolated(chain):
        result = run(cli_env, "bridge", "to-solana", "2.5", "--recipient", RECIPIENT, "--account", "dev:5", "--json")
        assert result.exit_code == 0, result.output
        sent = json.loads(result.output)
        assert sent["amount"] == 2_500_000_000 and not sent["queued"]
        result = run(cli_env, "bridge", "status", str(sent["sequence"]))
        assert result.exit_code == 0 and sent["digest"] in result.output and "sent" in result.output
        result = run(cli_env, "bridge", "status", sent["tx"], "--json")
        assert result.exit_code == 0 and json.loads(result.output)["digest"] == sent["digest"]
        result = run(cli_env, "bridge", "status", "999")
        assert result.exit_code == 1 and result.output.count("\n") == 1


def test_status_of_an_inbound_digest(cli_env, funded) -> None:
    result = run(cli_env, "bridge", "status", "0x" + funded.digest().hex(), "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) | {} == {"direction": "solana-to-monad", "digest": "0x" + funded.digest().hex(),
                                             "status": "executed", "attestations": 2, "threshold": 2, "ready_at": None}
    assert run(cli_env, "bridge", "status", "0xzz").exit_code == 2
    result = run(cli_env, "bridge", "status", "0x" + funded.digest().hex(), "--wait", "--timeout", "5")
    assert result.exit_code == 0 and result.output.count("\n") == 1 and "executed, 2 of 2" in result.output


def test_status_wait_follows_an_inbound_message_to_its_mint(cli_env, bridge, attesters, inbound, user, chain) -> None:
    import threading

    with isolated(chain):
        message = inbound.message(user.address, BOLT)
        bridge.attest(message.encode(), sender=attesters[0])
        timer = threading.Timer(1.5, lambda: bridge.attest(message.encode(), sender=attesters[1]))
        timer.start()
        result = run(cli_env, "bridge", "status", "0x" + message.digest().hex(), "--wait", "--timeout", "30")
        timer.join()
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [f"0x{message.digest().hex()}: none, 1 of 2 attestations",
                                              f"0x{message.digest().hex()}: executed, 2 of 2 attestations"]
        unknown = "0x" + "ab" * 32
        result = run(cli_env, "bridge", "status", unknown, "--wait", "--timeout", "1")
        assert result.exit_code == 1 and "not complete within" in result.output


@pytest.mark.parametrize(("amount", "recipient", "code", "text"), [
    ("0", RECIPIENT, 2, "BoltBridgeZeroAmount"),
    ("18446744073.709551616", RECIPIENT, 2, "2^64 - 1 base units"),
    ("1", "11111111111111111111111111111111", 2, "BoltBridgeMalformedRecipient"),
    ("1", "not-base58!", 2, "not a base58 Solana public key"),
    ("1.0000000001", RECIPIENT, 2, "more than 9 decimals"),
    ("100000", RECIPIENT, 1, "ERC20InsufficientBalance"),
])
def test_to_solana_refusals(cli_env, funded, amount, recipient, code, text) -> None:
    result = run(cli_env, "bridge", "to-solana", amount, "--recipient", recipient, "--account", "dev:5")
    assert result.exit_code == code, result.output
    assert text in result.output and result.output.count("\n") == 1 and "Traceback" not in result.output


def test_paused_bridge_refuses_with_exit_1(cli_env, funded, bridge, pauser, chain) -> None:
    with isolated(chain):
        bridge.pause(sender=pauser)
        result = run(cli_env, "bridge", "to-solana", "1", "--recipient", RECIPIENT, "--account", "dev:5")
        assert result.exit_code == 1 and "EnforcedPause" in result.output


def test_tiers(cli_env, funded, user) -> None:
    result = run(cli_env, "bridge", "tiers", user.address, "0x" + "00" * 19 + "01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data[user.address]["tier"] == "VERIFIED" and data["0x0000000000000000000000000000000000000001"]["tier"] == "OPEN"
    result = run(cli_env, "bridge", "tiers", user.address, "--verified", "200")
    assert "OPEN" in result.output
    assert run(cli_env, "bridge", "tiers", "0x12").exit_code == 2


def test_relay_once_and_missing_manifest(cli_env, tmp_path) -> None:
    result = run(cli_env, "bridge", "relay", "--chain", "monad", "--once", "--store", str(tmp_path / "s.sqlite"),
                 "--account", "dev:9")
    assert result.exit_code == 0 and "found 0 queued" in result.output
    result = run({**cli_env, "DISPATCH_MANIFEST": str(tmp_path / "none.json")}, "bridge", "info")
    assert result.exit_code == 3 and "manifest not found" in result.output


def test_audit_monad_side(cli_env, funded) -> None:
    result = run(cli_env, "bridge", "audit", "--monad-only", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["wrapped_supply"] == data["minted"] - data["burned"] and data["minted"] >= 150 * BOLT
