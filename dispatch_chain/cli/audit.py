"""``dispatch-chain audit``: prove a receipt bundle against the chains."""

from __future__ import annotations

import click
from web3 import HTTPProvider, Web3

from dispatch_chain.audit import Auditor, AuditReport, VerifierFactory, format_time
from dispatch_chain.bundle import BundleError, load_bundle
from dispatch_chain.cli.common import EXIT_FAILED, CliState, InputError, chain_errors, emit_json
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
        click.echo(f"{mark}  {finding.check}: {finding.detail}", err=not finding.ok)
    if report.ok:
        for facts in report.anchors:
            click.echo(
                f"PROVEN job {report.job_id!r} on {facts.chain}: batch {facts.batch_id}, block/slot {facts.block},"
                f" {format_time(facts.timestamp)}, tx {facts.tx}"
            )
    else:
        click.echo(f"NOT PROVEN: {len(report.failures)} check(s) failed", err=True)


@click.command()
@click.argument("bundle_file", metavar="BUNDLE.json", type=click.Path(allow_dash=False))
@click.option("--evm-rpc", help="EVM RPC URL to check against (overrides the network profile's).")
@click.option("--solana-rpc", help="Solana RPC URL to check against (overrides the network profile's).")
@click.option("--chain", "chains", multiple=True, metavar="CAIP2",
              help="Check only the anchors on this chain (repeatable), e.g. eip155:10143.")
@click.option("--json", "as_json", is_flag=True, help="Print the audit report as JSON.")
@click.pass_obj
def audit(state: CliState, bundle_file: str, evm_rpc: str | None, solana_rpc: str | None,
          chains: tuple[str, ...], as_json: bool) -> None:
    """Prove the receipt in BUNDLE.json against the chain(s) it is anchored on.

    Checks the ed25519 signature, recomputes the Merkle leaf, verifies the proof
    against the root the chain holds for the bundle's batch, and reads the
    anchoring transaction's block/slot and time from the chain. Exit 0 only if
    every check holds; otherwise 1, with one line per failed check.
    """
    try:
        bundle = load_bundle(bundle_file)
    except BundleError as exc:
        raise InputError(str(exc)) from None
    with chain_errors():
        overrides: dict[str, object] = {}
        if evm_rpc:
            overrides["evm"] = _evm_rpc_override(evm_rpc)
        if solana_rpc:
            overrides["solana"] = {"rpc_url": solana_rpc}
        from dispatch_chain.config import load_network

        profile = load_network(state.network, config_file=state.config_file, overrides=overrides or None)
        report = Auditor(verifier_factories(profile)).audit(bundle, chains=set(chains) if chains else None)
    if as_json:
        emit_json(report.to_dict())
    else:
        print_report(report)
    if not report.ok:
        raise SystemExit(EXIT_FAILED)
