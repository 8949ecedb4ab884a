"""``python -m dispatch_chain.demo``: the local end-to-end demo (``./dev demo``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dispatch_chain.demo.run import run_demo
from dispatch_chain.demo.state import DemoOptions
from dispatch_chain.errors import DispatchChainError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Folder for the manifest, store, bundles, logs and report.json.",
)
@click.option("--jobs", type=click.IntRange(1), default=400, show_default=True, help="Receipts to sign.")
@click.option("--workers", type=click.IntRange(2), default=6, show_default=True, help="Simulated workers.")
@click.option(
    "--invalid-share",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Share of receipts deliberately corrupted.",
)
@click.option("--batch-size", type=click.IntRange(1), default=64, show_default=True, help="Receipts per batch.")
@click.option("--audit-sample", type=click.IntRange(1), default=8, show_default=True, help="Bundles to audit.")
@click.option("--seed", type=int, default=8004, show_default=True, help="Seed for keys and corruptions.")
@click.option("--keep-running", is_flag=True, help="Keep the local chains up after the report (Ctrl-C stops).")
def main(
    out: Path,
    jobs: int,
    workers: int,
    invalid_share: float,
    batch_size: int,
    audit_sample: int,
    seed: int,
    keep_running: bool,
) -> None:
    """Run the Dispatch chain layer end to end on local chains it starts itself.

    Starts anvil, deploys the contracts with `ape run deploy`, lets simulated
    workers sign job receipts (some deliberately corrupted), verifies them as
    the coordinator would, anchors the valid ones in Merkle batches, writes an
    auditor bundle per receipt, audits a sample against the chain; then
    feedback, BOLT settlement, x402 payments in local USDC on both chains, the
    bridge, governance and worker rewards; and prints a report (also written
    to OUT/report.json).
    """
    options = DemoOptions(
        out=out,
        jobs=jobs,
        workers=workers,
        invalid_share=invalid_share,
        batch_size=batch_size,
        audit_sample=audit_sample,
        seed=seed,
    )
    try:
        run_demo(options, keep_running=keep_running)
    except DispatchChainError as exc:
        click.echo(f"demo failed: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
