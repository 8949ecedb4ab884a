"""``dispatch-chain x402``: the coordinator's x402 facilitator."""

from __future__ import annotations

from pathlib import Path

import click

from dispatch_chain.cli.common import CliState, chain_errors


@click.group("x402")
def x402_group() -> None:
    """x402 payments: the facilitator the coordinator runs (SDK facilitator, exact scheme)."""


@x402_group.command("facilitator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=4020, show_default=True, help="Port to listen on.")
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("run/x402-facilitator.sqlite"),
    show_default=True,
    help="The settle-once journal (SQLite): a payment is settled at most once, also across restarts.",
)
@click.option(
    "--evm-account",
    help="Settling EVM account spec (env:VAR, keystore:PATH, dev:N locally); default: DISPATCH_EVM_ACCOUNT.",
)
@click.option(
    "--solana-keypair",
    type=click.Path(dir_okay=False),
    help="Settling Solana keypair (fee payer); default: DISPATCH_SOLANA_KEYPAIR. Without one, no SVM scheme.",
)
@click.pass_obj
def facilitator(
    state: CliState, host: str, port: int, store: Path, evm_account: str | None, solana_keypair: str | None
) -> None:
    """Serve /verify, /settle and /supported for exact on eip155:<chain> and solana:<genesis>.

    Built on the x402 SDK's facilitator and its exact EVM (EIP-3009) and SVM schemes, settling
    on the network profile's chains with the coordinator's keys. Each settle is journaled in
    --store before broadcast and answered from it afterwards, so a payment is never settled twice.
    """
    from dispatch_chain.connect import Connections
    from dispatch_chain.keys import load_evm_account
    from dispatch_chain.payments.facilitator import (
        DurableFacilitator,
        EvmSettler,
        SvmSettler,
        facilitator_app,
        sdk_facilitator,
    )
    from dispatch_chain.settings import Settings

    with chain_errors():
        profile = state.profile()
        evm: EvmSettler | None = None
        svm: SvmSettler | None = None
        if profile.evm is not None:
            account = load_evm_account(evm_account, chain_id=profile.evm.chain_id)
            evm = EvmSettler(account, profile.evm.rpc_url, profile.evm.chain_id)
        keypair_path = solana_keypair or Settings.from_env().solana_keypair
        if profile.solana is not None and keypair_path:
            connections = Connections(profile, solana_keypair_path=keypair_path)
            svm = SvmSettler(connections.solana_keypair, profile.solana.rpc_url, connections.solana.caip2)
        sdk = sdk_facilitator(evm, svm)
        durable = DurableFacilitator(sdk, store, evm_rpc=evm.rpc_url if evm else None)
    click.echo(f"x402 facilitator on http://{host}:{port} (journal {store})", err=True)
    facilitator_app(durable).run(host=host, port=port)
