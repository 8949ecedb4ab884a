"""One settings model for every DISPATCH_* variable: declared, documented, and the only reader."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from dispatch_chain.cli import main
from dispatch_chain.config import load_network
from dispatch_chain.keys import load_evm_account
from dispatch_chain.settings import Settings, documented, variable

REPO = Path(__file__).resolve().parents[2]
#: Shell variables ./dev's setup derives and exports for its children; nobody sets them.
DERIVED_BY_DEV = {"DISPATCH_VENV", "DISPATCH_NODE", "DISPATCH_ANVIL_DIR", "DISPATCH_SOLCJS", "DISPATCH_SOLC_VERSION",
                  "DISPATCH_LINT_VENV", "DISPATCH_FORGE_DIR"}


def sources() -> list[Path]:
    files = [*REPO.joinpath("dispatch_chain").rglob("*.py"), *REPO.joinpath("scripts").rglob("*.py"),
             REPO / "dev", *REPO.joinpath("toolchain").glob("*.sh")]
    return [f for f in files if f.is_file()]


def test_every_variable_in_the_code_is_declared() -> None:
    declared = {name for name, *_ in documented()}
    used = {m for f in sources() for m in re.findall(r"DISPATCH_[A-Z0-9_]*[A-Z0-9]", f.read_text())}
    assert used - declared - DERIVED_BY_DEV == set()


def test_only_the_settings_module_reads_dispatch_variables() -> None:
    direct = re.compile(r"""(environ(\.get)?\s*[\[(]\s*["']DISPATCH_|getenv\(\s*["']DISPATCH_|envvar=["']DISPATCH_)""")
    offenders = [str(f.relative_to(REPO)) for f in REPO.joinpath("dispatch_chain").rglob("*.py")
                 if f.name != "settings.py" and direct.search(f.read_text())]
    assert offenders == []


def test_readme_and_help_document_every_variable() -> None:
    readme = (REPO / "README.md").read_text()
    help_text = CliRunner().invoke(main, ["--help"]).output
    for name, description, _, _ in documented():
        assert f"`{name}`" in readme, name
        assert name in help_text and description[:40] in help_text, name


def test_env_command_shows_values_and_hides_secrets() -> None:
    result = CliRunner().invoke(main, ["env", "--json"], env={"DISPATCH_KEYSTORE_PASSWORD": "hunter2",
                                                              "DISPATCH_STORE": "/tmp/s.sqlite"})
    rows = {row["variable"]: row for row in json.loads(result.output)}
    assert result.exit_code == 0 and "hunter2" not in result.output
    assert rows["DISPATCH_KEYSTORE_PASSWORD"]["value"] == "(set, hidden)"
    assert rows["DISPATCH_STORE"]["value"] == "/tmp/s.sqlite" and rows["DISPATCH_NETWORK"]["value"] is None
    assert "hunter2" not in repr(Settings.from_env({"DISPATCH_KEYSTORE_PASSWORD": "hunter2"}))


def test_profile_overrides_come_from_the_model() -> None:
    env = {"DISPATCH_NETWORK": "testnet", "DISPATCH_EVM_RPC_URL": "http://evm", "DISPATCH_EVM_CHAIN_ID": "7",
           "DISPATCH_SOLANA_RPC_URL": "http://sol", "DISPATCH_MANIFEST": "m.json",
           "DISPATCH_COORDINATOR_URL": "https://c", "DISPATCH_REPUTATION_CLIENTS": " 0xa, ,0xb "}
    profile = load_network(env=env)
    assert profile.name == "testnet" and profile.evm is not None and profile.solana is not None
    assert (profile.evm.rpc_url, profile.evm.chain_id, profile.evm.confirmations) == ("http://evm", 7, 1)
    assert profile.solana.rpc_url == "http://sol" and str(profile.manifest) == "m.json"
    assert profile.coordinator_url == "https://c" and profile.reputation_clients == ("0xa", "0xb")
    assert load_network(env={"DISPATCH_NETWORK": ""}).name == "local"


def test_one_line_adds_a_profile_override() -> None:
    """What another field costs: one declaration; load_network applies it without further code."""
    from dispatch_chain.settings import profile_setting

    class Extended(Settings):
        evm_confirmations: str | None = profile_setting("evm.confirmations", "blocks to wait")

    overrides = Extended.from_env({"DISPATCH_EVM_CONFIRMATIONS": "3"}).profile_overrides()
    assert overrides == {"evm": {"confirmations": "3"}}
    assert variable("evm_confirmations") == "DISPATCH_EVM_CONFIRMATIONS"


def test_keys_read_the_account_through_the_model() -> None:
    account = load_evm_account(env={"DISPATCH_EVM_ACCOUNT": "env:MY_KEY", "MY_KEY": "0x" + "11" * 32},
                               chain_id=10143)
    assert account.address == "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"
