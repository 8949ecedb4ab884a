"""``dispatch-chain reputation``: ERC-8004 feedback for jobs, and reading it back."""

from __future__ import annotations

import signal
import threading
from contextlib import ExitStack
from pathlib import Path

import click
from web3 import Web3

from dispatch_chain.cli.common import (
    ChainFailure,
    CliState,
    InputError,
    chain_errors,
    emit_json,
    parse_hash32,
    read_json_records,
    until_reachable,
)
from dispatch_chain.cli.worker import parse_worker
from dispatch_chain.connect import default_outbox_path
from dispatch_chain.erc8004.feedback import FeedbackWriter
from dispatch_chain.evm.outbox import Outbox
from dispatch_chain.evm.pipeline import PipelineConfig, TxPipeline
from dispatch_chain.locks import WriterLock
from dispatch_chain.protocol import Tier
from dispatch_chain.receipts import JobComplete, ReceiptError, SignedReceipt
from dispatch_chain.scoring import worker_score
from dispatch_chain.settings import env_var

outbox_option = click.option(
    "--outbox",
    "outbox_path",
    envvar=env_var("outbox"),
    type=click.Path(dir_okay=False),
    help="Outbox SQLite file (default: run/<network>/reputation-outbox.sqlite).",
)
account_option = click.option(
    "--account",
    envvar=[env_var("feedback_account"), env_var("evm_account")],
    help="The feedback sender's EVM account: env:VAR, keystore:PATH, dev:N. Default: DISPATCH_FEEDBACK_ACCOUNT, "
    "else DISPATCH_EVM_ACCOUNT. Give it its own account: the anchoring service (`anchor run`) may not sign "
    "with the same one at the same time.",
)


def _outbox(state: CliState, path: str | None) -> Outbox:
    with chain_errors():
        return Outbox(Path(path) if path else default_outbox_path(state.profile()))


agent_id_option = click.option(
    "--agent-id",
    type=click.IntRange(0, 2**256 - 1),
    help="The worker's claimed ERC-8004 agent id (from its `worker register` output or agent file); verified "
    "with calls (owner, binding metadata, signature) and remembered for the worker.",
)


@click.group()
def reputation() -> None:
    """Post ERC-8004 feedback for jobs (through a durable outbox) and read summaries."""


@reputation.command()
@click.argument("file", type=click.Path(allow_dash=True))
@outbox_option
@click.option(
    "--endpoint",
    envvar=env_var("coordinator_url"),
    default="http://127.0.0.1:3000",
    show_default=True,
    help="The coordinator endpoint recorded with each feedback.",
)
@click.pass_obj
def enqueue(state: CliState, file: str, outbox_path: str | None, endpoint: str) -> None:
    """Queue feedback for finished jobs: FILE has {"job": <job_complete>, "success": bool} per line.

    A record may add "agent_id": the worker's claimed ERC-8004 agent, verified by `reputation send`
    (without it, the claim recorded for the worker by `worker claim` is used).
    Returns at once; `reputation send` posts them. A job queued twice is posted once.
    """
    records = read_json_records(file)
    jobs = []
    for number, record in enumerate(records, 1):
        if (
            not isinstance(record, dict)
            or not {"job", "success"} <= set(record) <= {"job", "success", "agent_id"}
            or not isinstance(record["success"], bool)
        ):
            raise InputError(
                f'{file} record {number}: expected {{"job": <job_complete>, "success": true|false}}'
                ' and optionally "agent_id"'
            )
        agent_id = record.get("agent_id")
        if agent_id is not None and (
            not isinstance(agent_id, int) or isinstance(agent_id, bool) or not 0 <= agent_id < 2**256
        ):
            raise InputError(f"{file} record {number}: agent_id must be an unsigned integer")
        try:
            job = record["job"]
            signed = (
                JobComplete.from_message(job).signed
                if isinstance(job, dict) and "type" in job
                else SignedReceipt.from_parts(job.get("receipt"), job.get("receipt_signature"))
            )
        except (ReceiptError, AttributeError) as exc:
            raise InputError(f"{file} record {number}: {exc}") from None
        jobs.append((signed, record["success"], agent_id))
    with _outbox(state, outbox_path) as outbox:
        writer = FeedbackWriter(outbox, endpoint)
        new = sum(writer.record_job(signed, success=success, agent_id=agent_id) for signed, success, agent_id in jobs)
    click.echo(f"queued {new} new feedback(s), {len(jobs) - new} already queued")


