"""The demo's closing report: printed, and written to OUT/report.json."""

from __future__ import annotations

import json
import resource

import click

from dispatch_chain.demo.bridge_stage import report_lines as bridge_report_lines
from dispatch_chain.demo.governance_stage import report_lines as governance_lines
from dispatch_chain.demo.payments_stage import report_lines as payments_lines
from dispatch_chain.demo.state import DemoState
from dispatch_chain.demo.tokenomics_stage import report_lines as tokenomics_lines


def print_report(state: DemoState) -> None:
    report = state.report
    # Peak resident memory of this process, the coordinator's (Linux reports KiB); the chains
    # and the deploy script run as other processes.
    report["memory"] = {"coordinator_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    (state.options.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    receipts, anchoring, audit = report["receipts"], report["anchoring"], report["audit"]
    lines = [
        "",
        "Dispatch chain layer: local demo report",
        f"  EVM (anvil)     {report['evm']['rpc_url']}  chain {report['evm']['chain_id']}",
        f"  Solana (local)  {report['solana']['rpc_url']}  BOLT mint {report.get('bolt', {}).get('mint')}",
        *(f"  {name:<19} {address}" for name, address in report["contracts"].items()),
        f"  receipts        {receipts['signed']} signed, {receipts['valid']} valid,"
        f" {receipts['rejected']} rejected"
        f" ({', '.join(f'{k} x{v}' for k, v in receipts['rejected_by_reason'].items())})",
        f"  anchoring       {anchoring['batches']} batches, each root on {' and '.join(anchoring['chains'])};"
        f" {anchoring['gas_per_receipt']} EVM gas per receipt",
        f"  bundles         {report['bundles']['written']} in {report['bundles']['folder']}",
        f"  audit           {audit['proven']}/{audit['sampled']} sampled bundles proven;"
        f" tampered bundle {'rejected' if audit['tampered_rejected'] else 'ACCEPTED'}",
        *_reputation_lines(report),
        *_settlement_lines(report),
        *payments_lines(report),
        *bridge_report_lines(report),
        *governance_lines(report),
        *tokenomics_lines(report),
        f"  memory          coordinator process peak {report['memory']['coordinator_peak_rss_mib']} MiB",
        "  try it          ./dev demo --keep-running, then in another shell:",
        f"                  ./dev run dispatch-chain --manifest {state.options.out / 'deployments.json'}"
        f" audit {state.bundles[0][1]} --evm-rpc {report['evm']['rpc_url']} --solana-rpc {report['solana']['rpc_url']}",
        f"  report          {state.options.out / 'report.json'}",
    ]
    click.echo("\n".join(lines))


def _reputation_lines(report: dict) -> list[str]:
    if "reputation" not in report:
        return []
    rep = report["reputation"]
    lines = [
        f"  reputation      {rep['feedbacks']} ERC-8004 feedbacks ({rep['successes']} x 80, {rep['failures']} x 20)"
        f" in {rep['transactions']} pipelined transactions; {rep['revoked_job']} revoked",
        "  workers         name       agent  feedbacks  reputation  tier      effective  heartbeat  match  score",
    ]
    for row in report.get("workers", []):
        reputation = "-" if row["reputation"] is None else f"{row['reputation']:.2f}"
        lines.append(
            f"                  {row['worker']:<10} {row['agent_id']:>5}  {row['feedbacks']:>9}  {reputation:>10}"
            f"  {row['tier']:<8}  {row['effective_reputation']:>9.2f}  {row['heartbeat_age']:>7.1f} s"
            f"  {'yes' if row['policy_match'] else 'no':>5}  {row['score']:>5.2f}"
        )
    return lines


def _settlement_lines(report: dict) -> list[str]:
    if "settlement" not in report:
        return []
    s = report["settlement"]
    return [
        f"  settlement      {s['jobs']} jobs settled: {s['settled']} BOLT (at an assumed ${s['bolt_usd_assumed']}"
        f"/BOLT), {s['burned']} BOLT burned (5 %)",
        f"  BOLT supply     {s['supply']} (1,000,000,000 at genesis, {s['burned_total']} burned)",
    ]
