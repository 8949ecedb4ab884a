"""``dispatch-chain solana``: BOLT, program configs, staking, tiers and settlement.

The deploy-side commands are also scripts: scripts/solana/create_bolt.py,
init_programs.py, stake.py, unstake.py, withdraw.py and settle.py run the
same code. Amounts are decimal BOLT, parsed exactly (protocol.parse_bolt).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from solders.pubkey import Pubkey

from dispatch_chain.cli.common import CliState, InputError, chain_errors, emit_json, parse_hash32
from dispatch_chain.cli.worker import parse_worker
from dispatch_chain.config import SolanaNetwork
from dispatch_chain.connect import Connections
from dispatch_chain.governance.deploy import init_receiver
from dispatch_chain.governance.solana import GOVERNANCE
from dispatch_chain.protocol import BOLT, BOLT_SUPPLY, PROTOCOL_FEE_BPS, format_bolt, parse_bolt, parse_usdc
from dispatch_chain.rewards.program import REWARDS
from dispatch_chain.settings import Settings
from dispatch_chain.solana.bolt import read_mint
from dispatch_chain.solana.bridge import BridgeInputError, InitParams, chain_id, pad_evm_address
from dispatch_chain.solana.deploy import (
    ProgramSettings,
    deploy_usdc,
    init_bridge,
    init_programs,
    load_or_create_keypair,
)
from dispatch_chain.solana.genesis import read_team_file
from dispatch_chain.solana.programs import PROGRAMS
from dispatch_chain.solana.staking import MAX_COOLDOWN_SECONDS
from dispatch_chain.solana.tokenomics import FREE_CATEGORIES, GenesisPlan, deploy_genesis
from dispatch_chain.solana.vesting import VESTING

DEFAULT_KEYPAIR = Path("~/.config/solana/id.json")


def key_dir(network: str) -> Path:
    """Where deploy keys this tool creates are kept: outside the repository, mode 0600."""
    return Path(Settings.from_env().key_dir or "~/.config/dispatch").expanduser() / network


class BoltAmount(click.ParamType):
    """A BOLT amount given in tokens ('1000', '99.999999999'), converted exactly to base units."""

    name = "BOLT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_bolt(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


BOLT_AMOUNT = BoltAmount()


def _pubkey(value: str, what: str) -> str:
    """A Solana address given on the command line, checked (exit 2 naming ``what``)."""
    try:
        return str(Pubkey.from_string(value))
    except ValueError:
        raise InputError(f"{what}: {value[:64]!r} is not a Solana address") from None


def _connections(state: CliState, url: str | None, keypair: str | None) -> Connections:
    profile = state.profile()
    if url:
        profile = profile.model_copy(update={"solana": SolanaNetwork(rpc_url=url)})
    path = keypair or Settings.from_env().solana_keypair or str(DEFAULT_KEYPAIR.expanduser())
    return Connections(profile, solana_keypair_path=path)


def solana_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--keypair",
        type=click.Path(dir_okay=False),
        help="Signer (solana-keygen JSON). Default: $DISPATCH_SOLANA_KEYPAIR, else ~/.config/solana/id.json.",
    )(function)
    function = click.option("--url", help="Solana RPC URL (default: the network profile's).")(function)
    return function


@click.group()
def solana() -> None:
    """BOLT, staking tiers and settlement on Solana (local node or devnet)."""


@solana.command("create-bolt")
@solana_options
@click.option(
    "--mint-keypair",
    type=click.Path(dir_okay=False),
    help="Keypair of the mint account (default: <key dir>/bolt-mint.json, created if absent).",
)
@click.option(
    "--team-file",
    type=click.Path(dir_okay=False),
    required=True,
    help="JSON list of team and advisor grants ({label, beneficiary, amount in base units}) adding up to"
    " 150M BOLT; each becomes a vesting schedule (1-year cliff, 3 years linear). Format: docs/rewards.md.",
)
@click.option(
    "--team-revoke-authority",
    help="Who may revoke the unvested part of team grants (default: none, irrevocable).",
)
@click.option(
    "--owner",
    "owner_specs",
    multiple=True,
    metavar="NAME=PUBKEY",
    help="Receiver of " + ", ".join(FREE_CATEGORIES) + ", or liquidity (beneficiary of its 1-year lock); repeatable.",
)
@click.option(
    "--generate-owners",
    is_flag=True,
    help="Create a keypair for every receiver not given in the key dir; for local chains.",
)
@click.option("--genesis-ts", type=int, help="Unix time the schedules start (default: the chain's time now).")
@click.option(
    "--airdrop",
    type=click.FloatRange(0, 1_000_000),
    default=0.0,
    help="SOL to airdrop to the payer first (local node, devnet).",
)
@click.pass_obj
def create_bolt(
    state: CliState,
    url: str | None,
    keypair: str | None,
    mint_keypair: str | None,
    team_file: str,
    team_revoke_authority: str | None,
    owner_specs: tuple[str, ...],
    generate_owners: bool,
    genesis_ts: int | None,
    airdrop: float,
) -> None:
    """Create BOLT: 1,000,000,000 tokens, 9 decimals, each allocation in its vault or schedule, mint authority revoked.

    Worker rewards (400M) go into the dispatch_rewards vault; team grants into vesting schedules;
    liquidity (100M) into a 1-year lock; treasury (150M) into the dispatch_governance treasury vault
    (the receiver config's token account: only a spend passed by governance, 180 days after its
    approval, moves it); community, hackathon and partners to the accounts named. The signer creates the schedules.
    Resumable: run it again with the same mint keypair and manifest to finish an interrupted run.
    Keys it creates go to $DISPATCH_KEY_DIR/<network> (default ~/.config/dispatch/<network>).
    """
    receivers = (*FREE_CATEGORIES, "liquidity")
    owners: dict[str, Pubkey] = {}
    for spec in owner_specs:
        name, _, value = spec.partition("=")
        if name not in receivers:
            raise InputError(f"--owner {spec}: allocation {name!r} takes no owner (only {', '.join(receivers)})")
        owners[name] = Pubkey.from_string(_pubkey(value, f"--owner {spec}"))
    revoker = (
        Pubkey.from_string(_pubkey(team_revoke_authority, "--team-revoke-authority")) if team_revoke_authority else None
    )
    with chain_errors():
        team = read_team_file(Path(team_file))
        connections = _connections(state, url, keypair)
        keys = key_dir(connections.profile.name)
        for name in receivers:
            if name not in owners:
                if not generate_owners:
                    raise InputError(f"no owner for {name!r}: pass --owner {name}=PUBKEY or --generate-owners")
                owners[name] = load_or_create_keypair(keys / "allocations" / f"{name}.json").pubkey()
        mint = load_or_create_keypair(Path(mint_keypair) if mint_keypair else keys / "bolt-mint.json")
        client, payer = connections.solana, connections.solana_keypair
        if airdrop:
            client.airdrop(payer.pubkey(), int(airdrop * 1_000_000_000))
        plan = GenesisPlan(
            team=team,
            liquidity_beneficiary=owners.pop("liquidity"),
            team_revoke_authority=revoker,
            owners=owners,
            vesting_program_id=str(connections.solana_program(VESTING).program_id),
            rewards_program_id=str(connections.solana_program(REWARDS).program_id),
            governance_program_id=str(connections.solana_program(GOVERNANCE).program_id),
        )
        info = deploy_genesis(
            client,
            payer,
            mint,
            plan,
            manifest=connections.profile.manifest,
            network=connections.profile.name,
            progress=lambda m: click.echo(m, err=True),
            genesis_ts=genesis_ts,
        )
    click.echo(
        f"BOLT mint {mint.pubkey()}: supply {info.supply / BOLT:,.0f} BOLT, mint authority"
        f" {info.mint_authority}, freeze authority {info.freeze_authority}"
    )


@solana.command("create-usdc")
@solana_options
@click.option(
    "--mint-keypair",
    type=click.Path(dir_okay=False),
    help="Keypair of the mint account (default: <key dir>/usdc-mint.json, created if absent).",
)
@click.option(
    "--fund",
    "fund_specs",
    multiple=True,
    metavar="PUBKEY=USDC",
    help="Top this owner's USDC account up to at least this many USDC (decimal); repeatable.",
)
@click.option(
    "--airdrop",
    type=click.FloatRange(0, 1_000_000),
    default=0.0,
    help="SOL to airdrop to the payer first (local node).",
)
@click.pass_obj
def create_usdc(
    state: CliState,
    url: str | None,
    keypair: str | None,
    mint_keypair: str | None,
    fund_specs: tuple[str, ...],
    airdrop: float,
) -> None:
    """Create the local USDC mint (6 decimals, the signer keeps the mint authority) and fund agents.

    Local profile only: elsewhere the real USDC mint is configured. Idempotent: run it again
    to fund more owners; the mint is recorded in the manifest as usdc_mint.
    """
    from dispatch_chain.solana.usdc import USDC

    funding: dict[Pubkey, int] = {}
    for spec in fund_specs:
        owner, _, amount = spec.partition("=")
        try:
            units = parse_usdc(amount)
        except ValueError as exc:
            raise InputError(f"--fund {spec}: {exc}") from None
        funding[Pubkey.from_string(_pubkey(owner, f"--fund {spec}"))] = units
    with chain_errors():
        connections = _connections(state, url, keypair)
        if connections.profile.name != "local":
            raise InputError(f"create-usdc is for the local profile; {connections.profile.name} uses the real USDC")
        mint = load_or_create_keypair(
            Path(mint_keypair) if mint_keypair else key_dir(connections.profile.name) / "usdc-mint.json"
        )
        client, payer = connections.solana, connections.solana_keypair
        if airdrop:
            client.airdrop(payer.pubkey(), int(airdrop * 1_000_000_000))
        balances = deploy_usdc(
            client,
            payer,
            mint,
            funding,
            manifest=connections.profile.manifest,
            network=connections.profile.name,
            progress=lambda m: click.echo(m, err=True),
        )
    click.echo(f"USDC mint {mint.pubkey()} (6 decimals, mint authority {payer.pubkey()})")
    for holder, balance in balances.items():
        click.echo(f"  {holder}: {balance / USDC:,.6f} USDC")


@solana.command("init-programs")
@solana_options
@click.option(
    "--program",
    "program_specs",
    multiple=True,
    metavar="NAME=ID",
    help="Program id where it differs from the IDL (after anchor deploy with other keys).",
)
@click.option("--anchorer", "anchorers", multiple=True, help="Pubkey allowed to anchor receipt roots (repeatable).")
@click.option(
    "--verified", type=BOLT_AMOUNT, default="100", show_default=True, help="VERIFIED tier threshold, in BOLT."
)
@click.option(
    "--sentinel",
    type=BOLT_AMOUNT,
    default="1000",
    show_default=True,
    help="SENTINEL tier threshold, in BOLT (the program allows at most the mint's supply).",
)
@click.option(
    "--cooldown",
    type=click.IntRange(0, MAX_COOLDOWN_SECONDS),
    default=7 * 24 * 3600,
    show_default=True,
    help="Unstake cooldown in seconds (the program allows at most 90 days).",
)
@click.option(
    "--fee-bps",
    type=click.IntRange(0, 10_000),
    default=PROTOCOL_FEE_BPS,
    show_default=True,
    help="Protocol fee burned per settlement (the program caps it).",
)
@click.option(
    "--governance-attester",
    "governance_attesters",
    multiple=True,
    help="Governance attester pubkey (repeatable, 1 to 16): with governance deployed (ProtocolParams in the"
    " manifest), initialise dispatch_governance and hand it the staking and settlement admin roles.",
)
@click.option(
    "--governance-threshold", type=click.IntRange(1, 16), help="Distinct governance attesters needed to apply."
)
@click.option(
    "--keep-admin",
    is_flag=True,
    help="Development: keep the staking and settlement admin roles with the signer even though governance is deployed.",
)
@click.pass_obj
def init_programs_command(
    state: CliState,
    url: str | None,
    keypair: str | None,
    program_specs: tuple[str, ...],
    anchorers: tuple[str, ...],
    verified: int,
    sentinel: int,
    cooldown: int,
    fee_bps: int,
    governance_attesters: tuple[str, ...],
    governance_threshold: int | None,
    keep_admin: bool,
) -> None:
    """Initialise dispatch_staking, dispatch_settlement and dispatch_anchor for BOLT (idempotent).

    Sign with the programs' upgrade authority (the wallet that deployed them): the programs
    accept no one else. It becomes each program's admin. A config that already exists must be
    exactly what is asked, field by field: admin (the signer), mint, --verified, --sentinel,
    --cooldown, --fee-bps, and the --anchorer keys where the signer is not the anchor admin.
    Otherwise nothing is sent, nothing is recorded, and the command exits 3 naming each
    differing field (someone else initialised the program, or it was initialised with other
    settings).

    When the manifest records governance (ape run deploy_governance: ProtocolParams), it then
    initialises the governance receiver with --governance-attester/--governance-threshold and
    hands it the staking and settlement admin roles (as gov init-receiver does), so no admin
    key is left; --keep-admin keeps the roles with the signer instead (local development).
    Without governance in the manifest the signer stays admin until gov init-receiver.
    """
    governance_keys = [Pubkey.from_string(_pubkey(a, "--governance-attester")) for a in governance_attesters]
    if governance_threshold is not None and governance_threshold > len(governance_keys):
        raise InputError(
            f"--governance-threshold {governance_threshold} exceeds the {len(governance_keys)} governance attesters"
        )
    if governance_keys and governance_threshold is None:
        raise InputError("--governance-attester needs --governance-threshold")
    program_ids: dict[str, str | None] = {}
    for spec in program_specs:
        name, _, value = spec.partition("=")
        if name not in PROGRAMS:
            raise InputError(f"--program {spec}: unknown program {name!r} (known: {', '.join(PROGRAMS)})")
        program_ids[name] = _pubkey(value, f"--program {spec}")
    allowed_anchorers = [Pubkey.from_string(_pubkey(a, "--anchorer")) for a in anchorers]
    with chain_errors():
        connections = _connections(state, url, keypair)
        manifest = connections.manifest.require_solana()
        evm = connections.manifest.evm
        governed = evm is not None and "ProtocolParams" in evm.contracts
        if governance_keys and not governed:
            raise InputError("--governance-attester: the manifest records no ProtocolParams (run deploy_governance)")
        if governed and not governance_keys and not keep_admin:
            raise InputError(
                "governance is deployed (ProtocolParams in the manifest): pass --governance-attester ..."
                " --governance-threshold N to hand the admin roles to dispatch_governance, or --keep-admin"
            )
        mint = Pubkey.from_string(manifest.account("bolt_mint"))
        allowed = allowed_anchorers or [connections.solana_keypair.pubkey()]
        init_programs(
            connections.solana,
            connections.solana_keypair,
            mint,
            program_ids=program_ids,
            anchorers=allowed,
            manifest=connections.profile.manifest,
            network=connections.profile.name,
            settings=ProgramSettings(verified, sentinel, cooldown, fee_bps),
            progress=lambda m: click.echo(m, err=True),
        )
        if governed and governance_keys:
            assert evm is not None and governance_threshold is not None
            init_receiver(
                connections.solana,
                connections.solana_keypair,
                monad_chain=f"eip155:{evm.chain_id}",
                params_address=evm.contract("ProtocolParams").address,
                attesters=governance_keys,
                threshold=governance_threshold,
                keep_admin=keep_admin,
                manifest=connections.profile.manifest,
                network=connections.profile.name,
            )
            holder = "the signer (--keep-admin)" if keep_admin else "dispatch_governance"
            click.echo(f"governance receiver initialised; the staking and settlement admin is {holder}", err=True)
    click.echo(f"programs initialised; recorded in {connections.profile.manifest}")


@solana.command("init-bridge")
@solana_options
@click.option("--program", "program_id", help="dispatch_bridge's id where it differs from the IDL.")
@click.option("--attester", "attesters", multiple=True, required=True, help="Attester pubkey (repeatable, 1 to 8).")
@click.option("--threshold", type=click.IntRange(1, 8), required=True, help="Distinct attesters needed to release.")
@click.option("--peer-bridge", required=True, help="The Monad BoltBridge's 0x address.")
@click.option("--peer-chain", help="The peer's CAIP-2 id (default: the network profile's EVM chain).")
@click.option("--pauser", help="Pubkey allowed to pause (default: the signer).")
@click.option(
    "--outbound-capacity",
    type=BOLT_AMOUNT,
    default="1000000",
    show_default=True,
    help="BOLT that may be locked per 24 h (linear refill).",
)
@click.option(
    "--inbound-capacity",
    type=BOLT_AMOUNT,
    default="1000000",
    show_default=True,
    help="BOLT that may be released per 24 h before transfers queue.",
)
@click.option(
    "--queue-delay",
    type=click.IntRange(0),
    default=24 * 3600,
    show_default=True,
    help="Seconds a queued inbound transfer waits.",
)
@click.pass_obj
def init_bridge_command(
    state: CliState,
    url: str | None,
    keypair: str | None,
    program_id: str | None,
    attesters: tuple[str, ...],
    threshold: int,
    peer_bridge: str,
    peer_chain: str | None,
    pauser: str | None,
    outbound_capacity: int,
    inbound_capacity: int,
    queue_delay: int,
) -> None:
    """Initialise dispatch_bridge for BOLT (idempotent); the signer must be its upgrade authority and becomes admin."""
    try:
        keys = tuple(Pubkey.from_string(a) for a in attesters)
        pauser_key = Pubkey.from_string(pauser) if pauser else None
        peer = pad_evm_address(peer_bridge)
    except (ValueError, BridgeInputError) as exc:
        raise InputError(f"init-bridge: {exc}") from None
    if threshold > len(keys):
        raise InputError(f"--threshold {threshold} exceeds the {len(keys)} attesters")
    with chain_errors():
        connections = _connections(state, url, keypair)
        if peer_chain is None:
            if connections.profile.evm is None:
                raise InputError("--peer-chain is required: the network profile has no EVM chain")
            peer_chain = connections.profile.evm.caip2
        mint = Pubkey.from_string(connections.manifest.require_solana().account("bolt_mint"))
        signer = connections.solana_keypair
        params = InitParams(
            pauser=pauser_key or signer.pubkey(),
            chain_id=chain_id(connections.solana.caip2),
            peer_chain_id=chain_id(peer_chain),
            peer_bridge=peer,
            attesters=keys,
            threshold=threshold,
            outbound_capacity=outbound_capacity,
            inbound_capacity=inbound_capacity,
            queue_delay=queue_delay,
        )
        init_bridge(
            connections.solana,
            signer,
            mint,
            params,
            program_id=program_id,
            manifest=connections.profile.manifest,
            network=connections.profile.name,
            progress=lambda m: click.echo(m, err=True),
        )
    click.echo(f"dispatch_bridge initialised; recorded in {connections.profile.manifest}")


@solana.command()
@solana_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def supply(state: CliState, url: str | None, keypair: str | None, as_json: bool) -> None:
    """BOLT's total supply, settled and burned totals."""
    with chain_errors():
        connections = _connections(state, url, keypair)
        mint = Pubkey.from_string(connections.manifest.require_solana().account("bolt_mint"))
        info = read_mint(connections.solana, mint)
        config = connections.settlement().config()
    if info is None:
        raise InputError(f"no mint at {mint}")
    result = {
        "mint": str(mint),
        "supply": info.supply,
        "burned_since_genesis": BOLT_SUPPLY - info.supply,
        "settled": config.total_settled,
        "burned_by_settlement": config.total_burned,
        "fee_bps": config.fee_bps,
    }
    if as_json:
        emit_json(result)
        return
    click.echo(
        f"supply {format_bolt(info.supply)} BOLT ({format_bolt(BOLT_SUPPLY - info.supply)} burned);"
        f" settled {format_bolt(config.total_settled)}, burned by settlements {format_bolt(config.total_burned)}"
        f" at {config.fee_bps} bps"
    )


