"""Deploying the Solana side: BOLT and the programs' configs, recorded in the manifest.

Used by scripts/solana/*.py and the demo. Each step checks the chain first
and records what it did in the deployments manifest, so re-running a deploy
that was interrupted finishes it instead of starting over.

The programs themselves are deployed with ``anchor deploy`` (devnet); the
local node deploys their SBF builds at start, as ``solana-test-validator
--upgradeable-program`` does, with the node's deployer as upgrade authority.
Either way only the program's upgrade authority may initialise it, so
:func:`init_programs` must be signed by that key (``anchor deploy``'s wallet,
or :attr:`dispatch_chain.localnet.SolanaNode.deployer`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.deployments import Manifest, SolanaDeployment, update_manifest
from dispatch_chain.errors import ConfigError
from dispatch_chain.keys import load_solana_keypair, save_keypair_bytes
from dispatch_chain.protocol import BOLT, DISTRIBUTION, PROTOCOL_FEE_BPS, STAKE_REQUIREMENTS, Tier
from dispatch_chain.solana.anchor import SolanaReceiptAnchor
from dispatch_chain.solana.bolt import MintInfo, associated_token_account, create_bolt, whitepaper_allocations
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import (
    ANCHOR,
    BPF_LOADER_UPGRADEABLE,
    SETTLEMENT,
    STAKING,
    AnchorProgram,
    programdata_address,
    upgrade_authority,
)
from dispatch_chain.solana.settlement import SettlementClient
from dispatch_chain.solana.staking import StakingClient

Progress = Callable[[str], None]


def load_or_create_keypair(path: Path) -> Keypair:
    """A keypair file that must survive until its account exists (e.g. the mint's), created 0600 if absent."""
    if path.exists():
        return load_solana_keypair(path)
    keypair = Keypair()
    save_keypair_bytes(path, bytes(keypair))
    return keypair


def _record(manifest: Path, network: str, cluster: str, change: Callable[[SolanaDeployment], None]) -> None:
    def apply(m: Manifest) -> None:
        solana = m.solana or SolanaDeployment(cluster=cluster)
        if solana.cluster and solana.cluster != cluster:
            raise ConfigError(f"{manifest} records Solana cluster {solana.cluster}, not {cluster}")
        solana.cluster = cluster
        change(solana)
        m.solana = solana

    update_manifest(manifest, network, apply)


def deploy_bolt(client: SolanaClient, payer: Keypair, mint: Keypair, owners: Mapping[str, Pubkey], *,
                manifest: Path, network: str, progress: Progress) -> MintInfo:
    """Create and distribute BOLT (resumable) and record the mint and allocations."""
    cluster = client.caip2
    _record(manifest, network, cluster, lambda s: s.accounts.update({"bolt_mint": str(mint.pubkey())}))
    info = create_bolt(client, payer, mint, whitepaper_allocations(dict(owners)), progress=progress)

    def change(s: SolanaDeployment) -> None:
        for name, _ in DISTRIBUTION:
            s.accounts[f"allocation.{name}"] = str(associated_token_account(owners[name], mint.pubkey()))
            s.accounts[f"allocation_owner.{name}"] = str(owners[name])

    _record(manifest, network, cluster, change)
    return info


@dataclass(frozen=True)
class ProgramSettings:
    verified_threshold: int = STAKE_REQUIREMENTS[Tier.VERIFIED]
    sentinel_threshold: int = STAKE_REQUIREMENTS[Tier.SENTINEL]
    cooldown_seconds: int = 7 * 24 * 3600
    fee_bps: int = PROTOCOL_FEE_BPS


def program_upgrade_authority(client: SolanaClient, program: AnchorProgram) -> Pubkey | None:
    """The upgrade authority of a deployed program; ConfigError if it is not deployed with the upgradeable loader."""
    account = client.account(program.program_id)
    if account is None:
        raise ConfigError(f"program {program.name} is not deployed at {program.program_id} on {client.caip2}"
                          " (anchor deploy it first, or pass its id)")
    if account.owner != BPF_LOADER_UPGRADEABLE:
        raise ConfigError(f"{program.program_id} is not a program of the BPF upgradeable loader (owner {account.owner})")
    data = client.account(programdata_address(program.program_id))
    if data is None:
        raise ConfigError(f"program {program.name} at {program.program_id} has no ProgramData account")
    return upgrade_authority(data.data)


def _check_existing(name: str, fields: Sequence[tuple[str, object, object]]) -> None:
    """Fail when an existing config differs from ours: ``(field, on chain, expected)`` each."""
    wrong = [f"{field} is {got}, expected {want}" for field, got, want in fields if got != want]
    if wrong:
        raise ConfigError(f"{name} is already initialised, but not as ours: {'; '.join(wrong)}."
                          " Someone else initialised it, or with other settings: redeploy it (new program id),"
                          " or run with the settings and admin it holds")


def init_programs(client: SolanaClient, admin: Keypair, mint: Pubkey, *, program_ids: Mapping[str, str | None],
                  anchorers: Sequence[Pubkey], settings: ProgramSettings, manifest: Path, network: str,
                  progress: Progress) -> None:
    """Initialise the three programs' configs and record them.

    ``admin`` must be each program's upgrade authority (the programs refuse
    anyone else). A config that exists already is checked field by field
    (admin, mint, thresholds, cooldown, fee) and must match, so a config
    someone else initialised first is never recorded as ours.
    """
    staking = StakingClient(client, AnchorProgram.load(STAKING, program_ids.get(STAKING)))
    settlement = SettlementClient(client, AnchorProgram.load(SETTLEMENT, program_ids.get(SETTLEMENT)))
    anchor = SolanaReceiptAnchor(client, AnchorProgram.load(ANCHOR, program_ids.get(ANCHOR)))
    configs = {STAKING: staking.config_address, SETTLEMENT: settlement.config_address, ANCHOR: anchor.config_address}
    for program in (staking.program, settlement.program, anchor.program):
        client.idl_errors[str(program.program_id)] = program.errors
        authority = program_upgrade_authority(client, program)
        if client.account(configs[program.name]) is None and authority != admin.pubkey():
            raise ConfigError(f"only the upgrade authority of {program.name} ({authority or 'none: immutable'}) can"
                              f" initialise it, not {admin.pubkey()}: sign with the deployer's keypair")

    if client.account(staking.config_address) is None:
        staking.initialize(admin, mint, verified_threshold=settings.verified_threshold,
                           sentinel_threshold=settings.sentinel_threshold, cooldown_seconds=settings.cooldown_seconds)
        progress(f"dispatch_staking initialised: VERIFIED {settings.verified_threshold / BOLT:g} BOLT, SENTINEL"
                 f" {settings.sentinel_threshold / BOLT:g} BOLT, cooldown {settings.cooldown_seconds} s")
    else:
        progress("dispatch_staking already initialised")
    c = staking.config()
    _check_existing(STAKING, [("admin", c.admin, admin.pubkey()), ("mint", c.mint, mint),
                              ("verified_threshold", c.verified_threshold, settings.verified_threshold),
                              ("sentinel_threshold", c.sentinel_threshold, settings.sentinel_threshold),
                              ("cooldown_seconds", c.cooldown_seconds, settings.cooldown_seconds)])

    if client.account(settlement.config_address) is None:
        settlement.initialize(admin, mint, settings.fee_bps)
        progress(f"dispatch_settlement initialised: fee {settings.fee_bps} bps burned per settlement")
    else:
        progress("dispatch_settlement already initialised")
    s = settlement.config()
    _check_existing(SETTLEMENT, [("admin", s.admin, admin.pubkey()), ("mint", s.mint, mint),
                                 ("fee_bps", s.fee_bps, settings.fee_bps)])

    if client.account(anchor.config_address) is None:
        anchor.initialize(admin)
        progress("dispatch_anchor initialised")
    else:
        progress("dispatch_anchor already initialised")
    anchor_config = client.account(anchor.config_address)
    assert anchor_config is not None
    _check_existing(ANCHOR, [("admin", anchor.program.decode("AnchorConfig", anchor_config.data).admin, admin.pubkey())])
    for authority in anchorers:
        if client.account(anchor.anchorer_address(authority)) is None:
            anchor.add_anchorer(admin, authority)
            progress(f"anchorer {authority} allowed")

    def change(s: SolanaDeployment) -> None:
        s.programs.update({STAKING: str(staking.program.program_id), SETTLEMENT: str(settlement.program.program_id),
                           ANCHOR: str(anchor.program.program_id)})
        s.accounts.update({"staking_config": str(staking.config_address), "staking_vault": str(staking.vault_address),
                           "settlement_config": str(settlement.config_address),
                           "anchor_config": str(anchor.config_address), "admin": str(admin.pubkey())})

    _record(manifest, network, client.caip2, change)