@reputation.command()
@outbox_option
@account_option
@click.option("--window", type=click.IntRange(1, 1024), default=64, show_default=True, help="Transactions in flight.")
@click.option(
    "--replace-after",
    type=click.FloatRange(1),
    default=30.0,
    show_default=True,
    help="Seconds before an unmined transaction is replaced with higher fees.",
)
@click.option("--drain", is_flag=True, help="Exit once nothing is queued or in flight.")
@click.option("--timeout", type=click.FloatRange(1), default=3600.0, show_default=True, help="Limit for --drain.")
@click.pass_obj
def send(
    state: CliState,
    outbox_path: str | None,
    account: str | None,
    window: int,
    replace_after: float,
    drain: bool,
    timeout: float,
) -> None:
    """Post queued feedback with many transactions in flight (the coordinator's sender).

    Safe to kill at any point: on restart it finds the feedback it had signed in
    the NewFeedback logs of the blocks since it signed them (same agent, same
    receipt hash), re-sends what it had signed, and posts each job's feedback
    exactly once. One sender per outbox and per EVM account: a second one exits
    with code 3. Without --drain it rides out RPC outages (backoff up to 30 s,
    logged) and exits only for configuration errors.
    """
    config = PipelineConfig(window=window, replace_after=replace_after)
    stop = threading.Event()
    if not drain:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    with chain_errors(), _outbox(state, outbox_path) as outbox, ExitStack() as held:
        outbox.claim_sender()  # before any network call: a second sender on this outbox is refused at once
        connections = state.connections(account)

        locked: list[WriterLock] = []

        def connect() -> TxPipeline:
            if not locked:  # taken once, even when a later step of connect() is retried
                locked.append(held.enter_context(connections.evm_account_lock("feedback sender")))
            resolver = connections.identity_resolver()
            held.callback(resolver.close)
            return connections.reputation_sender(outbox, resolver, config)

        pipeline = connect() if drain else until_reachable(connect, "cannot start the feedback sender", stop)
        if pipeline is None:
            return
        if drain:
            stats = pipeline.drain(timeout=timeout)
        else:
            click.echo(f"sending from {pipeline.address}; Ctrl-C to stop", err=True)
            stats = pipeline.run(stop)
        counts = outbox.counts()
    click.echo(
        f"sent {stats.sent}, replaced {stats.replaced}, done {stats.done}, failed {stats.failed}; outbox {counts}"
    )
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
@agent_id_option
@click.option("--client", "clients", multiple=True, help="Coordinator address whose feedback counts (repeatable).")
@click.option(
    "--tier",
    type=click.Choice([t.name for t in Tier]),
    default="OPEN",
    show_default=True,
    help="Stake tier to apply the reputation multiplier of.",
)
@account_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def show(
    state: CliState,
    worker_ref: str,
    agent_id: int | None,
    clients: tuple[str, ...],
    tier: str,
    account: str | None,
    as_json: bool,
) -> None:
    """Show a worker's reputation summary and its workerScore contribution.

    WORKER is ed25519:<hex> (its agent: --agent-id, else the claim recorded by `worker claim`) or a
    decimal agent id. A worker whose feedback the registry refuses for good (it made this coordinator
    its owner or operator) is shown as unrateable, with the workerScore penalty it gets.
    """
    for client in clients:
        if not Web3.is_address(client):
            raise InputError(f"--client {client[:64]!r} is not an EVM address")
    target = parse_worker(worker_ref)
    unrateable: str | None = None
    with chain_errors():
        connections = state.connections(account)
        resolver = connections.identity_resolver()
        try:
            if isinstance(target, int):
                agent_id = target
                unrateable = resolver.unrateable_agents().get(agent_id)
            else:
                agent_id = resolver.claim(target, agent_id) if agent_id is not None else resolver.resolve(target)
                unrateable = resolver.unrateable(target)
        finally:
            resolver.close()
        reader = connections.reputation_reader(list(clients) or None)
        summary = reader.summary(agent_id)
    if summary.error is not None:
        raise ChainFailure(f"agent {agent_id}: getSummary failed: {summary.error}")
    score = worker_score(
        policy_match=False,
        heartbeat_age=0,
        reputation=summary.score,
        tier=Tier[tier],
        unrateable=unrateable is not None,
    )
    result = {
        "agent_id": agent_id,
        "feedback_count": summary.count,
        "average": summary.score,
        "clients": reader.clients,
        "tier": tier,
        "unrateable": unrateable,
        "effective_reputation": score.effective_reputation,
        "reputation_points": score.reputation,
    }
    if as_json:
        emit_json(result)
        return
    average = "no feedback" if summary.score is None else f"{summary.score:.2f}/100"
    click.echo(f"agent {agent_id}: {summary.count} feedback(s), average {average}")
    if unrateable is not None:
        click.echo(f"unrateable: the registry refuses this coordinator's feedback ({unrateable})")
    click.echo(
        f"{tier}: effective reputation {score.effective_reputation:g}, {score.reputation:+g} of 10 in workerScore"
    )