@solana.command()
@solana_options
@click.argument("amount", type=BOLT_AMOUNT)
@click.pass_obj
def stake(state: CliState, url: str | None, keypair: str | None, amount: int) -> None:
    """Stake AMOUNT BOLT from the worker (--keypair is the worker's key file)."""
    with chain_errors():
        connections = _connections(state, url, keypair)
        worker = connections.solana_keypair
        staking = connections.staking()
        signature = staking.stake(worker, amount)
        now = staking.stake_of(worker.pubkey())
    click.echo(
        f"staked {format_bolt(amount)} BOLT: active {format_bolt(now.active)}, tier {now.tier.name} ({signature})"
    )


@solana.command()
@solana_options
@click.argument("amount", type=BOLT_AMOUNT)
@click.pass_obj
def unstake(state: CliState, url: str | None, keypair: str | None, amount: int) -> None:
    """Request to unstake AMOUNT BOLT; it can be withdrawn after the cooldown."""
    with chain_errors():
        connections = _connections(state, url, keypair)
        staking = connections.staking()
        staking.request_unstake(connections.solana_keypair, amount)
        now = staking.stake_of(connections.solana_keypair.pubkey())
    click.echo(
        f"pending {format_bolt(now.pending)} BOLT, withdrawable at unix time {now.unlock_at}; tier {now.tier.name}"
    )


