"""``dispatch-chain anchor``: the coordinator's receipt anchoring service."""

from __future__ import annotations

import signal
import threading
from contextlib import ExitStack
from pathlib import Path

import click

from dispatch_chain.anchoring.backend import AnchorBackend
from dispatch_chain.anchoring.bundles import bundle_of
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.cli.common import (
    EXIT_FAILED,
    CliState,
    InputError,
    chain_errors,
    emit_json,
    parse_hash32,
    printable,
    read_json_records,
    until_reachable,
)
from dispatch_chain.connect import Connections, default_store_path
from dispatch_chain.locks import WriterLock
from dispatch_chain.receipts import default_workers, verify_many
from dispatch_chain.settings import env_var

CHAIN_CHOICES = ("evm", "solana")


def _store(state: CliState, store: str | None) -> ReceiptStore:
    with chain_errors():
        path = Path(store) if store else default_store_path(state.profile())
        return ReceiptStore(path)


def _backends(
    connections: Connections, chains: tuple[str, ...], *, max_fee_gwei: float | None = None
) -> list[AnchorBackend]:
    backends: list[AnchorBackend] = []
    if "evm" in chains:
        cap = None if max_fee_gwei is None else int(max_fee_gwei * 10**9)
        backends.append(connections.receipt_anchor(writable=True, max_fee_per_gas=cap))
    if "solana" in chains:
        backends.append(connections.solana_anchor(writable=True))
    return backends


def _check_template(template: str) -> str:
    """A --uri-template that formats with {root} and {batch} only (checked before anything runs)."""
    try:
        template.format(root="0x" + "00" * 32, batch=1)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise click.BadParameter(f"{template[:80]!r} does not format with {{root}} and {{batch}}: {exc!r}") from None
    return template


store_option = click.option(
    "--store",
    envvar=env_var("store"),
    type=click.Path(dir_okay=False),
    help="SQLite store (default: run/<network>/anchoring.sqlite).",
)


@click.group()
def anchor() -> None:
    """Batch verified receipts and anchor their Merkle roots on chain."""


@anchor.command()
@click.argument("file", type=click.Path(allow_dash=True))
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=default_workers,
    show_default="all cores",
    help="Threads that verify signatures (one parses while another verifies); the result is the same for any number.",
)
@click.pass_obj
def ingest(state: CliState, file: str, store: str | None, as_json: bool, workers: int) -> None:
    """Verify the receipts in FILE and store the valid ones for anchoring.

    FILE holds job_complete messages (or {receipt, receipt_signature} objects)
    as a JSON array or JSON Lines. Invalid ones are listed with their reason
    and never stored. Ingesting the same receipts again stores nothing twice.

    Exit 0 when every receipt was valid; 1 when any was invalid (the valid
    ones are stored all the same); 2 when FILE itself is unreadable or not
    JSON (nothing is stored).
    """
    records = read_json_records(file)  # an unreadable or malformed file exits 2 before anything is stored
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
    else:
        click.echo(
            f"read {len(records)}, valid {len(report.valid)}, newly stored {added}, invalid {len(report.invalid)}"
        )
        for check in report.invalid:
            click.echo(printable(f"invalid #{check.index} (job {_shown(check.job_id)}): {check.reason}"), err=True)
    if report.invalid:
        raise SystemExit(EXIT_FAILED)


def _shown(job_id: str | None) -> str:
    text = repr(job_id)
    return text if len(text) <= 80 else text[:77] + "..."


