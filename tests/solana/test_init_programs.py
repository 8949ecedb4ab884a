"""init_programs on a node of its own: over pre-funded config PDAs, idempotent, and refusing configs that are not ours.

`anchor deploy` and `init_programs.py` are separate steps, so someone else may
initialise a freshly deployed program first. An existing config is verified
field by field before anything is sent; it is never recorded as ours.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import funded
from solders.system_program import TransferParams, transfer

from dispatch_chain.deployments import Manifest, SolanaDeployment, load_manifest, update_manifest
from dispatch_chain.keys import save_keypair_bytes
from dispatch_chain.solana.anchor import SolanaReceiptAnchor
from dispatch_chain.solana.deploy import ConfigDifference, ProgramConfigMismatch, ProgramSettings, init_programs
from dispatch_chain.solana.programs import ANCHOR, SETTLEMENT, STAKING, IdlProgram
from dispatch_chain.solana.settlement import SettlementClient
from dispatch_chain.solana.staking import StakingClient

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "solana"
SETTINGS = ProgramSettings(cooldown_seconds=60)


def clients(solana):
    return (StakingClient(solana, IdlProgram.load(STAKING)),
            SettlementClient(solana, IdlProgram.load(SETTLEMENT)),
            SolanaReceiptAnchor(solana, IdlProgram.load(ANCHOR)))


@pytest.fixture(scope="module")
def ours(solana, solana_node, bolt, tmp_path_factory):
    """Our deploy (by the programs' upgrade authority), run after a griefer funded every config PDA,
    the vault and our anchorer's record."""
    mint, _ = bolt
    staking, settlement, anchor = clients(solana)
    admin, anchorer, griefer = solana_node.deployer, funded(solana), funded(solana)
    targets = [staking.config_address, staking.vault_address, settlement.config_address, anchor.config_address,
               anchor.anchorer_address(anchorer.pubkey())]
    least = solana.rpc.get_minimum_balance_for_rent_exemption(0).value  # what a transfer may leave at a new address
    solana.send([transfer(TransferParams(from_pubkey=griefer.pubkey(), to_pubkey=t, lamports=least))
                 for t in targets], [griefer])
    assert all(a is not None and a.holds_only_lamports for a in solana.accounts(targets))
    manifest = tmp_path_factory.mktemp("ours") / "local.json"
    progress: list[str] = []
    init_programs(solana, admin, mint, program_ids={}, anchorers=[anchorer.pubkey()], settings=SETTINGS,
                  manifest=manifest, network="local", progress=progress.append)
    return mint, admin, anchorer, manifest, progress


def test_init_programs_initialises_over_prefunded_addresses_and_is_idempotent(solana, ours) -> None:
    mint, admin, anchorer, manifest, progress = ours
    staking, settlement, anchor = clients(solana)
    config = staking.config()
    assert (config.admin, config.mint, config.cooldown_seconds) == (admin.pubkey(), mint, 60)
    assert (settlement.config().admin, settlement.config().fee_bps) == (admin.pubkey(), 500)
    assert anchor.config().admin == admin.pubkey() and anchor.is_anchorer(anchorer.pubkey())
    assert "dispatch_staking initialised" in progress[0]
    assert load_manifest(manifest).require_solana().account("admin") == str(admin.pubkey())

    again: list[str] = []
    init_programs(solana, admin, mint, program_ids={}, anchorers=[anchorer.pubkey()], settings=SETTINGS,
                  manifest=manifest, network="local", progress=again.append)
    assert again == ["dispatch_staking already initialised as asked",
                     "dispatch_settlement already initialised as asked",
                     "dispatch_anchor already initialised by this admin"]

    # Our own config, asked with other settings: named, and nothing is sent.
    other = ProgramSettings(cooldown_seconds=61, fee_bps=400)
    with pytest.raises(ProgramConfigMismatch) as info:
        init_programs(solana, admin, mint, program_ids={}, anchorers=[anchorer.pubkey()], settings=other,
                      manifest=manifest, network="local", progress=again.append)
    assert info.value.differences == [ConfigDifference(STAKING, "cooldown_seconds", "61", "60"),
                                      ConfigDifference(SETTLEMENT, "fee_bps", "400", "500")]
    assert staking.config().cooldown_seconds == 60 and settlement.config().fee_bps == 500


def test_someone_elses_configs_are_refused_field_by_field_and_never_recorded(solana, ours, tmp_path) -> None:
    """From a second deployer's side, our configs are what a bot's would be: initialised first, by another key."""
    mint, first_admin, _, _, _ = ours
    latecomer, its_anchorer = funded(solana), funded(solana)
    manifest = tmp_path / "local.json"
    settings = ProgramSettings(cooldown_seconds=7 * 24 * 3600)
    with pytest.raises(ProgramConfigMismatch) as info:
        init_programs(solana, latecomer, mint, program_ids={}, anchorers=[its_anchorer.pubkey()], settings=settings,
                      manifest=manifest, network="local", progress=lambda message: None)
    theirs, mine = str(first_admin.pubkey()), str(latecomer.pubkey())
    assert info.value.differences == [
        ConfigDifference(STAKING, "admin", mine, theirs),
        ConfigDifference(STAKING, "cooldown_seconds", str(7 * 24 * 3600), "60"),
        ConfigDifference(SETTLEMENT, "admin", mine, theirs),
        ConfigDifference(ANCHOR, "admin", mine, theirs),
        ConfigDifference(ANCHOR, f"anchorer {its_anchorer.pubkey()}", "allowed", "not allowed"),
    ]
    assert "dispatch_staking.admin is " + theirs in str(info.value)
    assert not manifest.exists(), "nothing is recorded"
    assert not clients(solana)[2].is_anchorer(its_anchorer.pubkey()), "nothing is sent"


def test_the_script_exits_3_naming_each_differing_field(solana, solana_node, ours, tmp_path) -> None:
    mint, first_admin, _, _, _ = ours
    latecomer = funded(solana)
    keypair = tmp_path / "latecomer.json"
    save_keypair_bytes(keypair, bytes(latecomer))
    manifest = tmp_path / "local.json"

    def record_mint(m: Manifest) -> None:
        m.solana = SolanaDeployment(cluster=solana.caip2, accounts={"bolt_mint": str(mint)})

    update_manifest(manifest, "local", record_mint)
    command = [sys.executable, str(SCRIPTS / "init_programs.py"), "--network", "local", "--url", solana_node.url,
               "--keypair", str(keypair), "--cooldown", "60"]
    done = subprocess.run(command, env={**os.environ, "DISPATCH_MANIFEST": str(manifest)}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    for field in ("dispatch_staking.admin", "dispatch_settlement.admin", "dispatch_anchor.admin",
                  f"dispatch_anchor.anchorer {latecomer.pubkey()}"):
        assert field in done.stderr, done.stderr
    assert "dispatch_staking.cooldown_seconds" not in done.stderr
    assert str(first_admin.pubkey()) in done.stderr
    assert "admin" not in load_manifest(manifest).require_solana().accounts
