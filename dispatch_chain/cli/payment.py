"""``dispatch-chain payment``: prove an x402 payment_ref against its chain."""

from __future__ import annotations

import click

from dispatch_chain.cli.common import CliState, chain_errors, parse_pay_to, parse_price, printable


@click.group()
def payment() -> None:
    """x402 payments: prove a payment_ref (<CAIP-2 chain id>:<tx id>) against its chain."""


@payment.command("verify")
@click.argument("payment_ref")
@click.option(
    "--pay-to",
    "pay_to_specs",
    multiple=True,
    metavar="CAIP2:ADDRESS",
    help="The coordinator's pay-to address on a chain (repeatable): eip155:<chain id>:0x... "
    "or solana:<genesis>:<owner>.",
)
@click.option("--price", default="0.001", show_default=True, help="The job's price in USDC (the least accepted).")
@click.pass_obj
def verify(state: CliState, payment_ref: str, pay_to_specs: tuple[str, ...], price: str) -> None:
    """Check that PAYMENT_REF moved at least --price of the network's USDC to the --pay-to address.

    Against the network profile's chains and its manifest's USDC (EVM contract USDC, Solana
    account usdc_mint), at a safe depth. Exit 0 when it holds; otherwise the reason's own code:
    11 malformed, 12 another chain (or no --pay-to for it), 13 no such transaction, 14 reverted,
    15 not deep enough, 16 another token, 17 another payee, 18 too small (19, claimed by another
    receipt, needs the coordinator's store). 2 bad --pay-to/--price; 3 configuration or chain trouble.
    """
    from dispatch_chain.config import load_network
    from dispatch_chain.payments.audit import payment_finding

    pay_to = parse_pay_to(pay_to_specs)
    units = parse_price(price)
    with chain_errors():
        overrides = {"manifest": state.manifest} if state.manifest else None
        profile = load_network(state.network, config_file=state.config_file, overrides=overrides)
        finding, error = payment_finding(payment_ref, "", profile, pay_to, units)
    click.echo(printable(f"{'ok  ' if finding.ok else 'FAIL'}  {finding.detail}"), err=not finding.ok)
    if error is not None:
        raise SystemExit(error.exit_code)