@solana.command("cancel-unstake")
@solana_options
@click.pass_obj
def cancel_unstake(state: CliState, url: str | None, keypair: str | None) -> None:
    """Move the pending unstake back to active stake."""
    with chain_errors():
        connections = _connections(state, url, keypair)
        staking = connections.staking()
        staking.cancel_unstake(connections.solana_keypair)
        now = staking.stake_of(connections.solana_keypair.pubkey())
    click.echo(f"active {format_bolt(now.active)} BOLT, tier {now.tier.name}")


@solana.command()
@solana_options
@click.pass_obj
def withdraw(state: CliState, url: str | None, keypair: str | None) -> None:
    """Withdraw the pending unstake once its cooldown is over."""
    with chain_errors():
        connections = _connections(state, url, keypair)
        signature = connections.staking().withdraw(connections.solana_keypair)
    click.echo(f"withdrawn ({signature})")


@solana.command()
@solana_options
@click.argument("workers", nargs=-1, required=True, metavar="WORKER...")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def tiers(state: CliState, url: str | None, keypair: str | None, workers: tuple[str, ...], as_json: bool) -> None:
    """Stake tiers of workers (ed25519:<hex>, bare hex, or a Solana address)."""
    keys = []
    for value in workers:
        try:
            keys.append(Pubkey.from_string(value))
        except ValueError:
            target = parse_worker(value)
            if isinstance(target, int):
                raise InputError(f"{value}: give a worker key, not an agent id") from None
            keys.append(Pubkey(target))
    with chain_errors():
        stakes = _connections(state, url, keypair).tier_reader().stakes(keys)
    rows: list[dict[str, Any]] = [
        {"worker": str(k), "active": s.active, "pending": s.pending, "tier": s.tier.name} for k, s in stakes.items()
    ]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['worker']}  {row['tier']:<8}  active {format_bolt(row['active'])} BOLT"
            f"  pending {format_bolt(row['pending'])}"
        )


