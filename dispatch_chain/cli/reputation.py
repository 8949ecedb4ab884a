"""``dispatch-chain reputation``: ERC-8004 feedback for jobs, and reading it back."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from dispatch_chain.cli.common import CliState, InputError, chain_errors, emit_json, read_json_records
from dispatch_chain.cli.worker import parse_worker
from dispatch_chain.connect import Connections, default_outbox_path
from dispatch_chain.erc8004.feedback import FeedbackWriter
from dispatch_chain.evm.outbox import Outbox
from dispatch_chain.evm.pipeline import PipelineConfig
from dispatch_chain.protocol import Tier
from dispatch_chain.receipts import JobComplete, ReceiptError, SignedReceipt
from dispatch_chain.scoring import worker_score

outbox_option = click.option("--outbox", "outbox_path", envvar="DISPATCH_OUTBOX", type=click.Path(dir_okay=False),
                             help="Outbox SQLite file (default: run/<network>/reputation-outbox.sqlite).")
account_option = click.option("--account", envvar="DISPATCH_EVM_ACCOUNT",
                              help="The coordinator's EVM account spec (env:VAR, keystore:PATH, dev:N).")


def _outbox(state: CliState, path: str | None) -> Outbox:
    with chain_errors():
        return Outbox(Path(path) if path else default_outbox_path(state.profile()))


def _agent_id(connections: Connections, worker_ref: str) -> int:
    target = parse_worker(worker_ref)
    return target if isinstance(target, int) else connections.identity_resolver().resolve(target)


@click.group()
def reputation() -> None:
    """Post ERC-8004 feedback for jobs (through a durable outbox) and read summaries."""


@reputation.command()
@click.argument("file", type=click.Path(allow_dash=True))
@outbox_option
@click.option("--endpoint", envvar="DISPATCH_COORDINATOR_URL", default="http://127.0.0.1:3000", show_default=True,
              help="The coordinator endpoint recorded with each feedback.")
@click.pass_obj
def enqueue(state: CliState, file: str, outbox_path: str | None, endpoint: str) -> None:
    """Queue feedback for finished jobs: FILE has {"job": <job_complete>, "success": bool} per line.

    Returns at once; `reputation send` posts them. A job queued twice is posted once.
    """
    records = read_json_records(file)
    jobs = []
    for number, record in enumerate(records, 1):
        if not isinstance(record, dict) or set(record) != {"job", "success"} or not isinstance(record["success"], bool):
            raise InputError(f"{file} record {number}: expected {{\"job\": <job_complete>, \"success\": true|false}}")
        try:
            job = record["job"]
            signed = (JobComplete.from_message(job).signed if isinstance(job, dict) and "type" in job
                      else SignedReceipt.from_parts(job.get("receipt"), job.get("receipt_signature")))
        except (ReceiptError, AttributeError) as exc:
            raise InputError(f"{file} record {number}: {exc}") from None
        jobs.append((signed, record["success"]))
    with _outbox(state, outbox_path) as outbox:
        writer = FeedbackWriter(outbox, endpoint)
        new = sum(writer.record_job(signed, success=success) for signed, success in jobs)
    click.echo(f"queued {new} new feedback(s), {len(jobs) - new} already queued")


@reputation.command()
@outbox_option
@account_option
@click.option("--window", type=click.IntRange(1, 1024), default=64, show_default=True, help="Transactions in flight.")
@click.option("--replace-after", type=click.FloatRange(1), default=30.0, show_default=True,
              help="Seconds before an unmined transaction is replaced with higher fees.")
@click.option("--drain", is_flag=True, help="Exit once nothing is queued or in flight.")
@click.option("--timeout", type=click.FloatRange(1), default=3600.0, show_default=True, help="Limit for --drain.")
@click.pass_obj
def send(state: CliState, outbox_path: str | None, account: str | None, window: int, replace_after: float,
         drain: bool, timeout: float) -> None:
    """Post queued feedback with many transactions in flight (the coordinator's sender).

    Safe to kill at any point: on restart it matches queued items against its
    own NewFeedback events, re-sends what it had signed, and posts each job's
    feedback exactly once.
    """
    config = PipelineConfig(window=window, replace_after=replace_after)
    with chain_errors(), _outbox(state, outbox_path) as outbox:
        connections = state.connections(account)
        pipeline = connections.reputation_sender(outbox, connections.identity_resolver(), config)
        if drain:
            stats = pipeline.drain(timeout=timeout)
        else:
            stop = threading.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
            click.echo(f"sending from {pipeline.address}; Ctrl-C to stop", err=True)
            stats = pipeline.run(stop)
        counts = outbox.counts()
    click.echo(f"sent {stats.sent}, replaced {stats.replaced}, done {stats.done}, failed {stats.failed}; outbox {counts}")
    for error in stats.errors[-5:]:
        click.echo(f"warning: {error}", err=True)


@reputation.command()
@click.argument("job_id")
@outbox_option
@click.pass_obj
def revoke(state: CliState, job_id: str, outbox_path: str | None) -> None:
    """Queue the revocation of JOB_ID's feedback (its receipt was found invalid)."""
    with _outbox(state, outbox_path) as outbox:
        new = FeedbackWriter(outbox, "").revoke_job(job_id)
    click.echo("revocation queued" if new else "revocation was already queued")


@reputation.command()
@click.argument("worker_ref", metavar="WORKER")
@click.option("--client", "clients", multiple=True, help="Coordinator address whose feedback counts (repeatable).")
@click.option("--tier", type=click.Choice([t.name for t in Tier]), default="OPEN", show_default=True,
              help="Stake tier to apply the reputation multiplier of.")
@account_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def show(state: CliState, worker_ref: str, clients: tuple[str, ...], tier: str, account: str | None,
         as_json: bool) -> None:
    """Show a worker's reputation summary and its workerScore contribution (WORKER: ed25519:<hex> or agent id)."""
    with chain_errors():
        connections = state.connections(account)
        agent_id = _agent_id(connections, worker_ref)
        reader = connections.reputation_reader(list(clients) or None)
        summary = reader.summary(agent_id)
    score = worker_score(policy_match=False, heartbeat_age=0, reputation=summary.score, tier=Tier[tier])
    result = {"agent_id": agent_id, "feedback_count": summary.count, "average": summary.score,
              "clients": reader.clients, "tier": tier, "effective_reputation": score.effective_reputation,
              "reputation_points": score.reputation}
    if as_json:
        emit_json(result)
        return
    average = "no feedback" if summary.score is None else f"{summary.score:.2f}/100"
    click.echo(f"agent {agent_id}: {summary.count} feedback(s), average {average}")
    click.echo(f"{tier}: effective reputation {score.effective_reputation:g}, +{score.reputation:g} of 10 in workerScore")


@reputation.command()
@click.argument("worker_ref", metavar="WORKER")
@click.option("--value", type=click.FloatRange(0, 100), required=True, help="Score out of 100 (80 success, 20 failure).")
@click.option("--job-id", required=True, help="The job this feedback is about (one feedback per job).")
@click.option("--receipt-hash", default="0x" + "00" * 32, help="0x receipt hash linking the feedback to its receipt.")
@outbox_option
@account_option
@click.pass_obj
def give(state: CliState, worker_ref: str, value: float, job_id: str, receipt_hash: str, outbox_path: str | None,
         account: str | None) -> None:
    """Give one feedback now (an operator's tool; goes through the same outbox, exactly once per job)."""
    target = parse_worker(worker_ref)
    if not isinstance(target, bytes):
        raise InputError("give needs the worker's ed25519 key (the outbox resolves its agent)")
    if not (receipt_hash.startswith("0x") and len(receipt_hash) == 66):
        raise InputError("--receipt-hash must be 0x followed by 64 hex digits")
    with chain_errors(), _outbox(state, outbox_path) as outbox:
        writer = FeedbackWriter(outbox, state.profile().coordinator_url)
        if not writer.record_feedback(job_id, target, value, bytes.fromhex(receipt_hash[2:])):
            raise InputError(f"job {job_id!r} already has a feedback queued or given")
        connections = state.connections(account)
        connections.reputation_sender(outbox, connections.identity_resolver()).drain(timeout=120)
        item = outbox.get(f"feedback:{job_id}")
    if item.status != "done":
        raise InputError(f"feedback not given: {item.last_error}")
    click.echo(f"feedback {value:g}/100 for job {job_id!r}: agent {item.result['agent_id']},"
               f" index {item.result['feedback_index']}, tx {item.result['tx']}")
