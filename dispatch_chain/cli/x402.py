"""``dispatch-chain x402``: the coordinator's x402 facilitator and the paid job endpoint."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dispatch_chain.cli.common import CliState, InputError, chain_errors, parse_pay_to
from dispatch_chain.settings import env_var

if TYPE_CHECKING:
    from dispatch_chain.connect import Connections
    from dispatch_chain.payments.endpoint import PayOption
    from dispatch_chain.payments.facilitator import DurableFacilitator


@click.group("x402")
def x402_group() -> None:
    """x402 payments: the facilitator the coordinator runs (SDK facilitator, exact scheme) and the paid job
    endpoint in front of it."""


def _facilitator_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that build the coordinator's own facilitator (``facilitator`` and ``serve-jobs``)."""
    for option in reversed(
        (
            click.option(
                "--store",
                type=click.Path(dir_okay=False, path_type=Path),
                default=Path("run/x402-facilitator.sqlite"),
                show_default=True,
                help="The facilitator's settle-once journal (SQLite): a payment is settled at most once, "
                "also across restarts.",
            ),
            click.option(
                "--evm-account",
                envvar=[env_var("facilitator_account"), env_var("evm_account")],
                help="The settling EVM account (env:VAR, keystore:PATH, dev:N locally; it pays the gas). Default: "
                "DISPATCH_FACILITATOR_ACCOUNT, else DISPATCH_EVM_ACCOUNT. Give it its own account: the anchoring "
                "service and the feedback sender may not sign with the same one at the same time.",
            ),
            click.option(
                "--solana-keypair",
                type=click.Path(dir_okay=False),
                help="Settling Solana keypair (fee payer); default: DISPATCH_SOLANA_KEYPAIR. Without one, no SVM "
                "scheme.",
            ),
        )
    ):
        command = option(command)
    return command


def _durable_facilitator(
    connections: Connections, store: Path, solana_keypair: str | None, held: ExitStack, *, evm: bool = True
) -> DurableFacilitator:
    """The SDK facilitator with the exact EVM scheme on the profile's EVM chain and, given a keypair, the exact
    SVM scheme on its Solana cluster, journaled in ``store``. The settling EVM account (``connections``') is a
    writer: its single-writer lock is taken into ``held`` (refused while another writer signs with it).
    ``evm=False`` leaves the EVM side out (an endpoint paid on Solana only needs no EVM node nor account)."""
    from dispatch_chain.keys import load_evm_account, load_solana_keypair
    from dispatch_chain.payments.facilitator import DurableFacilitator, EvmSettler, SvmSettler, sdk_facilitator
    from dispatch_chain.settings import Settings

    profile = connections.profile
    evm_client, evm_settler, svm_settler = None, None, None
    if evm and profile.evm is not None:
        account = load_evm_account(connections.evm_account_spec, chain_id=profile.evm.chain_id)
        evm_client = connections.evm
        held.enter_context(connections.evm_account_lock("x402 facilitator"))
        evm_settler = EvmSettler(account, profile.evm.rpc_url, profile.evm.chain_id)
    keypair_path = solana_keypair or Settings.from_env().solana_keypair
    if profile.solana is not None and keypair_path:
        keypair = load_solana_keypair(keypair_path)
        svm_settler = SvmSettler(keypair, profile.solana.rpc_url, connections.solana.caip2)
    sdk = sdk_facilitator(evm_settler, svm_settler)
    return DurableFacilitator(sdk, store, evm=evm_client)


