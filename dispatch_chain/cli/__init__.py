"""The ``dispatch-chain`` command line: auditors, operators and coordinators.

Exit codes: 0 everything holds; 1 a check failed (a bad signature, a proof
that does not verify, an anchor the chain does not confirm); 2 bad input or
usage (malformed JSON, a missing field, an unknown option); 3 configuration or
chain trouble (no manifest, an unreachable node, a reverted transaction).
"""

from __future__ import annotations

import logging
import sys

import click

from dispatch_chain import __version__
from dispatch_chain.cli import rewards_chain  # noqa: F401  (adds init, post, claim to `rewards`)
from dispatch_chain.cli.anchor import anchor
from dispatch_chain.cli.audit import audit
from dispatch_chain.cli.bolt import bolt
from dispatch_chain.cli.bridge import bridge
from dispatch_chain.cli.common import CliState
from dispatch_chain.cli.env import env, environment_epilog
from dispatch_chain.cli.governance import gov
from dispatch_chain.cli.payment import payment
from dispatch_chain.cli.receipt import receipt
from dispatch_chain.cli.reputation import reputation
from dispatch_chain.cli.rewards import rewards
from dispatch_chain.cli.solana import solana
from dispatch_chain.cli.vesting import vesting
from dispatch_chain.cli.worker import worker
from dispatch_chain.cli.x402 import x402_group
from dispatch_chain.settings import env_var


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=environment_epilog()
)
@click.version_option(__version__, prog_name="dispatch-chain")
@click.option(
    "--network",
    "-n",
    envvar=env_var("network"),
    default="local",
    show_default=True,
    help="Network profile: local, testnet, or one defined in --config.",
)
@click.option(
    "--config",
    "config_file",
    envvar=env_var("config"),
    type=click.Path(dir_okay=False),
    help="TOML file with [networks.<name>] profiles.",
)
@click.option(
    "--manifest",
    envvar=env_var("manifest"),
    type=click.Path(dir_okay=False),
    help="Deployments manifest (default: the profile's, e.g. deployments/local.json).",
)
@click.option("--verbose", "-v", is_flag=True, help="Log chain requests and progress details.")
@click.pass_context
def main(ctx: click.Context, network: str, config_file: str | None, manifest: str | None, verbose: bool) -> None:
    """Dispatch chain layer: verify and anchor receipts, audit them against Monad and Solana.

    Configuration comes from --network/--config and the DISPATCH_* environment
    variables listed below (`dispatch-chain env` shows their values); keys are
    never read from files in the repository.
    Give the two writers their own EVM accounts: DISPATCH_ANCHOR_ACCOUNT for
    `anchor run`, DISPATCH_FEEDBACK_ACCOUNT for `reputation send` (both fall
    back to DISPATCH_EVM_ACCOUNT; one account used by both at once is refused).

    Exit codes: 0 all checks hold, 1 a check failed, 2 bad input or usage,
    3 configuration or chain error; `payment verify` exits 11-19, one code per
    reason a payment_ref fails.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stderr
    )
    ctx.obj = CliState(network=network, config_file=config_file, manifest=manifest)


main.add_command(receipt)
main.add_command(audit)
main.add_command(anchor)
main.add_command(worker)
main.add_command(reputation)
main.add_command(solana)
main.add_command(env)
main.add_command(bridge)
main.add_command(rewards)
main.add_command(vesting)
main.add_command(bolt)
main.add_command(gov)
main.add_command(payment)
main.add_command(x402_group)
