"""Write the ABIs dispatch_chain loads at run time: ``ape run export_abis``.

dispatch_chain talks to the contracts through web3.py and must work without
ape or a compiler, so the ABIs of the contracts it uses are committed under
dispatch_chain/abi/. tests/evm/test_abi_drift.py fails when they drift from
the compiled contracts; this script brings them back in line.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from ape import project

ABI_DIR = Path(__file__).resolve().parent.parent / "dispatch_chain" / "abi"
CONTRACTS = (
    "ReceiptAnchor",
    "IdentityRegistry",
    "ReputationRegistry",
    "WrappedBolt",
    "BoltBridge",
    "DispatchGovernor",
    "DispatchTimelock",
    "ProtocolParams",
)


def compiled_abi(name: str) -> list[dict]:
    """The ABI ape compiled for ``name``, as plain JSON."""
    contract_type = getattr(project, name).contract_type
    return [entry.model_dump(mode="json", by_alias=True, exclude_none=True) for entry in contract_type.abi]


def render(abi: list[dict]) -> str:
    return json.dumps(abi, indent=1, sort_keys=True) + "\n"


@click.command()
@click.option("--check", is_flag=True, help="Exit non-zero if a committed ABI differs; write nothing.")
def cli(check: bool) -> None:
    """Export (or --check) the ABIs of the contracts dispatch_chain uses."""
    stale = []
    for name in CONTRACTS:
        if not hasattr(project, name):
            click.echo(f"skip {name}: not in this project yet")
            continue
        path = ABI_DIR / f"{name}.json"
        text = render(compiled_abi(name))
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text)
            click.echo(f"wrote {path.relative_to(ABI_DIR.parent.parent)}")
    if check and stale:
        raise click.ClickException("ABIs out of date: " + ", ".join(stale) + " (run: ape run export_abis)")