@reputation.command()
@click.argument("worker_ref", metavar="WORKER")
@click.option(
    "--value", type=click.FloatRange(0, 100), required=True, help="Score out of 100 (80 success, 20 failure)."
)
@click.option("--job-id", required=True, help="The job this feedback is about (one feedback per job).")
@click.option(
    "--receipt-hash",
    required=True,
    help="0x + 64 hex: the job's receipt hash, which identifies the feedback on chain (not all zeros).",
)
@agent_id_option
@outbox_option
@account_option
@click.pass_obj
def give(
    state: CliState,
    worker_ref: str,
    value: float,
    job_id: str,
    receipt_hash: str,
    agent_id: int | None,
    outbox_path: str | None,
    account: str | None,
) -> None:
    """Give one feedback now (an operator's tool; goes through the same outbox, exactly once per job)."""
    target = parse_worker(worker_ref)
    if not isinstance(target, bytes):
        raise InputError("give needs the worker's ed25519 key (and --agent-id, or a claim from `worker claim`)")
    feedback_hash = parse_hash32(receipt_hash, "--receipt-hash")
    if not any(feedback_hash):
        raise InputError("--receipt-hash must be the job's receipt hash, not zeros (it identifies the feedback)")
    with chain_errors(), _outbox(state, outbox_path) as outbox, ExitStack() as held:
        outbox.claim_sender()
        connections = state.connections(account)
        held.enter_context(connections.evm_account_lock("feedback sender"))
        resolver = connections.identity_resolver()
        held.callback(resolver.close)
        agent_id = resolver.claim(target, agent_id) if agent_id is not None else resolver.resolve(target)
        writer = FeedbackWriter(outbox, state.profile().coordinator_url)
        if not writer.record_feedback(job_id, target, value, feedback_hash, agent_id=agent_id):
            raise InputError(f"job {job_id!r} already has a feedback queued or given")
        connections.reputation_sender(outbox, resolver).drain(timeout=120)
        item = outbox.get(f"feedback:{job_id}")
    if item is None:  # record_feedback queued it above
        raise InputError(f"job {job_id!r}: the queued feedback is missing from the outbox")
    result = item.result  # set when the feedback is done
    if item.status != "done" or result is None:
        raise InputError(f"feedback not given: {item.last_error}")
    click.echo(
        f"feedback {value:g}/100 for job {job_id!r}: agent {result['agent_id']},"
        f" index {result['feedback_index']}, tx {result['tx']}"
    )
