"""Genesis of BOLT into its vaults and schedules, and dispatch_rewards' initialisation, recorded in the manifest.

:func:`deploy_genesis` is what ``dispatch-chain solana create-bolt`` runs:
worker rewards into the dispatch_rewards vault, team grants into
per-beneficiary vesting schedules (from the team file), liquidity into a
one-year lock, treasury into the dispatch_governance treasury vault (the
receiver config PDA's associated token account, derivable and fundable
before the receiver is initialised), the rest to the accounts named
(:func:`dispatch_chain.solana.genesis.genesis_allocations`), then the mint
authority revoked. Resumable like :func:`~dispatch_chain.solana.bolt.create_bolt`:
the genesis time is recorded in the manifest before anything is sent and
reused by a rerun, so a rerun asks for exactly the same schedules.

No key holds the treasury: only dispatch_governance's ``pay_spend`` moves it,
for a spend passed on Monad, attested, and 180 days old (docs/governance.md).
The manifest records the vault as ``allocation.treasury`` and the receiver
config that owns it as ``governance_config``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from dispatch_chain.deployments import SolanaDeployment, load_manifest
from dispatch_chain.errors import ConfigError
from dispatch_chain.governance.solana import GOVERNANCE, GovernanceReceiver
from dispatch_chain.rewards.program import REWARDS, RewardsClient, RewardsConfig
from dispatch_chain.solana.bolt import MintInfo, create_bolt
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.deploy import program_upgrade_authority, record_solana
from dispatch_chain.solana.genesis import Grant, ScheduleAllocation, genesis_allocations, genesis_schedules
from dispatch_chain.solana.programs import IdlProgram
from dispatch_chain.solana.vesting import VESTING, VestingClient

Progress = Callable[[str], None]
#: The categories paid to an account named at genesis (no vault, no schedule).
FREE_CATEGORIES = ("community", "hackathon", "partners")
DEFAULT_EPOCH_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class GenesisPlan:
    """Who receives what at genesis (amounts are the whitepaper's, §5.4)."""

    team: list[Grant]
    liquidity_beneficiary: Pubkey
    team_revoke_authority: Pubkey | None
    owners: dict[str, Pubkey] = field(default_factory=dict)  # FREE_CATEGORIES -> owner
    vesting_program_id: str | None = None
    rewards_program_id: str | None = None
    governance_program_id: str | None = None


def recorded_genesis_ts(manifest: Path) -> int | None:
    """The genesis time a previous (possibly interrupted) run recorded, if any."""
    if not manifest.exists():
        return None
    solana = load_manifest(manifest).solana
    value = None if solana is None else solana.accounts.get("genesis_ts")
    return None if value is None else int(value)


def chain_now(client: SolanaClient) -> int:
    """The Unix time of the cluster's current slot."""
    slot = client.rpc.get_slot().value
    now = client.block_time(slot)
    if now is None:
        raise ConfigError(f"{client.network.rpc_url} has no block time for slot {slot}")
    return now


def deploy_genesis(
    client: SolanaClient,
    payer: Keypair,
    mint: Keypair,
    plan: GenesisPlan,
    *,
    manifest: Path,
    network: str,
    progress: Progress,
    genesis_ts: int | None = None,
) -> MintInfo:
    """Create BOLT with every allocation in its vault or schedule (resumable) and record it all.

    ``genesis_ts`` (default: the chain's time at the first run) starts the schedules; a rerun
    uses the recorded one, and refuses a different ``genesis_ts``.
    """
    recorded = recorded_genesis_ts(manifest)
    if recorded is not None and genesis_ts is not None and recorded != genesis_ts:
        raise ConfigError(f"{manifest} records genesis time {recorded}, not {genesis_ts}; use the recorded one")
    start = recorded if recorded is not None else (genesis_ts if genesis_ts is not None else chain_now(client))
    missing = [name for name in FREE_CATEGORIES if name not in plan.owners]
    if missing:
        raise ConfigError(f"no owner for allocation(s): {', '.join(missing)}")
    vesting = VestingClient(client, IdlProgram.load(VESTING, plan.vesting_program_id))
    rewards = RewardsClient(client, IdlProgram.load(REWARDS, plan.rewards_program_id))
    receiver = GovernanceReceiver(client, IdlProgram.load(GOVERNANCE, plan.governance_program_id))
    specs = genesis_schedules(
        start,
        plan.team,
        liquidity_beneficiary=plan.liquidity_beneficiary,
        team_revoke_authority=plan.team_revoke_authority,
    )
    allocations = genesis_allocations(
        specs,
        vesting=vesting,
        creator=payer.pubkey(),
        rewards_config=rewards.rewards.config_address,
        treasury_config=receiver.config_address,
        owners=plan.owners,
    )
    mint_key = mint.pubkey()

    def before(s: SolanaDeployment) -> None:
        s.accounts.update({"bolt_mint": str(mint_key), "genesis_ts": str(start)})
        if plan.team_revoke_authority is not None:
            s.accounts["team_revoke_authority"] = str(plan.team_revoke_authority)

    record_solana(manifest, network, client.caip2, before)
    info = create_bolt(client, payer, mint, allocations, progress=progress)

    def after(s: SolanaDeployment) -> None:
        s.programs.update({VESTING: str(vesting.program.program_id), REWARDS: str(rewards.rewards.program.program_id)})
        s.accounts["genesis_creator"] = str(payer.pubkey())
        s.accounts["rewards_config"] = str(rewards.rewards.config_address)
        s.accounts["allocation.worker_rewards"] = str(rewards.rewards.vault_address(mint_key))
        s.programs[GOVERNANCE] = str(receiver.program.program_id)
        s.accounts["governance_config"] = str(receiver.config_address)
        s.accounts["allocation.treasury"] = str(receiver.treasury_address(mint_key))
        for place in allocations:
            if isinstance(place, ScheduleAllocation):
                s.accounts[f"schedule.{place.spec.category}.{place.spec.label}"] = str(place.address)
            elif place.name in FREE_CATEGORIES:
                s.accounts[f"allocation.{place.name}"] = str(place.account(mint_key))
                s.accounts[f"allocation_owner.{place.name}"] = str(place.owner)

    record_solana(manifest, network, client.caip2, after)
    return info


def init_rewards(
    client: SolanaClient,
    admin: Keypair,
    mint: Pubkey,
    *,
    distributor: Pubkey,
    start_ts: int,
    epoch_seconds: int = DEFAULT_EPOCH_SECONDS,
    program_id: str | None = None,
    manifest: Path,
    network: str,
    progress: Progress,
) -> RewardsConfig:
    """Initialise dispatch_rewards (skipped when already initialised as asked) and record it.

    ``admin`` must be the program's upgrade authority (the program refuses anyone else);
    an existing config with another admin, mint, start or epoch length raises ConfigError.
    """
    rewards = RewardsClient(client, IdlProgram.load(REWARDS, program_id))
    program = rewards.rewards.program
    if client.account(rewards.rewards.config_address) is None:
        authority = program_upgrade_authority(client, program)
        if authority != admin.pubkey():
            raise ConfigError(
                f"only the upgrade authority of {REWARDS} ({authority or 'none: immutable'}) can"
                f" initialise it, not {admin.pubkey()}: sign with the deployer's keypair"
            )
        rewards.initialize(admin, mint, start_ts=start_ts, epoch_seconds=epoch_seconds, distributor=distributor)
        progress(
            f"{REWARDS} initialised: curve from {start_ts}, epochs of {epoch_seconds} s, distributor {distributor}"
        )
    config = rewards.config()
    for name, have, want in (
        ("admin", config.admin, admin.pubkey()),
        ("mint", config.mint, mint),
        ("start_ts", config.start_ts, start_ts),
        ("epoch_seconds", config.epoch_seconds, epoch_seconds),
    ):
        if have != want:
            raise ConfigError(f"{REWARDS} is initialised with {name} {have}, not {want} (not ours?)")

    def change(s: SolanaDeployment) -> None:
        s.programs[REWARDS] = str(program.program_id)
        s.accounts.update(
            {
                "rewards_config": str(rewards.rewards.config_address),
                "allocation.worker_rewards": str(config.vault),
                "rewards_distributor": str(config.distributor),
            }
        )

    record_solana(manifest, network, client.caip2, change)
    return config
