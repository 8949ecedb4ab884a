"""The demo end to end, on small numbers: every stage runs against the local chains it starts (anvil, the local
Solana node, `ape run deploy`), and its report says what each stage proved. The x402 stage: agents paid jobs with
the SDK's client on both chains, every payment was proven on its chain, the USDC reached the pay-to, a replay was
refused, and the USDC of both chains is recorded in the manifest."""

from __future__ import annotations

from pathlib import Path

from dispatch_chain.demo.payments_stage import AGENTS
from dispatch_chain.demo.run import run_demo
from dispatch_chain.demo.state import DemoOptions
from dispatch_chain.deployments import load_manifest


def test_the_demo_runs_every_stage_and_reports_x402_payments_on_both_chains(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    report = run_demo(DemoOptions(out=out, jobs=24, workers=3, batch_size=8, audit_sample=2))
    assert report["audit"]["proven"] == report["audit"]["sampled"] == 2 and report["audit"]["tampered_rejected"]
    assert report["receipts"]["valid"] + report["receipts"]["rejected"] == 24
    payments = report["payments"]
    manifest = load_manifest(out / "deployments.json")
    assert payments["evm"]["usdc"] == manifest.require_evm().contract("USDC").address
    assert payments["solana"]["usdc"] == manifest.require_solana().account("usdc_mint")
    for chain, prefix in (("evm", "eip155:31337:0x"), ("solana", manifest.require_solana().cluster)):
        side = payments[chain]
        assert side["jobs_paid"] == side["receipts_valid"] == side["payments_verified"] == AGENTS, side
        assert side["usdc_received"] == side["charged"] > 0, side
        assert side["replay_refused"] is True, side
        assert side["example_payment_ref"].startswith(prefix), side
    assert payments["flagged"] == 0 and payments["anchored_batches"] == 1
    assert payments["prices"] == "whitepaper"  # the stage runs before governance deploys ProtocolParams
    assert "rewards" in report and (out / "report.json").exists()  # the last stage ran, the report was written