@anchor.command()
@store_option
@click.option(
    "--chain",
    "chains",
    multiple=True,
    type=click.Choice(CHAIN_CHOICES),
    default=("evm",),
    show_default=True,
    help="Chains to anchor on (repeatable).",
)
@click.option(
    "--account",
    envvar=[env_var("anchor_account"), env_var("evm_account")],
    help="The anchoring service's EVM account: env:VAR, keystore:PATH, dev:N. Default: "
    "DISPATCH_ANCHOR_ACCOUNT, else DISPATCH_EVM_ACCOUNT. Give it its own account: the feedback "
    "sender (`reputation send`) may not sign with the same one at the same time.",
)
@click.option(
    "--solana-keypair",
    envvar=env_var("solana_keypair"),
    type=click.Path(dir_okay=False),
    help="Solana anchorer keypair (solana-keygen JSON), for --chain solana.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 2**32 - 1),
    default=256,
    show_default=True,
    help="Cut a batch when this many receipts are pending.",
)
@click.option(
    "--max-age",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    help="Or when the oldest pending receipt is this many seconds old.",
)
@click.option("--interval", type=click.FloatRange(0.05), default=1.0, show_default=True, help="Seconds between passes.")
@click.option(
    "--replace-after",
    type=click.FloatRange(1),
    default=30.0,
    show_default=True,
    help="Seconds an EVM anchoring transaction may stay unmined before it is replaced at the same "
    "nonce with 25 % higher fees.",
)
@click.option(
    "--max-fee-gwei",
    type=click.FloatRange(0, min_open=True),
    help="Never replace an EVM anchoring transaction with a max fee above this (gwei); default: no cap.",
)
@click.option(
    "--uri-template",
    default="",
    callback=lambda ctx, param, value: _check_template(value),
    help="URI emitted per batch, e.g. https://host/batches/{root} ({root} and {batch} are filled in).",
)
@click.option("--once", "mode", flag_value="once", help="Run one pass and exit.")
@click.option("--drain", "mode", flag_value="drain", help="Anchor everything pending now, then exit.")
@click.pass_obj
def run(
    state: CliState,
    store: str | None,
    chains: tuple[str, ...],
    account: str | None,
    solana_keypair: str | None,
    batch_size: int,
    max_age: float,
    interval: float,
    replace_after: float,
    max_fee_gwei: float | None,
    uri_template: str,
    mode: str | None,
) -> None:
    """Run the anchoring service (until interrupted, or --once / --drain).

    Safe to kill at any point: on restart it reconciles every open batch with
    the chain (storage and events) before signing anything new. One service
    per store: a second one on the same store exits with code 3. Run without
    --once/--drain, it rides out RPC outages (waiting with a backoff of up to
    60 s, logged) and exits only for configuration errors.
    """
    policy = BatchPolicy(max_size=batch_size, max_age=max_age, replace_after=replace_after, uri_template=uri_template)
    stop = threading.Event()
    if mode is None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    with chain_errors(), _store(state, store) as db, ExitStack() as held:
        db.claim_writer()  # before any network call: a second service on this store is refused at once
        connections = state.connections(account)
        connections.solana_keypair_path = solana_keypair

        locked: list[WriterLock] = []

        def connect() -> AnchoringService:
            backends = _backends(connections, chains, max_fee_gwei=max_fee_gwei)
            if "evm" in chains and not locked:  # taken once, even when a later step of connect() is retried
                locked.append(held.enter_context(connections.evm_account_lock("anchoring service")))
            # (naming each backend's chain asks the Solana node for its genesis hash)
            return AnchoringService(db, backends, policy, progress=lambda message: click.echo(message, err=True))

        service = connect() if mode is not None else until_reachable(connect, "cannot start anchoring", stop)
        if service is None:
            return
        if mode == "once":
            summary = service.run_once()
        elif mode == "drain":
            summary = service.drain()
        else:
            click.echo(f"anchoring on {', '.join(service.chains)}; Ctrl-C to stop", err=True)
            service.run(stop, interval=interval)
            return
    click.echo(
        f"batches cut {len(summary.batches_cut)}, anchors confirmed {len(summary.anchored)},"
        f" errors {len(summary.errors)}"
    )
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
            found = db.receipt(parse_hash32(receipt_ref, "JOB_ID|0xRECEIPT_HASH"))
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
