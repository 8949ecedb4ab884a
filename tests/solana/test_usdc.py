"""The local USDC mint on the local Solana node: created by `dispatch-chain solana create-usdc`,
recorded in the manifest, agents funded (top-up, idempotent), bad input refused."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from conftest import funded
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.cli import main
from dispatch_chain.deployments import load_manifest
from dispatch_chain.keys import save_keypair_bytes
from dispatch_chain.solana.bolt import associated_token_account, read_mint, token_balance
from dispatch_chain.solana.usdc import USDC, UsdcError, create_usdc, fund_usdc


@pytest.fixture
def run(solana, solana_node, tmp_path):
    payer = funded(solana)
    save_keypair_bytes(tmp_path / "payer.json", bytes(payer))
    env = {**os.environ, "DISPATCH_KEY_DIR": str(tmp_path / "keys"), "DISPATCH_MANIFEST": str(tmp_path / "local.json"),
           "DISPATCH_NETWORK": "local"}

    def invoke(*args: str, network: str = "local"):
        return CliRunner().invoke(main, ["--network", network, "solana", "create-usdc", "--url", solana_node.url,
                                         "--keypair", str(tmp_path / "payer.json"), *args], env=env)

    invoke.payer = payer  # type: ignore[attr-defined]
    invoke.folder = tmp_path  # type: ignore[attr-defined]
    return invoke


def test_create_usdc_records_the_mint_and_funds_agents(solana, run) -> None:
    agents = [Keypair().pubkey() for _ in range(2)]
    first = run("--fund", f"{agents[0]}=12.5", "--fund", f"{agents[1]}=0.000001")
    assert first.exit_code == 0, first.output
    mint = load_manifest(run.folder / "local.json").require_solana().account("usdc_mint")
    mint_key = Pubkey.from_string(mint)
    info = read_mint(solana, mint_key)
    assert info is not None and (info.decimals, info.mint_authority, info.freeze_authority) == (
        6, run.payer.pubkey(), None)
    assert token_balance(solana, associated_token_account(agents[0], mint_key)) == 12_500_000
    assert token_balance(solana, associated_token_account(agents[1], mint_key)) == 1
    # again: the same mint, only the shortfall minted (a top-up, never a second full mint)
    again = run("--fund", f"{agents[0]}=20")
    assert again.exit_code == 0, again.output
    assert load_manifest(run.folder / "local.json").require_solana().account("usdc_mint") == mint
    assert token_balance(solana, associated_token_account(agents[0], mint_key)) == 20 * USDC
    final = read_mint(solana, mint_key)
    assert final is not None and final.supply == 20 * USDC + 1


@pytest.mark.parametrize(("spec", "message"), [
    ("nobase58=1", "is not a Solana address"),
    (f"{Keypair().pubkey()}=-1", "a positive amount"),
    (f"{Keypair().pubkey()}=0.0000001", "at most 6 decimals"),
    (f"{Keypair().pubkey()}=lots", "is not a USDC amount"),
])
def test_bad_funding_specs_exit_2(run, spec, message) -> None:
    result = run("--fund", spec)
    assert result.exit_code == 2 and message in result.output, result.output


def test_a_mint_that_is_not_ours_is_refused(solana) -> None:
    payer, other, mint = funded(solana), funded(solana), Keypair()
    create_usdc(solana, payer, mint)
    with pytest.raises(UsdcError, match="not the payer"):
        create_usdc(solana, other, mint)
    with pytest.raises(UsdcError, match="not the payer"):
        fund_usdc(solana, other, mint.pubkey(), {other.pubkey(): USDC})
    with pytest.raises(UsdcError, match="positive"):
        fund_usdc(solana, payer, mint.pubkey(), {other.pubkey(): 0})
    with pytest.raises(UsdcError, match="no USDC mint"):
        fund_usdc(solana, payer, Keypair().pubkey(), {other.pubkey(): USDC})
