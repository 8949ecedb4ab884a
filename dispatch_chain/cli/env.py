"""``dispatch-chain env``: every DISPATCH_* variable, what it does and its current value."""

from __future__ import annotations

import click

from dispatch_chain.cli.common import emit_json
from dispatch_chain.settings import Settings, documented


def environment_epilog() -> str:
    """The variables for ``dispatch-chain --help`` (``\\b`` keeps click from rewrapping them)."""
    lines = ["\b", "Environment variables (`dispatch-chain env` shows their current values):"]
    for name, description, scope, _ in documented():
        where = "" if scope == "package" else f" [{scope}]"
        lines.append(f"  {name:<28} {description}{where}")
    return "\n".join(lines)


@click.command("env")
@click.option("--json", "as_json", is_flag=True, help="Print the variables as JSON.")
def env(as_json: bool) -> None:
    """List every DISPATCH_* environment variable, what it does and its value here (secrets hidden).

    Variables marked [./dev] are read by the ./dev tool, [tests] by the test suite.
    """
    settings = Settings.from_env()
    rows = []
    for (name, description, scope, secret), value in zip(documented(), settings.model_dump().values(), strict=True):
        shown = None if value is None else ("(set, hidden)" if secret else value)
        rows.append({"variable": name, "value": shown, "scope": scope, "description": description})
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        value = "(unset)" if row["value"] is None else row["value"]
        where = "" if row["scope"] == "package" else f" [{row['scope']}]"
        click.echo(f"{row['variable']}={value}")
        click.echo(f"    {row['description']}{where}")
