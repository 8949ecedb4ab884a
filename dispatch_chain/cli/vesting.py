"""``dispatch-chain vesting show|claim``: the BOLT vesting schedules and locks (dispatch_vesting)."""

from __future__ import annotations

import click
from solders.pubkey import Pubkey

from dispatch_chain.cli.common import CliState, InputError, chain_errors, emit_json
from dispatch_chain.cli.solana import _connections, _pubkey, solana_options
from dispatch_chain.protocol import format_bolt
from dispatch_chain.solana.tokenomics import chain_now
from dispatch_chain.solana.vesting import VestingSchedule


@click.group()
def vesting() -> None:
    """Vesting schedules and locks of the genesis distribution (team, liquidity)."""


def _schedule_json(label: str, s: VestingSchedule, now: int) -> dict[str, object]:
    return {
        "label": label,
        "address": str(s.address),
        "beneficiary": str(s.beneficiary),
        "revoke_authority": str(s.revoke_authority) if s.revoke_authority else None,
        "start_ts": s.start_ts,
        "cliff_ts": s.cliff_ts,
        "end_ts": s.end_ts,
        "total": str(s.total),
        "vested": str(s.vested_at(now)),
        "claimed": str(s.claimed),
        "claimable": str(s.claimable_at(now)),
        "unvested": str(s.unvested_at(now)),
        "revoked_at": s.revoked_at,
    }


@vesting.command()
@solana_options
@click.option(
    "--schedule", "addresses", multiple=True, help="A schedule address (default: the manifest's genesis schedules)."
)
@click.option("--beneficiary", help="Only schedules of this beneficiary.")
@click.option("--json", "as_json", is_flag=True, help="Print the schedules as JSON.")
@click.pass_obj
def show(
    state: CliState,
    url: str | None,
    keypair: str | None,
    addresses: tuple[str, ...],
    beneficiary: str | None,
    as_json: bool,
) -> None:
    """Schedules at the chain's current time: vested, claimed, claimable, still locked (base units)."""
    wanted = [(a, Pubkey.from_string(_pubkey(a, "--schedule"))) for a in addresses]
    only = Pubkey.from_string(_pubkey(beneficiary, "--beneficiary")) if beneficiary else None
    with chain_errors():
        connections = _connections(state, url, keypair)
        if not wanted:
            accounts = connections.manifest.require_solana().accounts
            wanted = [
                (name.split(".", 2)[2], Pubkey.from_string(a))
                for name, a in accounts.items()
                if name.startswith("schedule.")
            ]
        client = connections.vesting()
        now = chain_now(connections.solana)
        rows = [(label, client.schedule_at(address)) for label, address in wanted]
    rows = [(label, s) for label, s in rows if only is None or s.beneficiary == only]
    if as_json:
        emit_json({"at": now, "schedules": [_schedule_json(label, s, now) for label, s in rows]})
        return
    if not rows:
        click.echo("no schedules")
    for label, s in rows:
        kind = "lock" if s.is_lock else "vesting"
        click.echo(
            f"{label} ({kind}, {s.address}): beneficiary {s.beneficiary}; {format_bolt(s.vested_at(now))} of"
            f" {format_bolt(s.total)} BOLT vested, {format_bolt(s.claimed)} claimed,"
            f" {format_bolt(s.claimable_at(now))} claimable; cliff {s.cliff_ts}, end {s.end_ts}"
        )


@vesting.command()
@solana_options
@click.argument("schedule")
@click.pass_obj
def claim(state: CliState, url: str | None, keypair: str | None, schedule: str) -> None:
    """Claim what SCHEDULE (an address) has vested; the signer must be its beneficiary.

    Exit 3 with the program's error when refused (NothingToClaim before the cliff, NotBeneficiary).
    """
    address = Pubkey.from_string(_pubkey(schedule, "SCHEDULE"))
    with chain_errors():
        connections = _connections(state, url, keypair)
        client = connections.vesting()
        found = client.schedule_at(address)
        signer = connections.solana_keypair
        if signer.pubkey() != found.beneficiary:
            raise InputError(f"the schedule's beneficiary is {found.beneficiary}; the signer is {signer.pubkey()}")
        signature = client.claim(signer, found)
        after = client.schedule_at(address)
    click.echo(
        f"claimed {format_bolt(after.claimed - found.claimed)} BOLT (tx {signature}); {format_bolt(after.claimed)} of"
        f" {format_bolt(after.total)} claimed so far"
    )
