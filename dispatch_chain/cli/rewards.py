"""``dispatch-chain rewards``: worker rewards of an epoch, computed offline.

``epoch`` computes an epoch's rewards from settlement records and SENTINEL
workers (read from the chain with ``--from-chain``, or from JSON files), writes the claim files
and prints the root to post; ``show`` checks a claim file; ``curve`` prints
the emission curve. ``init``, ``post`` and ``claim`` act on chain
(:mod:`dispatch_chain.cli.rewards_chain`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from solders.pubkey import Pubkey

from dispatch_chain.cli.common import (
    EXIT_FAILED,
    CliState,
    InputError,
    chain_errors,
    emit_json,
    read_json,
    read_json_records,
)
from dispatch_chain.rewards import (
    RESERVE,
    RewardsError,
    RewardTree,
    SettledJob,
    compute_epoch,
    read_claim_file,
    released,
    write_claim_files,
)
from dispatch_chain.rewards.emission import YEAR_SECONDS
from dispatch_chain.solana.programs import IdlProgram

DEFAULT_EPOCH_SECONDS = 7 * 24 * 3600


def _pubkey(value: Any, what: str) -> Pubkey:
    try:
        return Pubkey.from_string(str(value))
    except ValueError:
        raise InputError(f"{what}: {value!r} is not a base58 public key") from None


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"{what} must be an integer")
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{what} must be an integer, got {value!r}") from None


def _settlements(path: str) -> list[SettledJob]:
    jobs = []
    for i, record in enumerate(read_json_records(path)):
        if not isinstance(record, dict):
            raise InputError(f"settlement {i}: expected an object with worker, amount, settled_at")
        try:
            jobs.append(
                SettledJob(
                    _pubkey(record["worker"], f"settlement {i} worker"),
                    _int(record["amount"], f"settlement {i} amount"),
                    _int(record["settled_at"], f"settlement {i} settled_at"),
                )
            )
        except KeyError as exc:
            raise InputError(f"settlement {i}: missing field {exc.args[0]}") from None
    return jobs


epoch_seconds_option = click.option(
    "--epoch-seconds",
    type=click.IntRange(min=1),
    default=DEFAULT_EPOCH_SECONDS,
    show_default=True,
    help="Epoch length (the program's epoch_seconds).",
)


@click.group()
def rewards() -> None:
    """Worker rewards (whitepaper §5.4): epochs, posting, claims, the emission curve (docs/rewards.md)."""


@rewards.command()
@click.argument("epoch", type=click.IntRange(min=0))
@click.option(
    "--start", "start", type=int, required=True, help="Unix time the curve and epoch 0 start (the program's start_ts)."
)
@epoch_seconds_option
@click.option(
    "--from-chain",
    is_flag=True,
    help="Read the settlement records and the workers' stake tiers from Solana (the profile's node, "
    "or --url) instead of files.",
)
@click.option("--url", help="Solana RPC URL for --from-chain (default: the network profile's).")
@click.option(
    "--settlements",
    "settlements_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Settlement records: JSON array or JSON Lines of {worker, amount, settled_at}.",
)
@click.option(
    "--sentinels",
    "sentinels_path",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="JSON array of the SENTINEL workers' keys.",
)
@click.option(
    "--budget",
    type=click.IntRange(min=0),
    default=None,
    help="Base units to distribute (default: what the curve releases during the epoch).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write epoch-<n>/<worker>.json claim files and tree.json here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the distribution as JSON.")
@click.pass_obj
def epoch(
    state: CliState,
    epoch: int,
    start: int,
    epoch_seconds: int,
    from_chain: bool,
    url: str | None,
    settlements_path: str | None,
    sentinels_path: str | None,
    budget: int | None,
    out_dir: str | None,
    as_json: bool,
) -> None:
    """Compute EPOCH's rewards: SENTINEL workers weighted by their settled BOLT.

    Deterministic: the same records and SENTINEL set give the same root,
    whatever their order. Prints the root and total to post.
    """
    if from_chain:
        from dispatch_chain.cli.solana import _connections
        from dispatch_chain.rewards.source import epoch_from_chain

        with chain_errors():
            connections = _connections(state, url, None)
            d = epoch_from_chain(
                connections.solana,
                connections.solana_program("dispatch_settlement"),
                connections.tier_reader(),
                epoch,
                start=start,
                epoch_seconds=epoch_seconds,
                budget=budget,
            )
    else:
        if settlements_path is None or sentinels_path is None:
            raise InputError("give --settlements and --sentinels, or --from-chain")
        sentinels_raw = read_json(sentinels_path)
        if not isinstance(sentinels_raw, list):
            raise InputError("--sentinels must be a JSON array of public keys")
        sentinels = {_pubkey(s, "sentinel") for s in sentinels_raw}
        try:
            d = compute_epoch(
                epoch,
                start=start,
                epoch_seconds=epoch_seconds,
                settlements=_settlements(settlements_path),
                sentinels=sentinels,
                budget=budget,
            )
        except RewardsError as exc:
            raise InputError(str(exc)) from None
    root = RewardTree(epoch, d.rewards).root if d.rewards else None
    if out_dir is not None and d.rewards:
        program = IdlProgram.load("dispatch_rewards").program_id
        write_claim_files(Path(out_dir), RewardTree(epoch, d.rewards), program)
    result = {
        "epoch": epoch,
        "begin": d.begin,
        "end": d.end,
        "budget": str(d.budget),
        "total": str(d.total),
        "workers": len(d.rewards),
        "root": "0x" + root.hex() if root else None,
        "rewards": [{"worker": str(w), "amount": str(a), "weight": str(d.weights[w])} for w, a in d.rewards],
        "ineligible": [{"worker": str(w), "weight": str(v)} for w, v in d.ineligible.items()],
    }
    if as_json:
        emit_json(result)
        return
    click.echo(f"epoch {epoch}: [{d.begin}, {d.end}), budget {d.budget} base units")
    click.echo(f"  {len(d.rewards)} SENTINEL workers rewarded, total {d.total}; {len(d.ineligible)} not SENTINEL")
    click.echo(f"  root {result['root'] or '(none: nothing to post)'}")
    if out_dir is not None and d.rewards:
        click.echo(f"  claim files in {Path(out_dir) / f'epoch-{epoch}'}")


@rewards.command()
@click.argument("claim_file", type=click.Path(dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the claim as JSON.")
def show(claim_file: str, as_json: bool) -> None:
    """Check a claim file: its proof must lead from its leaf to its root (exit 1 if not)."""
    try:
        claim = read_claim_file(Path(claim_file))
    except RewardsError as exc:
        if "does not lead" in str(exc):
            click.echo(f"INVALID: {exc}", err=True)
            raise SystemExit(EXIT_FAILED) from None
        raise InputError(str(exc)) from None
    if as_json:
        emit_json(claim.to_json())
        return
    click.echo(
        f"OK: {claim.worker} may claim {claim.amount} base units of epoch {claim.epoch} "
        f"(root 0x{claim.root.hex()}, proof of {len(claim.proof)} hashes)"
    )


@rewards.command()
@click.option("--start", "start", type=int, required=True, help="Unix time the curve starts.")
@click.option("--at", "at", type=int, default=None, help="Unix time to show (default: each year boundary).")
def curve(start: int, at: int | None) -> None:
    """The emission curve: BOLT released by a time (200M, 100M, 50M, 25M per year; 25M reserve)."""
    points = [at] if at is not None else [start + k * YEAR_SECONDS for k in range(5)]
    for t in points:
        click.echo(f"t={t}: released {released(start, t)} base units")
    click.echo(f"reserve never emitted: {RESERVE} base units")