@x402_group.command("facilitator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=4020, show_default=True, help="Port to listen on.")
@_facilitator_options
@click.pass_obj
def facilitator(
    state: CliState, host: str, port: int, store: Path, evm_account: str | None, solana_keypair: str | None
) -> None:
    """Serve /verify, /settle and /supported for exact on eip155:<chain> and solana:<genesis>.

    Built on the x402 SDK's facilitator and its exact EVM (EIP-3009) and SVM schemes, settling
    on the network profile's chains with the coordinator's keys. Each settle is journaled in
    --store before broadcast and answered from it afterwards, so a payment is never settled twice.
    """
    from dispatch_chain.payments.facilitator import facilitator_app

    with ExitStack() as held:
        with chain_errors():
            durable = _durable_facilitator(state.connections(evm_account), store, solana_keypair, held)
        click.echo(f"x402 facilitator on http://{host}:{port} (journal {store})", err=True)
        facilitator_app(durable).run(host=host, port=port)


def _pay_options(connections: Connections, pay_to: dict[str, str]) -> list[PayOption]:
    """One pay option per --pay-to chain, each a chain of the profile, in the USDC its manifest records."""
    from dispatch_chain.payments.endpoint import USDC_EIP712, PayOption
    from dispatch_chain.payments.facilitator import sdk_svm_network

    profile, options = connections.profile, []
    for chain, address in pay_to.items():
        if chain.startswith("eip155:"):
            if profile.evm is None or chain != profile.evm.caip2:
                raise InputError(f"--pay-to {chain}: the network's EVM chain is {profile.evm and profile.evm.caip2}")
            usdc = connections.manifest.require_evm().contract("USDC").address
            options.append(PayOption(chain, usdc, address, USDC_EIP712))
        else:
            caip2 = connections.solana.caip2 if profile.solana is not None else None
            if chain != caip2:
                raise InputError(f"--pay-to {chain}: the network's Solana cluster is {caip2}")
            mint = connections.manifest.require_solana().account("usdc_mint")
            options.append(PayOption(sdk_svm_network(caip2), mint, address, chain_id=caip2))
    return options


@x402_group.command("serve-jobs")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=4021, show_default=True, help="Port to listen on.")
@click.option(
    "--worker-key",
    required=True,
    type=click.Path(dir_okay=False),
    help="The worker's ed25519 key file (`dispatch-chain worker keygen`): it signs each job's receipt.",
)
@click.option(
    "--pay-to",
    "pay_to_specs",
    multiple=True,
    required=True,
    help="The coordinator's pay-to address on a chain of the network (repeatable; one pay option each): "
    "eip155:<chain id>:0x<address> or solana:<genesis>:<owner>.",
)
@click.option(
    "--facilitator",
    "facilitator_url",
    metavar="URL",
    help="A remote x402 facilitator (e.g. `dispatch-chain x402 facilitator`); without it, the coordinator's "
    "facilitator runs in this process, built from --store, --evm-account and --solana-keypair.",
)
@click.option(
    "--served-store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("run/x402-served.sqlite"),
    show_default=True,
    help="The endpoint's record of payments that bought a job (SQLite): a payment buys one job, "
    "whatever the facilitator answers, also across restarts.",
)
@_facilitator_options
@click.pass_obj
def serve_jobs(
    state: CliState,
    host: str,
    port: int,
    worker_key: str,
    pay_to_specs: tuple[str, ...],
    facilitator_url: str | None,
    served_store: Path,
    store: Path,
    evm_account: str | None,
    solana_keypair: str | None,
) -> None:
    """Serve POST /job?tier=<TIER>&kind=<KIND> behind x402: pay, then get the worker's signed receipt.

    TIER is FAST or CHEAP (default CHEAP), KIND is LLM or TASK (default TASK).

    An unpaid request is answered 402 with the SDK's payment requirements: the exact scheme, the
    job's price (governance's ProtocolParams when the manifest records it, else the whitepaper's
    table), the network's USDC (the manifest's USDC contract on EVM, its usdc_mint on Solana) and
    the --pay-to address, one option per --pay-to chain. A request with PAYMENT-SIGNATURE is
    settled first (through --facilitator, or the in-process facilitator), then the job runs and
    the answer is {"receipt", "receipt_signature", "price"}: the receipt signed with --worker-key,
    its payment_ref <CAIP-2 chain id>:<tx> naming the settling transaction.

    The job itself is an echo (its output is the request body): dispatching real work to workers
    is the coordinator's, not this chain layer's.
    """
    from dispatch_chain.keys import load_worker_key
    from dispatch_chain.payments.endpoint import LocalFacilitatorClient, echo_job, paid_job_app
    from dispatch_chain.payments.served import ServedPayments

    pay_to = parse_pay_to(pay_to_specs)
    with ExitStack() as held:  # the settling account's lock, while serving
        with chain_errors():
            key = load_worker_key(worker_key)
            connections = state.connections(evm_account)
            options = _pay_options(connections, pay_to)
            client: Any
            if facilitator_url:
                from x402.http import FacilitatorConfig, HTTPFacilitatorClientSync

                client = HTTPFacilitatorClientSync(FacilitatorConfig(url=facilitator_url))
                settler = facilitator_url
            else:
                on_evm = any(option.network.startswith("eip155:") for option in options)
                durable = _durable_facilitator(connections, store, solana_keypair, held, evm=on_evm)
                offered = {kind.network for kind in durable.facilitator.get_supported().kinds}
                for option in options:
                    if option.network not in offered:
                        raise InputError(
                            f"--pay-to {option.ref_chain}: the in-process facilitator cannot settle there"
                            " (a Solana pay-to needs --solana-keypair, the fee payer)"
                        )
                client = LocalFacilitatorClient(durable)
                settler = f"in process, journal {store}"
            app = paid_job_app(
                client, options, connections.price_source(), key, echo_job, served=ServedPayments(served_store)
            )
        chains = ", ".join(option.ref_chain for option in options)
        click.echo(f"paid jobs on http://{host}:{port}/job ({chains}; facilitator {settler})", err=True)
        app.run(host=host, port=port)
