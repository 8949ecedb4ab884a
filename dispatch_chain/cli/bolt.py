"""``dispatch-chain bolt distribution``: the BOLT distribution read from the chain."""

from __future__ import annotations

import click

from dispatch_chain.cli.common import CliState, chain_errors, emit_json
from dispatch_chain.cli.solana import _connections, solana_options
from dispatch_chain.protocol import BOLT, format_bolt
from dispatch_chain.solana.distribution import Distribution, read_distribution


@click.group()
def bolt() -> None:
    """BOLT as distributed on Solana (whitepaper §5.4)."""


def render_table(d: Distribution) -> list[str]:
    """The distribution as text lines, in whole BOLT rounded down (--json has base units)."""
    lines = [f"{'category':<16}{'allocated':>16}{'released':>16}{'claimed':>16}{'locked':>16}"]
    for r in d.rows:
        cells = "".join(f"{value // BOLT:>16,}" for value in (r.allocated, r.released, r.claimed, r.locked))
        lines.append(f"{r.category:<16}{cells}")
    lines.append(
        f"supply {format_bolt(d.supply)} = 1,000,000,000 - burned {format_bolt(d.burned)};"
        f" in vaults {format_bolt(d.in_vaults)}, circulating {format_bolt(d.circulating)}"
    )
    return lines


@bolt.command()
@solana_options
@click.option("--json", "as_json", is_flag=True, help="Print the distribution as JSON (base units).")
@click.pass_obj
def distribution(state: CliState, url: str | None, keypair: str | None, as_json: bool) -> None:
    """Per category: allocated, released (vested or emitted so far), claimed, locked; and supply, burned.

    Reads the mint, the dispatch_rewards config, the dispatch_governance treasury vault and its paid
    spends, and the genesis schedules the manifest records (create-bolt), at the chain's current
    time. released + locked = allocated per category.
    """
    with chain_errors():
        connections = _connections(state, url, keypair)
        d = read_distribution(
            connections.manifest.require_solana(),
            connections.rewards(),
            connections.vesting(),
            connections.governance_receiver(),
        )
    if as_json:
        emit_json(d.to_json())
        return
    for line in render_table(d):
        click.echo(line)
