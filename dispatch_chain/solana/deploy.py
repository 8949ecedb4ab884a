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
from dispatch_chain.solana.bridge import BridgeClient, BridgeConfig, InitParams
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import (
    ANCHOR,
    BPF_LOADER_UPGRADEABLE,
    BRIDGE,
    SETTLEMENT,
    STAKING,
    IdlProgram,
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


def record_solana(manifest: Path, network: str, cluster: str, change: Callable[[SolanaDeployment], None]) -> None:
    def apply(m: Manifest) -> None:
        solana = m.solana or SolanaDeployment(cluster=cluster)
        if solana.cluster and solana.cluster != cluster:
            raise ConfigError(f"{manifest} records Solana cluster {solana.cluster}, not {cluster}")
        solana.cluster = cluster
        change(solana)
        m.solana = solana

    update_manifest(manifest, network, apply)


def deploy_bolt(
    client: SolanaClient,
    payer: Keypair,
    mint: Keypair,
    owners: Mapping[str, Pubkey],
    *,
    manifest: Path,
    network: str,
    progress: Progress,
) -> MintInfo:
    """Create BOLT with every allocation in a plain owner's account (resumable) and record it.

    No vault, no schedule: for benchmarks and tests that need plain holders. The genesis
    the whitepaper states (vaults, vesting, locks) is
    :func:`dispatch_chain.solana.tokenomics.deploy_genesis` (``create-bolt``)."""
    cluster = client.caip2
    record_solana(manifest, network, cluster, lambda s: s.accounts.update({"bolt_mint": str(mint.pubkey())}))
    info = create_bolt(client, payer, mint, whitepaper_allocations(dict(owners)), progress=progress)

    def change(s: SolanaDeployment) -> None:
        for name, _ in DISTRIBUTION:
            s.accounts[f"allocation.{name}"] = str(associated_token_account(owners[name], mint.pubkey()))
            s.accounts[f"allocation_owner.{name}"] = str(owners[name])

    record_solana(manifest, network, cluster, change)
    return info


def deploy_usdc(
    client: SolanaClient,
    payer: Keypair,
    mint: Keypair,
    funding: Mapping[Pubkey, int],
    *,
    manifest: Path,
    network: str,
    progress: Progress,
) -> dict[Pubkey, int]:
    """Create the local 6-decimal USDC mint (idempotent), fund ``funding``'s owners, record ``usdc_mint``."""
    from dispatch_chain.solana.usdc import create_usdc, fund_usdc

    create_usdc(client, payer, mint, progress=progress)
    record_solana(manifest, network, client.caip2, lambda s: s.accounts.update({"usdc_mint": str(mint.pubkey())}))
    return fund_usdc(client, payer, mint.pubkey(), funding, progress=progress) if funding else {}


@dataclass(frozen=True)
class ProgramSettings:
    verified_threshold: int = STAKE_REQUIREMENTS[Tier.VERIFIED]
    sentinel_threshold: int = STAKE_REQUIREMENTS[Tier.SENTINEL]
    cooldown_seconds: int = 7 * 24 * 3600
    fee_bps: int = PROTOCOL_FEE_BPS


@dataclass(frozen=True, slots=True)
class ConfigDifference:
    """One field of an existing program config that is not what the deploy asked for."""

    program: str
    field: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.program}.{self.field} is {self.actual}, expected {self.expected}"


class ProgramConfigMismatch(ConfigError):
    """A program is already initialised, but not as asked (another admin, mint, fee, thresholds, ...).

    Typically someone initialised a freshly deployed program before us. Nothing was
    sent; ``differences`` names each field.
    """

    def __init__(self, differences: Sequence[ConfigDifference]) -> None:
        self.differences = list(differences)
        lines = "\n  ".join(str(d) for d in self.differences)
        super().__init__(
            "the programs are already initialised, not as asked (not ours?); nothing was sent:\n  " + lines
        )


def _differences(program: str, fields: Sequence[tuple[str, object, object]]) -> list[ConfigDifference]:
    return [
        ConfigDifference(program, name, str(expected), str(actual))
        for name, expected, actual in fields
        if expected != actual
    ]


