"""``dispatch-chain rewards init|post|claim``: worker rewards on Solana (dispatch_rewards).

``init`` initialises the program (its upgrade authority only) with the
genesis time create-bolt recorded; ``post`` computes an epoch from the
settlement records on chain, writes the claim files and posts the root (the
distributor signs); ``claim`` sends a worker's claim from its claim file.
"""

from __future__ import annotations

from pathlib import Path

import click
from solders.pubkey import Pubkey

from dispatch_chain.cli.common import CliState, InputError, chain_errors, emit_json
from dispatch_chain.cli.rewards import epoch_seconds_option, rewards
from dispatch_chain.cli.solana import _connections, _pubkey, solana_options
from dispatch_chain.protocol import format_bolt
from dispatch_chain.rewards import RewardsError, read_claim_file
from dispatch_chain.rewards.posting import post_epoch
from dispatch_chain.solana.bolt import associated_token_account, token_balance
from dispatch_chain.solana.programs import SETTLEMENT
from dispatch_chain.solana.tokenomics import init_rewards


@rewards.command("init")
@solana_options
@click.option("--distributor", help="Who posts the epochs' roots (default: the signer).")
@epoch_seconds_option
@click.option("--start", type=int, help="Unix time the curve and epoch 0 start (default: the recorded genesis time).")
@click.pass_obj
def init(
    state: CliState,
    url: str | None,
    keypair: str | None,
    distributor: str | None,
    epoch_seconds: int,
    start: int | None,
) -> None:
    """Initialise dispatch_rewards for the BOLT of the manifest (idempotent).

    Sign with the program's upgrade authority (the wallet that deployed it): the program accepts no
    one else, and that key becomes its admin. Run after create-bolt, which mints the 400M into the vault.
    """
    with chain_errors():
        connections = _connections(state, url, keypair)
        manifest = connections.manifest.require_solana()
        mint = Pubkey.from_string(manifest.account("bolt_mint"))
        start_ts = start if start is not None else int(manifest.account("genesis_ts"))
        admin = connections.solana_keypair
        config = init_rewards(
            connections.solana,
            admin,
            mint,
            distributor=Pubkey.from_string(_pubkey(distributor, "--distributor")) if distributor else admin.pubkey(),
            start_ts=start_ts,
            epoch_seconds=epoch_seconds,
            program_id=str(connections.solana_program("dispatch_rewards").program_id),
            manifest=connections.profile.manifest,
            network=connections.profile.name,
            progress=lambda m: click.echo(m, err=True),
        )
    click.echo(
        f"dispatch_rewards: vault {config.vault}, curve from {config.start_ts}, epochs of {config.epoch_seconds} s,"
        f" distributor {config.distributor}"
    )


@rewards.command()
@solana_options
@click.argument("epoch", type=click.IntRange(min=0))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Write the claim files (epoch-<n>/<worker>.json) and tree.json here.",
)
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    default=None,
    help="Base units to distribute (default: what the curve releases during the epoch); the program"
    " refuses more than it has released minus what was already distributed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the posted epoch as JSON.")
@click.pass_obj
def post(
    state: CliState, url: str | None, keypair: str | None, epoch: int, out_dir: str, budget: int | None, as_json: bool
) -> None:
    """Compute EPOCH from the settlement records on chain, write its claim files and post its root.

    The signer must be the program's distributor. SENTINEL workers (by their stake now) are weighted
    by the BOLT settled to them during the epoch (docs/rewards.md). Posting again the same root does
    nothing; exit 3 when the program refuses (ExceedsReleased, EpochNotEnded, NotDistributor, ...).
    """
    with chain_errors():
        connections = _connections(state, url, keypair)
        try:
            posted = post_epoch(
                connections.rewards(),
                connections.solana_keypair,
                connections.solana_program(SETTLEMENT),
                connections.tier_reader(),
                epoch,
                out=Path(out_dir),
                budget=budget,
            )
        except RewardsError as exc:
            raise InputError(str(exc)) from None
    d, tree = posted.distribution, posted.tree
    result = {
        "epoch": epoch,
        "root": "0x" + tree.root.hex(),
        "total": str(tree.total),
        "budget": str(d.budget),
        "workers": len(tree.rewards),
        "claims": str(posted.claims),
        "signature": posted.signature,
    }
    if as_json:
        emit_json(result)
        return
    what = f"posted (tx {posted.signature})" if posted.signature else "already posted with this root"
    click.echo(
        f"epoch {epoch}: root {result['root']}, {format_bolt(tree.total)} BOLT to {len(tree.rewards)} workers, {what}"
    )
    click.echo(f"  claim files in {posted.claims}")


@rewards.command()
@solana_options
@click.argument("claim_file", type=click.Path(dir_okay=False, exists=True))
@click.pass_obj
def claim(state: CliState, url: str | None, keypair: str | None, claim_file: str) -> None:
    """Claim a worker's reward from its CLAIM_FILE; the signer must be that worker.

    Exit 3 with the program's error when the claim is refused (AlreadyClaimed, InvalidProof, ...).
    """
    try:
        claim_data = read_claim_file(Path(claim_file))
    except RewardsError as exc:
        raise InputError(str(exc)) from None
    with chain_errors():
        connections = _connections(state, url, keypair)
        worker = connections.solana_keypair
        if worker.pubkey() != claim_data.worker:
            raise InputError(f"the claim is {claim_data.worker}'s; the signer is {worker.pubkey()}")
        client = connections.rewards()
        if claim_data.program != client.rewards.program.program_id:
            raise InputError(
                f"the claim file is for program {claim_data.program}, not {client.rewards.program.program_id}"
            )
        signature = client.claim(worker, claim_data)
        mint = client.config().mint
        balance = token_balance(connections.solana, associated_token_account(worker.pubkey(), mint)) or 0
    click.echo(
        f"claimed {format_bolt(claim_data.amount)} BOLT of epoch {claim_data.epoch} (tx {signature});"
        f" balance {format_bolt(balance)} BOLT"
    )
