"""Deploying the Solana side: BOLT and the programs' configs, recorded in the manifest.

Used by scripts/solana/*.py and the demo. Each step checks the chain first
and records what it did in the deployments manifest, so re-running a deploy
that was interrupted finishes it instead of starting over.

The programs themselves are deployed with ``anchor deploy`` where the Solana
toolchain exists (devnet); on the local node they are registered natively at
their declared ids and only need initialising.
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
from dispatch_chain.solana.bridge import BridgeClient, BridgeConfig, InitParams
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import ANCHOR, BRIDGE, SETTLEMENT, STAKING, AnchorProgram
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


def init_programs(client: SolanaClient, admin: Keypair, mint: Pubkey, *, program_ids: Mapping[str, str | None],
                  anchorers: Sequence[Pubkey], settings: ProgramSettings, manifest: Path, network: str,
                  progress: Progress) -> None:
    """Initialise the three programs' configs (skipping those already initialised) and record them."""
    staking = StakingClient(client, AnchorProgram.load(STAKING, program_ids.get(STAKING)))
    settlement = SettlementClient(client, AnchorProgram.load(SETTLEMENT, program_ids.get(SETTLEMENT)))
    anchor = SolanaReceiptAnchor(client, AnchorProgram.load(ANCHOR, program_ids.get(ANCHOR)))
    for program in (staking.program, settlement.program, anchor.program):
        client.idl_errors[str(program.program_id)] = program.errors
        if client.account(program.program_id) is None:
            raise ConfigError(f"program {program.name} is not deployed at {program.program_id} on {client.caip2}"
                              " (anchor deploy it first, or pass its id)")

    if client.account(staking.config_address) is None:
        staking.initialize(admin, mint, verified_threshold=settings.verified_threshold,
                           sentinel_threshold=settings.sentinel_threshold, cooldown_seconds=settings.cooldown_seconds)
        progress(f"dispatch_staking initialised: VERIFIED {settings.verified_threshold / BOLT:g} BOLT, SENTINEL"
                 f" {settings.sentinel_threshold / BOLT:g} BOLT, cooldown {settings.cooldown_seconds} s")
    else:
        progress("dispatch_staking already initialised")
    if staking.config().mint != mint:
        raise ConfigError(f"dispatch_staking is initialised for mint {staking.config().mint}, not {mint}")

    if client.account(settlement.config_address) is None:
        settlement.initialize(admin, mint, settings.fee_bps)
        progress(f"dispatch_settlement initialised: fee {settings.fee_bps} bps burned per settlement")
    else:
        progress("dispatch_settlement already initialised")

    if client.account(anchor.config_address) is None:
        anchor.initialize(admin)
        progress("dispatch_anchor initialised")
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


def init_bridge(client: SolanaClient, admin: Keypair, mint: Pubkey, params: InitParams, *, program_id: str | None,
                manifest: Path, network: str, progress: Progress) -> BridgeConfig:
    """Initialise dispatch_bridge for BOLT (skipped when already initialised) and record it in the manifest.

    The program must already be deployed as an upgradeable program whose upgrade
    authority is ``admin`` (``anchor deploy`` / ``solana program deploy``); the
    admin becomes the bridge admin. An existing config must match ``mint``, this
    chain and the peer, or this raises rather than record something else.
    """
    bridge = BridgeClient(client, AnchorProgram.load(BRIDGE, program_id))
    if client.account(bridge.program.program_id) is None:
        raise ConfigError(f"program {BRIDGE} is not deployed at {bridge.program.program_id} on {client.caip2}"
                          " (deploy it first, or pass its id)")
    if client.account(bridge.config_address) is None:
        bridge.initialize(admin, mint, params)
        progress(f"dispatch_bridge initialised: {params.threshold}-of-{len(params.attesters)} attesters, limits"
                 f" {params.outbound_capacity / BOLT:g} out / {params.inbound_capacity / BOLT:g} in BOLT per 24 h,"
                 f" queue delay {params.queue_delay} s")
    else:
        progress("dispatch_bridge already initialised")
    config = bridge.config()
    for name, have, want in (("mint", config.mint, mint), ("chain id", config.chain_id, params.chain_id),
                             ("peer chain", config.peer_chain_id, params.peer_chain_id),
                             ("peer bridge", config.peer_bridge, params.peer_bridge)):
        if have != want:
            raise ConfigError(f"dispatch_bridge is initialised with {name} {have!r}, not {want!r}")

    def change(s: SolanaDeployment) -> None:
        s.programs[BRIDGE] = str(bridge.program.program_id)
        s.accounts.update({"bridge_config": str(bridge.config_address), "bridge_custody": str(bridge.custody_address),
                           "bridge_admin": str(config.admin)})

    _record(manifest, network, client.caip2, change)
    return config
