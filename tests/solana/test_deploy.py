"""The programs as the node holds them (BPF upgradeable loader) and their initialisation:
only the upgrade authority may initialise, and an existing config is checked field by field."""

from __future__ import annotations

import pytest
from conftest import funded

from dispatch_chain.errors import ConfigError
from dispatch_chain.solana import errors
from dispatch_chain.solana.deploy import ProgramSettings, init_programs, program_upgrade_authority
from dispatch_chain.solana.programs import (
    ANCHOR,
    BPF_LOADER_UPGRADEABLE,
    PROGRAMS,
    SETTLEMENT,
    STAKING,
    IdlProgram,
    programdata_address,
)
from dispatch_chain.solana.staking import StakingClient


def test_programs_are_upgradeable_with_the_deployer_as_authority(solana, solana_node) -> None:
    for name in PROGRAMS:
        program = IdlProgram.load(name)
        account = solana.rpc.get_account_info(program.program_id).value
        assert account is not None and account.executable and account.owner == BPF_LOADER_UPGRADEABLE
        assert bytes(account.data)[4:36] == bytes(programdata_address(program.program_id))
        assert program_upgrade_authority(solana, program) == solana_node.deployer.pubkey()


def test_only_the_upgrade_authority_initialises(solana, solana_node, bolt, tmp_path) -> None:
    mint, _ = bolt
    stranger = funded(solana)
    # Straight to the program: Anchor's ConstraintRaw on program_data, nothing created.
    staking = StakingClient(solana, IdlProgram.load(STAKING))
    with pytest.raises(errors.AnchorConstraintError) as info:
        staking.initialize(stranger, mint, verified_threshold=1, sentinel_threshold=2, cooldown_seconds=0)
    assert (info.value.name, info.value.code) == ("ConstraintRaw", 2003)
    assert any("caused by account: program_data" in line for line in info.value.logs)
    assert solana.account(staking.config_address) is None
    # init_programs says who may do it before sending anything.
    settings = ProgramSettings(cooldown_seconds=5)
    manifest = tmp_path / "local.json"
    with pytest.raises(ConfigError, match="only the upgrade authority of dispatch_staking"):
        init_programs(solana, stranger, mint, program_ids={}, anchorers=[], settings=settings, manifest=manifest,
                      network="local", progress=lambda m: None)

    deployer = solana_node.deployer
    init_programs(solana, deployer, mint, program_ids={}, anchorers=[], settings=settings, manifest=manifest,
                  network="local", progress=lambda m: None)
    assert staking.config().admin == deployer.pubkey()
    # Again with the same settings: nothing to do, and the configs check out.
    init_programs(solana, deployer, mint, program_ids={}, anchorers=[], settings=settings, manifest=manifest,
                  network="local", progress=lambda m: None)
    # Other settings, or another admin: the existing configs are not ours.
    with pytest.raises(ConfigError, match=r"not as asked .*\n  dispatch_staking.cooldown_seconds is 5, expected 7"):
        init_programs(solana, deployer, mint, program_ids={}, anchorers=[], settings=ProgramSettings(cooldown_seconds=7),
                      manifest=manifest, network="local", progress=lambda m: None)
    with pytest.raises(ConfigError, match=f"admin is {deployer.pubkey()}, expected {stranger.pubkey()}"):
        init_programs(solana, stranger, mint, program_ids={}, anchorers=[], settings=settings, manifest=manifest,
                      network="local", progress=lambda m: None)
    assert {SETTLEMENT, ANCHOR} <= set(PROGRAMS)