def check_program_configs(
    staking: StakingClient,
    settlement: SettlementClient,
    anchor: SolanaReceiptAnchor,
    admin: Pubkey,
    mint: Pubkey,
    anchorers: Sequence[Pubkey],
    settings: ProgramSettings,
) -> list[ConfigDifference]:
    """Every field of the configs that exist that differs from what is asked (absent configs are fine).

    Anchorers count only where the anchor config is not ours: our admin adds the missing ones.
    """
    found: list[ConfigDifference] = []
    staking_config = staking.find_config()
    if staking_config is not None:
        found += _differences(
            STAKING,
            [
                ("admin", admin, staking_config.admin),
                ("mint", mint, staking_config.mint),
                ("verified_threshold", settings.verified_threshold, staking_config.verified_threshold),
                ("sentinel_threshold", settings.sentinel_threshold, staking_config.sentinel_threshold),
                ("cooldown_seconds", settings.cooldown_seconds, staking_config.cooldown_seconds),
            ],
        )
    settlement_config = settlement.find_config()
    if settlement_config is not None:
        found += _differences(
            SETTLEMENT,
            [
                ("admin", admin, settlement_config.admin),
                ("mint", mint, settlement_config.mint),
                ("fee_bps", settings.fee_bps, settlement_config.fee_bps),
            ],
        )
    anchor_config = anchor.config()
    if anchor_config is not None and anchor_config.admin != admin:
        found += _differences(ANCHOR, [("admin", admin, anchor_config.admin)])
        found += [
            ConfigDifference(ANCHOR, f"anchorer {authority}", "allowed", "not allowed")
            for authority in anchorers
            if not anchor.is_anchorer(authority)
        ]
    return found


def program_upgrade_authority(client: SolanaClient, program: IdlProgram) -> Pubkey | None:
    """The upgrade authority of a deployed program; ConfigError if it is not deployed with the upgradeable loader."""
    account = client.account(program.program_id)
    if account is None:
        raise ConfigError(
            f"program {program.name} is not deployed at {program.program_id} on {client.caip2}"
            " (anchor deploy it first, or pass its id)"
        )
    if account.owner != BPF_LOADER_UPGRADEABLE:
        raise ConfigError(
            f"{program.program_id} is not a program of the BPF upgradeable loader (owner {account.owner})"
        )
    data = client.account(programdata_address(program.program_id))
    if data is None:
        raise ConfigError(f"program {program.name} at {program.program_id} has no ProgramData account")
    return upgrade_authority(data.data)


