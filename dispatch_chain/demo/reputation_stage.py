"""Demo stages: workers register as ERC-8004 agents; the coordinator posts feedback per job."""

from __future__ import annotations

from contextlib import ExitStack

from dispatch_chain.demo.state import DemoState
from dispatch_chain.erc8004.binding import derived_owner, worker_key
from dispatch_chain.erc8004.feedback import FeedbackWriter
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.evm.outbox import Outbox
from dispatch_chain.evm.pipeline import PipelineConfig
from dispatch_chain.evm.transactions import TxSender, send_value
from dispatch_chain.keys import dev_account
from dispatch_chain.protocol import Tier
from dispatch_chain.scoring import worker_score

GAS_FUNDING_WEI = 10**17  # 0.1 ETH for each worker's registration gas


def register_workers(state: DemoState, stack: ExitStack) -> None:
    """Each worker's derived EVM owner is funded, then registers an agent binding the worker's key."""
    assert state.connections is not None and state.workload is not None
    identity = state.connections.identity_registry()
    funder = TxSender(state.connections.evm, dev_account(0))
    for worker in state.workload.workers:
        owner = derived_owner(worker.key)
        send_value(funder, owner.address, GAS_FUNDING_WEI)
        registration = identity.register_worker(
            worker.key, owner, f"https://dispatch.example/agents/{worker.name}.json"
        )
        state.agents[worker.pubkey] = registration.agent_id
        state.progress.note(
            f"{worker.name} ed25519:{worker.pubkey.hex()[:12]}... -> agent {registration.agent_id}"
            f" (owner {owner.address}, worker key {hex(worker_key(worker.pubkey))[:14]}...)"
        )


def post_feedback(state: DemoState, stack: ExitStack) -> None:
    """Feedback for every verified job through the outbox; one later-invalid receipt is revoked."""
    assert state.connections is not None and state.workload is not None and state.verification is not None
    out = state.options.out
    for stale in out.glob("reputation-outbox.sqlite*"):
        stale.unlink()
    for stale in out.glob("identity-cache.sqlite*"):
        stale.unlink()
    outbox = stack.enter_context(Outbox(out / "reputation-outbox.sqlite"))
    writer = FeedbackWriter(outbox, state.connections.profile.coordinator_url)
    outcome = {job.job_id: job.succeeded for job in state.workload.jobs}
    valid = state.verification.valid
    for signed in valid:  # each worker's agent id, as it told the coordinator at registration
        writer.record_job(
            signed, success=outcome[signed.receipt.job_id], agent_id=state.agents[signed.receipt.provider_key]
        )
    revoked_job = valid[len(valid) // 2].receipt.job_id
    writer.revoke_job(revoked_job)  # e.g. an audit later finds its output was never delivered
    resolver = state.connections.identity_resolver(out / "identity-cache.sqlite")
    stack.callback(resolver.close)
    sender = state.connections.reputation_sender(outbox, resolver, PipelineConfig(window=64))
    stats = sender.drain(timeout=300)
    counts = outbox.counts()
    if counts.get("done", 0) != len(valid) + 1:
        raise DispatchChainError(f"feedback did not all land: {counts}, last errors {stats.errors[-3:]}")
    successes = sum(outcome[s.receipt.job_id] for s in valid)
    state.progress.note(
        f"{len(valid)} feedbacks posted ({successes} at 80, {len(valid) - successes} at 20),"
        f" {stats.sent} transactions; feedback of {revoked_job} revoked"
    )
    state.report["reputation"] = {
        "feedbacks": len(valid),
        "successes": successes,
        "failures": len(valid) - successes,
        "revoked_job": revoked_job,
        "transactions": stats.sent,
    }


def score_workers(state: DemoState, stack: ExitStack) -> None:
    """Each worker's reputation summary and workerScore (tiers from the Solana stages, else OPEN)."""
    assert state.connections is not None and state.workload is not None
    reader = state.connections.reputation_reader()
    summaries = reader.summaries(state.agents.values())
    rows = []
    for n, worker in enumerate(state.workload.workers):
        agent_id = state.agents[worker.pubkey]
        summary = summaries[agent_id]
        tier = state.tiers.get(worker.pubkey, Tier.OPEN)
        heartbeat_age = state.rng.uniform(0, 25)
        score = worker_score(policy_match=n % 2 == 0, heartbeat_age=heartbeat_age, reputation=summary.score, tier=tier)
        rows.append(
            {
                "worker": worker.name,
                "agent_id": agent_id,
                "feedbacks": summary.count,
                "reputation": round(summary.score, 2) if summary.score is not None else None,
                "tier": tier.name,
                "effective_reputation": round(score.effective_reputation, 2),
                "heartbeat_age": round(heartbeat_age, 1),
                "policy_match": n % 2 == 0,
                "score": round(score.total, 2),
            }
        )
    state.report["workers"] = rows