@solana.command()
@solana_options
@click.argument("job_id")
@click.argument("worker")
@click.argument("amount", type=BOLT_AMOUNT)
@click.option("--receipt-hash", required=True, help="0x receipt hash of the job's receipt.")
@click.pass_obj
def settle(
    state: CliState, url: str | None, keypair: str | None, job_id: str, worker: str, amount: int, receipt_hash: str
) -> None:
    """Settle JOB_ID: pay WORKER AMOUNT BOLT from the coordinator (--keypair), burning the protocol fee.

    Idempotent: settling a job again prints the existing settlement.
    """
    try:
        worker_key = Pubkey.from_string(worker)
    except ValueError:
        target = parse_worker(worker)
        if isinstance(target, int):
            raise InputError("WORKER must be a key, not an agent id") from None
        worker_key = Pubkey(target)
    hash_bytes = parse_hash32(receipt_hash, "--receipt-hash")
    try:
        job_id.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("JOB_ID is not UTF-8 text") from None
    with chain_errors():
        connections = _connections(state, url, keypair)
        record = connections.settlement().settle(connections.solana_keypair, job_id, worker_key, amount, hash_bytes)
    click.echo(
        f"job {job_id!r}: {format_bolt(record.amount)} BOLT, {format_bolt(record.fee)} burned,"
        f" {format_bolt(record.amount - record.fee)} to {record.worker} at slot {record.slot}"
        + (f" ({record.signature})" if record.signature else " (already settled)")
    )