def init_programs(
    client: SolanaClient,
    admin: Keypair,
    mint: Pubkey,
    *,
    program_ids: Mapping[str, str | None],
    anchorers: Sequence[Pubkey],
    settings: ProgramSettings,
    manifest: Path,
    network: str,
    progress: Progress,
) -> None:
    """Initialise the three programs' configs and allow the anchorers, then record them in the manifest.

    ``admin`` must be each program's upgrade authority (the programs refuse anyone
    else). Idempotent: a config that exists already is verified field by field (admin =
    ``admin``, mint, thresholds, cooldown, fee; the anchorers where we are not the admin)
    and, when any field differs, :class:`ProgramConfigMismatch` is raised before anything
    is sent, so a program someone else initialised first is never recorded as ours.
    """
    staking = StakingClient(client, IdlProgram.load(STAKING, program_ids.get(STAKING)))
    settlement = SettlementClient(client, IdlProgram.load(SETTLEMENT, program_ids.get(SETTLEMENT)))
    anchor = SolanaReceiptAnchor(client, IdlProgram.load(ANCHOR, program_ids.get(ANCHOR)))
    configs = {STAKING: staking.config_address, SETTLEMENT: settlement.config_address, ANCHOR: anchor.config_address}
    for program in (staking.program, settlement.program, anchor.program):
        client.idl_errors[str(program.program_id)] = program.errors
        authority = program_upgrade_authority(client, program)
        if client.account(configs[program.name]) is None and authority != admin.pubkey():
            raise ConfigError(
                f"only the upgrade authority of {program.name} ({authority or 'none: immutable'}) can"
                f" initialise it, not {admin.pubkey()}: sign with the deployer's keypair"
            )

    def verify() -> None:
        differences = check_program_configs(staking, settlement, anchor, admin.pubkey(), mint, anchorers, settings)
        if differences:
            raise ProgramConfigMismatch(differences)

    verify()
    if staking.find_config() is None:
        staking.initialize(
            admin,
            mint,
            verified_threshold=settings.verified_threshold,
            sentinel_threshold=settings.sentinel_threshold,
            cooldown_seconds=settings.cooldown_seconds,
        )
        progress(
            f"dispatch_staking initialised: VERIFIED {settings.verified_threshold / BOLT:g} BOLT, SENTINEL"
            f" {settings.sentinel_threshold / BOLT:g} BOLT, cooldown {settings.cooldown_seconds} s"
        )
    else:
        progress("dispatch_staking already initialised as asked")

    if settlement.find_config() is None:
        settlement.initialize(admin, mint, settings.fee_bps)
        progress(f"dispatch_settlement initialised: fee {settings.fee_bps} bps burned per settlement")
    else:
        progress("dispatch_settlement already initialised as asked")

    if anchor.config() is None:
        anchor.initialize(admin)
        progress("dispatch_anchor initialised")
    else:
        progress("dispatch_anchor already initialised by this admin")
    for authority in anchorers:
        if not anchor.is_anchorer(authority):
            anchor.add_anchorer(admin, authority)
            progress(f"anchorer {authority} allowed")
    # What landed is what we asked for (a concurrent initialiser would have made our
    # initialize fail; this also catches one that landed in between).
    verify()

    def change(s: SolanaDeployment) -> None:
        s.programs.update(
            {
                STAKING: str(staking.program.program_id),
                SETTLEMENT: str(settlement.program.program_id),
                ANCHOR: str(anchor.program.program_id),
            }
        )
        s.accounts.update(
            {
                "staking_config": str(staking.config_address),
                "staking_vault": str(staking.vault_address),
                "settlement_config": str(settlement.config_address),
                "anchor_config": str(anchor.config_address),
                "admin": str(admin.pubkey()),
            }
        )

    record_solana(manifest, network, client.caip2, change)


def init_bridge(
    client: SolanaClient,
    admin: Keypair,
    mint: Pubkey,
    params: InitParams,
    *,
    program_id: str | None,
    manifest: Path,
    network: str,
    progress: Progress,
) -> BridgeConfig:
    """Initialise dispatch_bridge for BOLT (skipped when already initialised) and record it in the manifest.

    The program must already be deployed as an upgradeable program whose upgrade
    authority is ``admin`` (``anchor deploy`` / ``solana program deploy``); the
    admin becomes the bridge admin. An existing config must match ``mint``, this
    chain and the peer, or this raises rather than record something else.
    """
    bridge = BridgeClient(client, IdlProgram.load(BRIDGE, program_id))
    if client.account(bridge.program.program_id) is None:
        raise ConfigError(
            f"program {BRIDGE} is not deployed at {bridge.program.program_id} on {client.caip2}"
            " (deploy it first, or pass its id)"
        )
    if client.account(bridge.config_address) is None:
        bridge.initialize(admin, mint, params)
        progress(
            f"dispatch_bridge initialised: {params.threshold}-of-{len(params.attesters)} attesters, limits"
            f" {params.outbound_capacity / BOLT:g} out / {params.inbound_capacity / BOLT:g} in BOLT per 24 h,"
            f" queue delay {params.queue_delay} s"
        )
    else:
        progress("dispatch_bridge already initialised")
    config = bridge.config()
    for name, have, want in (
        ("mint", config.mint, mint),
        ("chain id", config.chain_id, params.chain_id),
        ("peer chain", config.peer_chain_id, params.peer_chain_id),
        ("peer bridge", config.peer_bridge, params.peer_bridge),
    ):
        if have != want:
            raise ConfigError(f"dispatch_bridge is initialised with {name} {have!r}, not {want!r}")

    def change(s: SolanaDeployment) -> None:
        s.programs[BRIDGE] = str(bridge.program.program_id)
        s.accounts.update(
            {
                "bridge_config": str(bridge.config_address),
                "bridge_custody": str(bridge.custody_address),
                "bridge_admin": str(config.admin),
            }
        )

    record_solana(manifest, network, client.caip2, change)
    return config
