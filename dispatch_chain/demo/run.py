"""The demo's stages, run in order against local chains it starts itself."""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

import dispatch_chain
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.audit import Auditor, AuditReport, format_time
from dispatch_chain.bundle import ReceiptBundle, bundle_of
from dispatch_chain.config import load_network
from dispatch_chain.connect import Connections
from dispatch_chain.demo.progress import Progress
from dispatch_chain.demo.workload import Workload, make_workers, make_workload
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.evm.audit import EvmAnchorVerifier
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil
from dispatch_chain.receipts import VerificationReport

REPO = Path(dispatch_chain.__file__).resolve().parent.parent
COORDINATOR = 1  # anvil dev account of the demo coordinator (anchorer, feedback giver)


@dataclass
class DemoOptions:
    out: Path
    jobs: int = 400
    workers: int = 6
    invalid_share: float = 0.05
    batch_size: int = 64
    audit_sample: int = 8
    seed: int = 8004


@dataclass
class DemoState:
    """What the stages share and what the report is built from."""

    options: DemoOptions
    progress: Progress
    rng: random.Random
    anvil: Anvil | None = None
    connections: Connections | None = None
    workload: Workload | None = None
    verification: VerificationReport | None = None
    store: ReceiptStore | None = None
    service: AnchoringService | None = None
    bundles: list[tuple[ReceiptBundle, Path]] = field(default_factory=list)
    audits: list[AuditReport] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


def start_chains(state: DemoState, stack: ExitStack) -> None:
    log = state.options.out / "anvil.log"
    state.anvil = stack.enter_context(Anvil(log_path=log))
    state.progress.note(f"anvil on {state.anvil.url} (chain 31337), log {log}")
    state.report["evm"] = {"rpc_url": state.anvil.url, "chain_id": 31337}


