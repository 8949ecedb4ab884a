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
from dispatch_chain.cli.anchor import anchor
from dispatch_chain.cli.audit import audit
from dispatch_chain.cli.common import CliState
from dispatch_chain.cli.receipt import receipt
from dispatch_chain.cli.reputation import reputation
from dispatch_chain.cli.rewards import rewards
from dispatch_chain.cli.solana import solana
from dispatch_chain.cli.worker import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dispatch-chain")
@click.option("--network", "-n", envvar="DISPATCH_NETWORK", default="local", show_default=True,
              help="Network profile: local, testnet, or one defined in --config.")
@click.option("--config", "config_file", envvar="DISPATCH_CONFIG", type=click.Path(dir_okay=False),
              help="TOML file with [networks.<name>] profiles.")
@click.option("--manifest", envvar="DISPATCH_MANIFEST", type=click.Path(dir_okay=False),
              help="Deployments manifest (default: the profile's, e.g. deployments/local.json).")
@click.option("--verbose", "-v", is_flag=True, help="Log chain requests and progress details.")
@click.pass_context
def main(ctx: click.Context, network: str, config_file: str | None, manifest: str | None, verbose: bool) -> None:
    """Dispatch chain layer: verify and anchor receipts, audit them against Monad and Solana.

    Configuration comes from --network/--config and DISPATCH_* environment
    variables (DISPATCH_EVM_RPC_URL, DISPATCH_SOLANA_RPC_URL, DISPATCH_MANIFEST,
    DISPATCH_EVM_ACCOUNT, ...); keys are never read from files in the repository.

    Exit codes: 0 all checks hold, 1 a check failed, 2 bad input or usage,
    3 configuration or chain error.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s",
                        stream=sys.stderr)
    ctx.obj = CliState(network=network, config_file=config_file, manifest=manifest)


main.add_command(receipt)
main.add_command(audit)
main.add_command(anchor)
main.add_command(worker)
main.add_command(reputation)
main.add_command(solana)
main.add_command(rewards)
