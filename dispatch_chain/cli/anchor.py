"""``dispatch-chain anchor``: the coordinator's receipt anchoring service."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from dispatch_chain.anchoring.backend import AnchorBackend
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.bundle import bundle_of
from dispatch_chain.cli.common import CliState, InputError, chain_errors, emit_json, read_json_records
from dispatch_chain.connect import Connections, default_store_path
from dispatch_chain.receipts import default_workers, verify_many

CHAIN_CHOICES = ("evm", "solana")


def _store(state: CliState, store: str | None) -> ReceiptStore:
    with chain_errors():
        path = Path(store) if store else default_store_path(state.profile())
        return ReceiptStore(path)


def _backends(connections: Connections, chains: tuple[str, ...]) -> list[AnchorBackend]:
    backends: list[AnchorBackend] = []
    if "evm" in chains:
        backends.append(connections.receipt_anchor(writable=True))
    if "solana" in chains:
        backends.append(connections.solana_anchor(writable=True))
    return backends


store_option = click.option("--store", envvar="DISPATCH_STORE", type=click.Path(dir_okay=False),
                            help="SQLite store (default: run/<network>/anchoring.sqlite).")


@click.group()
def anchor() -> None:
    """Batch verified receipts and anchor their Merkle roots on chain."""


@anchor.command()
@click.argument("file", type=click.Path(allow_dash=True))
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--workers", type=click.IntRange(min=1), default=default_workers, show_default="all cores",
              help="Processes that verify signatures; the result is the same for any number.")
@click.pass_obj
def ingest(state: CliState, file: str, store: str | None, as_json: bool, workers: int) -> None:
    """Verify the receipts in FILE and store the valid ones for anchoring.

    FILE holds job_complete messages (or {receipt, receipt_signature} objects)
    as a JSON array or JSON Lines. Invalid ones are listed with their reason
    and never stored. Ingesting the same receipts again stores nothing twice.
    """
    records = read_json_records(file)
    report = verify_many(records, workers=workers)
    with _store(state, store) as db:
        added = db.add_receipts(report.valid)
    result = {
        "read": len(records),
        "valid": len(report.valid),
        "new": added,
        "invalid": [{"index": c.index, "job_id": c.job_id, "reason": c.reason} for c in report.invalid],
    }
    if as_json:
        emit_json(result)
        return
    click.echo(f"read {len(records)}, valid {len(report.valid)}, newly stored {added}, invalid {len(report.invalid)}")
    for check in report.invalid:
        click.echo(f"invalid #{check.index} (job {check.job_id!r}): {check.reason}", err=True)


@anchor.command()
@store_option
@click.option("--chain", "chains", multiple=True, type=click.Choice(CHAIN_CHOICES), default=("evm",),
              show_default=True, help="Chains to anchor on (repeatable).")
@click.option("--account", envvar="DISPATCH_EVM_ACCOUNT", help="EVM account spec: env:VAR, keystore:PATH, dev:N.")
@click.option("--solana-keypair", envvar="DISPATCH_SOLANA_KEYPAIR", type=click.Path(dir_okay=False),
              help="Solana anchorer keypair (solana-keygen JSON), for --chain solana.")
@click.option("--batch-size", type=click.IntRange(1, 2**32 - 1), default=256, show_default=True,
              help="Cut a batch when this many receipts are pending.")
@click.option("--max-age", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Or when the oldest pending receipt is this many seconds old.")
@click.option("--interval", type=click.FloatRange(0.05), default=1.0, show_default=True,
              help="Seconds between passes.")
@click.option("--uri-template", default="", help="URI emitted per batch, e.g. https://host/batches/{root}.")
@click.option("--once", "mode", flag_value="once", help="Run one pass and exit.")
@click.option("--drain", "mode", flag_value="drain", help="Anchor everything pending now, then exit.")
@click.pass_obj
def run(state: CliState, store: str | None, chains: tuple[str, ...], account: str | None,
        solana_keypair: str | None, batch_size: int,
        max_age: float, interval: float, uri_template: str, mode: str | None) -> None:
    """Run the anchoring service (until interrupted, or --once / --drain).

    Safe to kill at any point: on restart it reconciles every open batch with
    the chain (storage and events) before signing anything new.
    """
    policy = BatchPolicy(max_size=batch_size, max_age=max_age, uri_template=uri_template)
    with chain_errors(), _store(state, store) as db:
        connections = state.connections(account)
        connections.solana_keypair_path = solana_keypair
        service = AnchoringService(db, _backends(connections, chains), policy,
                                   progress=lambda message: click.echo(message, err=True))
        if mode == "once":
            summary = service.run_once()
        elif mode == "drain":
            summary = service.drain()
        else:
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            click.echo(f"anchoring on {', '.join(service.chains)}; Ctrl-C to stop", err=True)
            service.run(stop, interval=interval)
            return
    click.echo(f"batches cut {len(summary.batches_cut)}, anchors confirmed {len(summary.anchored)},"
               f" errors {len(summary.errors)}")
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)


@anchor.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_obj
def status(state: CliState, store: str | None, as_json: bool) -> None:
    """Show receipts, batches and anchors by chain and state."""
    with _store(state, store) as db:
        stats = db.stats()
    if as_json:
        emit_json(stats)
        return
    click.echo(f"receipts {stats['receipts']} (pending {stats['pending_receipts']}), batches {stats['batches']}")
    for chain, counts in sorted(stats["anchors"].items()):
        click.echo(f"  {chain}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@anchor.command()
@click.argument("receipt_ref", metavar="JOB_ID|0xRECEIPT_HASH")
@store_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@click.pass_obj
def bundle(state: CliState, receipt_ref: str, store: str | None, output: str | None) -> None:
    """Write the auditor's bundle of a stored receipt (by job id or receipt hash)."""
    with _store(state, store) as db:
        if receipt_ref.startswith("0x") and len(receipt_ref) == 66:
            found = db.receipt(bytes.fromhex(receipt_ref[2:]))
            matches = [found] if found else []
        else:
            matches = db.receipts_for_job(receipt_ref)
        if not matches:
            raise InputError(f"no stored receipt for {receipt_ref!r}")
        stored = matches[-1]
        if stored.batch is None:
            raise InputError(f"receipt {receipt_ref!r} is not batched yet (run the anchoring service)")
        result = bundle_of(stored, db.anchors_of_batch(stored.batch.id))
    if not result.anchors:
        raise InputError(f"receipt {receipt_ref!r} is batched but not anchored on any chain yet")
    text = result.to_json()
    if output:
        Path(output).write_text(text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