def deploy(state: DemoState, stack: ExitStack) -> None:
    assert state.anvil is not None
    if not (REPO / "ape-config.yaml").exists():
        raise DispatchChainError(f"the demo deploys with ape from the repository; {REPO} has no ape-config.yaml")
    manifest = state.options.out / "deployments.json"
    manifest.unlink(missing_ok=True)
    coordinator = dev_account(COORDINATOR).address
    proc = subprocess.run(
        ["ape", "run", "deploy", "--network", state.anvil.url, "--manifest", str(manifest), "--anchorer", coordinator],
        cwd=REPO, capture_output=True, text=True,
    )
    (state.options.out / "deploy.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise DispatchChainError(f"ape run deploy failed (see {state.options.out / 'deploy.log'}):\n{proc.stderr[-2000:]}")
    profile = load_network(
        "local", env={}, overrides={"evm": {"rpc_url": state.anvil.url, "confirmations": 0, "poll_interval": 0.05},
                                    "manifest": str(manifest)},
    )
    state.connections = Connections(profile, evm_account_spec=f"dev:{COORDINATOR}")
    for name, deployment in state.connections.manifest.require_evm().contracts.items():
        state.progress.note(f"{name} at {deployment.address}")
    state.report["contracts"] = {k: v.address for k, v in state.connections.manifest.require_evm().contracts.items()}


def make_jobs(state: DemoState, stack: ExitStack) -> None:
    options = state.options
    workers = make_workers(options.workers, state.rng)
    state.workload = make_workload(workers, options.jobs, options.invalid_share, state.rng)
    messages = state.options.out / "job_complete.jsonl"
    messages.write_text("".join(json.dumps(j.message, ensure_ascii=True) + "\n" for j in state.workload.jobs))
    state.progress.note(f"{len(workers)} workers signed {options.jobs} receipts;"
                        f" {len(state.workload.expected_invalid)} deliberately corrupted ({messages})")


def verify_and_store(state: DemoState, stack: ExitStack) -> None:
    assert state.workload is not None and state.connections is not None
    store_path = state.options.out / "anchoring.sqlite"
    for stale in (store_path, store_path.with_name(store_path.name + "-wal"), store_path.with_name(store_path.name + "-shm")):
        stale.unlink(missing_ok=True)  # a fresh chain each run, so a fresh store
    state.store = stack.enter_context(ReceiptStore(store_path))
    backend = state.connections.receipt_anchor(writable=True)
    state.service = AnchoringService(state.store, [backend], BatchPolicy(max_size=state.options.batch_size, max_age=0),
                                     progress=state.progress.note)
    state.verification = state.service.submit([j.message for j in state.workload.jobs], threads=2)
    rejected = {c.index for c in state.verification.invalid}
    expected = {i for i, j in enumerate(state.workload.jobs) if j.corruption}
    if rejected != expected:
        raise DispatchChainError(f"verifier disagreement: rejected {sorted(rejected ^ expected)[:5]}...")
    reasons = Counter((c.reason or "").split(" (")[0] for c in state.verification.invalid)
    state.progress.note(f"{len(state.verification.valid)} valid, {len(rejected)} rejected: "
                        + ", ".join(f"{k} x{v}" for k, v in reasons.items()))
    state.report["receipts"] = {
        "signed": len(state.workload.jobs),
        "valid": len(state.verification.valid),
        "rejected": len(rejected),
        "rejected_by_reason": dict(reasons),
    }


def anchor(state: DemoState, stack: ExitStack) -> None:
    assert state.service is not None and state.connections is not None
    summary = state.service.drain()
    w3 = state.connections.evm.w3
    gas = sum(int(w3.eth.get_transaction_receipt(r.tx)["gasUsed"]) for r in summary.anchored)
    receipts = sum(b.leaf_count for b in summary.batches_cut)
    state.report["anchoring"] = {
        "batches": len(summary.batches_cut),
        "chain": summary.anchored[0].chain if summary.anchored else None,
        "gas_total": gas,
        "gas_per_receipt": round(gas / receipts, 1) if receipts else None,
    }


def write_bundles(state: DemoState, stack: ExitStack) -> None:
    assert state.store is not None and state.verification is not None
    folder = state.options.out / "bundles"
    folder.mkdir(exist_ok=True)
    valid = state.verification.valid
    for n, signed in enumerate(valid, 1):
        stored = state.store.receipt(signed.receipt.receipt_hash())
        assert stored is not None and stored.batch is not None
        bundle = bundle_of(stored, state.store.anchors_of_batch(stored.batch.id))
        path = folder / f"{signed.receipt.job_id}.json"
        path.write_text(bundle.to_json())
        state.bundles.append((bundle, path))
        state.progress.count("bundles", n, len(valid))
    state.report["bundles"] = {"written": len(state.bundles), "folder": str(folder)}


def audit_sample(state: DemoState, stack: ExitStack) -> None:
    assert state.connections is not None
    evm = state.connections.evm
    auditor = Auditor({"eip155": lambda chain: EvmAnchorVerifier(evm)})
    sample = state.rng.sample(state.bundles, min(state.options.audit_sample, len(state.bundles)))
    for bundle, path in sample:
        report = auditor.audit(bundle)
        state.audits.append(report)
        facts = report.anchors[0] if report.anchors else None
        where = f"batch {facts.batch_id}, block {facts.block}, {format_time(facts.timestamp)}" if facts else "-"
        state.progress.note(f"{'PROVEN' if report.ok else 'FAILED'} {path.name}: {where}")
    tampered = sample[0][0].model_copy(deep=True)
    tampered.receipt["output_hash"] = "sha256:" + "00" * 32
    tampered_report = auditor.audit(tampered)
    state.progress.note(f"tampered bundle: {'rejected' if not tampered_report.ok else 'ACCEPTED (bug!)'}"
                        f" ({tampered_report.failures[0].detail if tampered_report.failures else ''})")
    state.report["audit"] = {
        "sampled": len(sample),
        "proven": sum(r.ok for r in state.audits),
        "tampered_rejected": not tampered_report.ok,
    }
    if not all(r.ok for r in state.audits) or tampered_report.ok:
        raise DispatchChainError("the audit sample did not come out as expected")


def print_report(state: DemoState) -> None:
    report = state.report
    (state.options.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    receipts, anchoring, audit = report["receipts"], report["anchoring"], report["audit"]
    lines = [
        "",
        "Dispatch chain layer: local demo report",
        f"  EVM (anvil)     {report['evm']['rpc_url']}  chain {report['evm']['chain_id']}",
        *(f"  {name:<15} {address}" for name, address in report["contracts"].items()),
        f"  receipts        {receipts['signed']} signed, {receipts['valid']} valid,"
        f" {receipts['rejected']} rejected ({', '.join(f'{k} x{v}' for k, v in receipts['rejected_by_reason'].items())})",
        f"  anchoring       {anchoring['batches']} batches on {anchoring['chain']},"
        f" {anchoring['gas_per_receipt']} gas per receipt",
        f"  bundles         {report['bundles']['written']} in {report['bundles']['folder']}",
        f"  audit           {audit['proven']}/{audit['sampled']} sampled bundles proven;"
        f" tampered bundle {'rejected' if audit['tampered_rejected'] else 'ACCEPTED'}",
        f"  try it          ./dev demo --keep-running, then in another shell:",
        f"                  ./dev run dispatch-chain audit {state.bundles[0][1]} --evm-rpc {report['evm']['rpc_url']}",
        f"  report          {state.options.out / 'report.json'}",
    ]
    click.echo("\n".join(lines))


Stage = Callable[[DemoState, ExitStack], None]

STAGES: list[tuple[str, Stage]] = [
    ("start local chains", start_chains),
    ("deploy contracts (ape run deploy)", deploy),
    ("workers sign receipts", make_jobs),
    ("coordinator verifies receipts", verify_and_store),
    ("anchor receipt batches", anchor),
    ("write auditor bundles", write_bundles),
    ("audit a sample of bundles", audit_sample),
]


def run_demo(options: DemoOptions, *, keep_running: bool = False) -> dict[str, Any]:
    """Run every stage; local chains and the store close when it returns or fails."""
    options.out.mkdir(parents=True, exist_ok=True)
    state = DemoState(options, Progress(len(STAGES)), random.Random(options.seed))
    with ExitStack() as stack:
        for title, stage in STAGES:
            with state.progress.step(title):
                stage(state, stack)
        print_report(state)
        if keep_running:
            click.echo("chains keep running; Ctrl-C to stop", err=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return state.report
