"""Demo stages: workers sign receipts, the coordinator verifies and anchors them, auditors prove them."""

from __future__ import annotations

import json
from collections import Counter
from contextlib import ExitStack

from eth_typing import HexStr

from dispatch_chain.anchoring.backend import AnchorBackend
from dispatch_chain.anchoring.bundles import bundle_of
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.audit import Auditor, TrustedDeployments, format_time
from dispatch_chain.demo.state import DemoState
from dispatch_chain.demo.workload import make_workers, make_workload
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.evm.audit import EvmAnchorVerifier
from dispatch_chain.solana.audit import SolanaAnchorVerifier


def make_jobs(state: DemoState, stack: ExitStack) -> None:
    options = state.options
    workers = make_workers(options.workers, state.rng)
    state.workload = make_workload(workers, options.jobs, options.invalid_share, state.rng)
    messages = state.options.out / "job_complete.jsonl"
    messages.write_text("".join(json.dumps(j.message, ensure_ascii=True) + "\n" for j in state.workload.jobs))
    state.progress.note(
        f"{len(workers)} workers signed {options.jobs} receipts;"
        f" {len(state.workload.expected_invalid)} deliberately corrupted ({messages})"
    )


def verify_and_store(state: DemoState, stack: ExitStack) -> None:
    assert state.workload is not None and state.connections is not None
    store_path = state.options.out / "anchoring.sqlite"
    for stale in (store_path, *(store_path.with_name(store_path.name + suffix) for suffix in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)  # a fresh chain each run, so a fresh store
    state.store = stack.enter_context(ReceiptStore(store_path))
    backends: list[AnchorBackend] = [
        state.connections.receipt_anchor(writable=True),
        state.connections.solana_anchor(writable=True),
    ]
    state.service = AnchoringService(
        state.store, backends, BatchPolicy(max_size=state.options.batch_size, max_age=0), progress=state.progress.note
    )
    state.verification = state.service.submit([j.message for j in state.workload.jobs])
    rejected = {c.index for c in state.verification.invalid}
    expected = {i for i, j in enumerate(state.workload.jobs) if j.corruption}
    if rejected != expected:
        raise DispatchChainError(f"verifier disagreement: rejected {sorted(rejected ^ expected)[:5]}...")
    reasons = Counter((c.reason or "").split(" (")[0] for c in state.verification.invalid)
    state.progress.note(
        f"{len(state.verification.valid)} valid, {len(rejected)} rejected: "
        + ", ".join(f"{k} x{v}" for k, v in reasons.items())
    )
    state.report["receipts"] = {
        "signed": len(state.workload.jobs),
        "valid": len(state.verification.valid),
        "rejected": len(rejected),
        "rejected_by_reason": dict(reasons),
    }


def anchor(state: DemoState, stack: ExitStack) -> None:
    """Each batch root goes to both chains: ReceiptAnchor on EVM and dispatch_anchor on Solana."""
    assert state.service is not None and state.connections is not None
    summary = state.service.drain()
    evm_chain = state.connections.evm.caip2
    w3 = state.connections.evm.w3
    evm_anchors = [r for r in summary.anchored if r.chain == evm_chain]
    gas = sum(int(w3.eth.get_transaction_receipt(HexStr(r.tx))["gasUsed"]) for r in evm_anchors if r.tx)
    receipts = sum(b.leaf_count for b in summary.batches_cut)
    state.report["anchoring"] = {
        "batches": len(summary.batches_cut),
        "chains": sorted({r.chain for r in summary.anchored}),
        "anchors": len(summary.anchored),
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
    evm, solana = state.connections.evm, state.connections.solana
    trusted = TrustedDeployments.load(state.connections.profile.manifest)  # the demo's own deployments
    auditor = Auditor(
        {"eip155": lambda chain: EvmAnchorVerifier(evm), "solana": lambda chain: SolanaAnchorVerifier(solana)}, trusted
    )
    sample = state.rng.sample(state.bundles, min(state.options.audit_sample, len(state.bundles)))
    for bundle, path in sample:
        report = auditor.audit(bundle)
        state.audits.append(report)
        where = (
            "; ".join(
                f"{f.chain.split(':')[0]} batch {f.batch_id}"
                f" at {'block' if f.chain.startswith('eip155') else 'slot'}"
                f" {f.block}, {format_time(f.timestamp)}"
                for f in report.anchors
            )
            or "-"
        )
        state.progress.note(f"{'PROVEN' if report.ok else 'FAILED'} {path.name}: {where}")
    tampered = sample[0][0].model_copy(deep=True)
    tampered.receipt["output_hash"] = "sha256:" + "00" * 32
    tampered_report = auditor.audit(tampered)
    state.progress.note(
        f"tampered bundle: {'rejected' if not tampered_report.ok else 'ACCEPTED (bug!)'}"
        f" ({tampered_report.failures[0].detail if tampered_report.failures else ''})"
    )
    state.report["audit"] = {
        "sampled": len(sample),
        "proven": sum(r.ok for r in state.audits),
        "tampered_rejected": not tampered_report.ok,
    }
    if not all(r.ok for r in state.audits) or tampered_report.ok:
        raise DispatchChainError("the audit sample did not come out as expected")
