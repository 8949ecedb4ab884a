"""``dispatch-chain audit``: prove a receipt bundle against the chains."""

from __future__ import annotations

import click
from web3 import HTTPProvider, Web3

from dispatch_chain.audit import (
    Auditor,
    AuditReport,
    TrustedDeployments,
    TrustError,
    VerifierFactory,
    format_time,
    parse_trust,
)
from dispatch_chain.bundle import BundleError, load_bundle
from dispatch_chain.cli.common import (
    EXIT_FAILED,
    CliState,
    InputError,
    chain_errors,
    emit_json,
    parse_pay_to,
    parse_price,
    printable,
)
from dispatch_chain.config import NetworkProfile
from dispatch_chain.evm.audit import evm_verifier_factory
from dispatch_chain.solana.audit import solana_verifier_factory


def _evm_rpc_override(url: str) -> dict[str, object]:
    """Profile override for --evm-rpc: the chain id is whatever that node serves."""
    try:
        chain_id = Web3(HTTPProvider(url, request_kwargs={"timeout": 15})).eth.chain_id
    except Exception as exc:
        raise click.ClickException(f"cannot reach {url}: {exc}") from None
    return {"rpc_url": url, "chain_id": chain_id}


def verifier_factories(profile: NetworkProfile) -> dict[str, VerifierFactory]:
    """One factory per CAIP-2 namespace the auditor can check."""
    return {
        "eip155": evm_verifier_factory(profile.evm, profile.name),
        "solana": solana_verifier_factory(profile.solana, profile.name),
    }


def print_report(report: AuditReport) -> None:
    for finding in report.findings:
        mark = "ok  " if finding.ok else "FAIL"
        click.echo(printable(f"{mark}  {finding.check}: {finding.detail}"), err=not finding.ok)
    if report.ok:
        for facts in report.anchors:
            click.echo(
                f"PROVEN job {report.job_id!r} on {facts.chain}: batch {facts.batch_id}, block/slot {facts.block},"
                f" {format_time(facts.timestamp)}, tx {facts.tx}"
            )
    else:
        click.echo(f"NOT PROVEN: {len(report.failures)} check(s) failed", err=True)


@click.command(
    epilog="""\b
Trust model: a bundle is evidence, not authority. Anyone can deploy a
ReceiptAnchor (or anchor program) of their own, anchor a receipt they signed
themselves and hand out a consistent bundle naming it, so the audit proves
only against trusted deployments:
  - the network's deployments manifest (--network / --manifest /
    DISPATCH_MANIFEST): its ReceiptAnchor on its EVM chain and its
    dispatch_anchor program on its Solana cluster;
  - deployments named with --trust (repeatable):
      eip155:<chain id>:0x<ReceiptAnchor address>
      solana:<genesis hash>:<dispatch_anchor program id>
An anchor on any other contract or program fails (exit 1) with the reason.
Against a trusted deployment the chain's own record decides: the contract's
batch record of the root (EVM) or the program-owned batch account with its
stored root, anchorer and slot (Solana); the bundle's block/slot is ignored
and a transaction it names must be the one that wrote that record."""
)
@click.argument("bundle_file", metavar="BUNDLE.json", type=click.Path(allow_dash=False))
@click.option("--evm-rpc", help="EVM RPC URL to check against (overrides the network profile's).")
@click.option("--solana-rpc", help="Solana RPC URL to check against (overrides the network profile's).")
@click.option(
    "--chain",
    "chains",
    multiple=True,
    metavar="CAIP2",
    help="Check only the anchors on this chain (repeatable), e.g. eip155:10143.",
)
@click.option(
    "--trust",
    "trust_specs",
    multiple=True,
    metavar="CAIP2:ADDRESS",
    help="Also trust this deployment (repeatable): eip155:<chain id>:0x<contract> or "
    "solana:<genesis>:<program id>. The network's manifest is always trusted.",
)
@click.option("--no-payment", is_flag=True, help="Skip the payment check of the receipt's payment_ref.")
@click.option(
    "--pay-to",
    "pay_to_specs",
    multiple=True,
    metavar="CAIP2:ADDRESS",
    help="The coordinator's pay-to address on a chain (repeatable), e.g. eip155:10143:0x... or "
    "solana:<genesis>:<owner>; needed to check a payment_ref on that chain.",
)
@click.option(
    "--price",
    default="0.001",
    show_default=True,
    help="The job's price in USDC: the payment must be at least this (default: the lowest whitepaper price).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the audit report as JSON.")
@click.pass_obj
def audit(
    state: CliState,
    bundle_file: str,
    evm_rpc: str | None,
    solana_rpc: str | None,
    chains: tuple[str, ...],
    trust_specs: tuple[str, ...],
    no_payment: bool,
    pay_to_specs: tuple[str, ...],
    price: str,
    as_json: bool,
) -> None:
    """Prove the receipt in BUNDLE.json against the trusted deployment(s) it is anchored on.

    Checks the ed25519 signature, recomputes the Merkle leaf, checks that each
    anchor names a trusted contract or program (see the trust model below),
    verifies the proof against the root that deployment holds for the bundle's
    batch, and reads the block/slot, time and anchorer from the chain. Unless
    --no-payment, the receipt's payment_ref (if not null) must name a USDC
    payment of at least --price to the --pay-to address on its chain, at a safe
    depth (the failure names its reason and that reason's exit code, 11-19).
    Exit 0 only if every check holds; 1 with one line per failed check; 2 for a
    malformed bundle, --trust, --pay-to or --price; 3 for configuration or chain trouble.
    """
    try:
        bundle = load_bundle(bundle_file)
    except BundleError as exc:
        raise InputError(str(exc)) from None
    try:
        explicit = [parse_trust(spec) for spec in trust_specs]
    except TrustError as exc:
        raise InputError(str(exc)) from None
    pay_to = parse_pay_to(pay_to_specs)
    price_units = parse_price(price)
    with chain_errors():
        overrides: dict[str, object] = {}
        if evm_rpc:
            overrides["evm"] = _evm_rpc_override(evm_rpc)
        if solana_rpc:
            overrides["solana"] = {"rpc_url": solana_rpc}
        if state.manifest:
            overrides["manifest"] = state.manifest
        from dispatch_chain.config import load_network

        profile = load_network(state.network, config_file=state.config_file, overrides=overrides or None)
        trusted = TrustedDeployments.load(profile.manifest, explicit)
        report = Auditor(verifier_factories(profile), trusted).audit(bundle, chains=set(chains) if chains else None)
        if not no_payment:
            from dispatch_chain.payments.audit import payment_finding

            finding, _ = payment_finding(
                bundle.receipt.get("payment_ref"), report.receipt_hash or "", profile, pay_to, price_units
            )
            report.findings.append(finding)
    if as_json:
        emit_json(report.to_dict())
    else:
        print_report(report)
    if not report.ok:
        raise SystemExit(EXIT_FAILED)
