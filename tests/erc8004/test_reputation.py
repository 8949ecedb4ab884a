"""Feedback writer, revocation and the batched reader against local v1-compatible registries."""

from __future__ import annotations

import time

import pytest
from web3.exceptions import ContractLogicError

from dispatch_chain.erc8004 import feedback
from dispatch_chain.erc8004.feedback import FeedbackWriter, feedback_key
from dispatch_chain.erc8004.reader import ReputationReader
from dispatch_chain.errors import ChainError
from dispatch_chain.evm.outbox import Outbox, SentTx
from dispatch_chain.evm.pipeline import PipelineConfig, TxPipeline
from dispatch_chain.evm.transactions import TxSender, signed_fields
from dispatch_chain.keys import dev_account
from dispatch_chain.protocol import FEEDBACK_TAG1, FEEDBACK_TAG2, Tier
from dispatch_chain.scoring import UNRATEABLE_PENALTY, worker_score

from support import make_signed, make_worker

ENDPOINT = "https://coordinator.example"


@pytest.fixture
def outbox(tmp_path) -> Outbox:
    with Outbox(tmp_path / "outbox.sqlite") as box:
        yield box


@pytest.fixture
def sender(evm_client, registries, resolver, outbox, coordinator) -> TxPipeline:
    handlers = feedback.handlers(evm_client, registries[1], resolver, outbox, coordinator.address)
    return TxPipeline(evm_client, coordinator, outbox, handlers, PipelineConfig(window=16, backoff_base=0.01,
                                                                                  backoff_max=0.05))


@pytest.fixture
def reader(evm_client, registries, coordinator) -> ReputationReader:
    return ReputationReader(evm_client, registries[1], [coordinator.address], ttl=60)


def test_feedback_per_job_links_to_the_receipt(identity, outbox, sender, reader, evm_client, registries) -> None:
    worker = make_worker(21)
    agent_id = identity.register_worker(worker, dev_account(2)).agent_id
    writer = FeedbackWriter(outbox, ENDPOINT)
    jobs = [make_signed(worker, f"rep-{i}") for i in range(4)]
    for i, signed in enumerate(jobs):
        assert writer.record_job(signed, success=i != 3, agent_id=agent_id)  # three successes, one failure
    assert not writer.record_job(jobs[0], success=True)  # the same job again: no second feedback
    stats = sender.drain(timeout=60)
    assert stats.done == 4
    contract = evm_client.contract("ReputationRegistry", registries[1])
    logs = contract.events.NewFeedback().get_logs(from_block=0)
    ours = [log["args"] for log in logs if log["args"]["agentId"] == agent_id]
    assert [a["value"] for a in ours] == [8000, 8000, 8000, 2000]
    assert {(a["valueDecimals"], a["tag1"], a["tag2"], a["endpoint"]) for a in ours} == {
        (2, FEEDBACK_TAG1, FEEDBACK_TAG2, ENDPOINT)}
    assert [bytes(a["feedbackHash"]) for a in ours] == [s.receipt.receipt_hash() for s in jobs]
    summary = reader.summary(agent_id)
    assert summary.count == 4 and summary.score == pytest.approx(65.0)  # (80 * 3 + 20) / 4


def test_unknown_worker_stays_queued_until_registered(identity, outbox, sender, resolver) -> None:
    worker = make_worker(22)
    FeedbackWriter(outbox, ENDPOINT).record_job(make_signed(worker, "early-job"), success=True)
    stats = sender.pump()
    item = outbox.get(feedback_key("early-job"))
    assert item.status == "queued" and "claimed no ERC-8004 agent" in item.last_error
    assert any("claimed no ERC-8004 agent" in e for e in stats.errors)
    agent_id = identity.register_worker(worker, dev_account(3)).agent_id
    resolver.claim(bytes(worker.verify_key), agent_id)  # the worker tells the coordinator its agent id
    sender.drain(timeout=30)
    assert outbox.get(feedback_key("early-job")).status == "done"


def test_invalid_receipt_gets_its_feedback_revoked(identity, outbox, sender, reader, resolver) -> None:
    worker = make_worker(23)
    agent_id = identity.register_worker(worker, dev_account(4)).agent_id
    resolver.claim(bytes(worker.verify_key), agent_id)
    writer = FeedbackWriter(outbox, ENDPOINT)
    writer.record_job(make_signed(worker, "good"), success=True)
    writer.record_job(make_signed(worker, "later-invalid"), success=True)
    writer.revoke_job("later-invalid")  # queued before its feedback even landed: waits for it
    writer.revoke_job("never-given")
    sender.drain(timeout=60)
    revoked = outbox.get("revoke:later-invalid")
    assert revoked.status == "done" and revoked.result["feedback_index"] == 2
    assert outbox.get("revoke:never-given").result["skipped"] == "no feedback was queued for this job"
    assert reader.summary(agent_id).count == 1  # revoked feedback leaves the summary


def test_self_feedback_fails_with_the_registry_error(identity, outbox, sender, coordinator) -> None:
    worker = make_worker(24)
    agent_id = identity.register_worker(worker, coordinator).agent_id  # the coordinator owns this agent
    FeedbackWriter(outbox, ENDPOINT).record_job(make_signed(worker, "own-job"), success=True, agent_id=agent_id)
    sender.drain(timeout=30)
    item = outbox.get(feedback_key("own-job"))
    assert item.status == "failed" and item.result["reason"] == "ReputationRegistrySelfFeedback"
    assert item.txs == ()


def test_reader_batches_and_caches(identity, outbox, sender, evm_client, registries, coordinator) -> None:
    agents = []
    writer = FeedbackWriter(outbox, ENDPOINT)
    for n in range(5):
        worker = make_worker(30 + n)
        agents.append(identity.register_worker(worker, dev_account(5)).agent_id)
        writer.record_job(make_signed(worker, f"batch-{n}"), success=n % 2 == 0, agent_id=agents[-1])
    sender.drain(timeout=60)
    now = [0.0]
    reader = ReputationReader(evm_client, registries[1], [coordinator.address], ttl=10, clock=lambda: now[0])
    summaries = reader.summaries([*agents, 10_000])  # an agent with no feedback
    assert reader.rpc_requests == 1
    assert [summaries[a].score for a in agents] == [80, 20, 80, 20, 80]
    assert summaries[10_000].score is None
    reader.summaries(agents)
    assert reader.rpc_requests == 1  # cached
    now[0] = 11
    reader.summaries(agents)
    assert reader.rpc_requests == 2  # expired
    with pytest.raises(Exception, match="at least one coordinator"):
        ReputationReader(evm_client, registries[1], [])


def test_reader_equals_the_registry_for_several_clients(identity, outbox, sender, evm_client, registries,
                                                        coordinator) -> None:
    """The reader encodes getSummary itself; it must read what the contract's ABI call reads."""
    worker = make_worker(40)
    agent = identity.register_worker(worker, dev_account(5)).agent_id
    FeedbackWriter(outbox, ENDPOINT).record_job(make_signed(worker, "equal-1"), success=True, agent_id=agent)
    sender.drain(timeout=60)
    clients = [dev_account(7).address, coordinator.address, dev_account(8).address]
    reader = ReputationReader(evm_client, registries[1], clients)
    contract = evm_client.contract("ReputationRegistry", registries[1])
    for agent_id in (agent, 10_001):
        expected = contract.functions.getSummary(agent_id, clients, "dispatch-compute", "COMPUTE").call()
        got = reader.summary(agent_id)
        assert (got.count, got.value, got.decimals) == tuple(expected)
    assert reader.summary(agent).count == 1


def test_reader_names_a_registry_that_is_not_there(evm_client, coordinator) -> None:
    reader = ReputationReader(evm_client, dev_account(9).address, [coordinator.address])
    with pytest.raises(ChainError, match="is there a ReputationRegistry"):
        reader.summaries([1, 2])


def test_a_mined_revert_is_recorded_with_its_reason(identity, outbox, evm_client, registries, resolver,
                                                    coordinator) -> None:
    worker = make_worker(25)
    agent_id = identity.register_worker(worker, coordinator).agent_id  # self-feedback: reverts on chain
    handlers = feedback.handlers(evm_client, registries[1], resolver, outbox, coordinator.address,
                                   feedback_gas=400_000)  # a known gas limit skips estimation
    pipeline = TxPipeline(evm_client, coordinator, outbox, handlers, PipelineConfig())
    FeedbackWriter(outbox, ENDPOINT).record_job(make_signed(worker, "mined-revert"), success=True, agent_id=agent_id)
    assert pipeline.drain(timeout=30).failed == 1
    item = outbox.get(feedback_key("mined-revert"))
    assert item.status == "failed" and len(item.txs) == 1  # it was sent, mined and reverted
    assert item.result["reason"] == "ReputationRegistrySelfFeedback"
    assert evm_client.w3.eth.get_transaction_receipt(item.result["tx"])["status"] == 0


def test_the_same_hash_for_another_agent_is_not_our_feedback(identity, outbox, evm_client, registries, resolver,
                                                             coordinator) -> None:
    """Done means a NewFeedback for the same agent AND hash: a look-alike for another agent does not count.

    The item was signed (nonce N) but never broadcast; nonce N was then used by a feedback with the
    same hash for another agent. The sender must re-send it to the right agent, not mark it done.
    """
    ours, other = make_worker(50), make_worker(51)
    agent = identity.register_worker(ours, dev_account(2)).agent_id
    other_agent = identity.register_worker(other, dev_account(3)).agent_id
    signed = make_signed(ours, "lookalike")
    receipt_hash = signed.receipt.receipt_hash()
    FeedbackWriter(outbox, ENDPOINT).record_job(signed, success=True, agent_id=agent)
    item = outbox.get(feedback_key("lookalike"))
    contract = evm_client.contract("ReputationRegistry", registries[1])
    tx_sender = TxSender(evm_client, coordinator)
    nonce = evm_client.w3.eth.get_transaction_count(coordinator.address, "pending")
    head = evm_client.w3.eth.block_number
    never_sent = tx_sender.prepare(contract.functions.giveFeedback(agent, 8000, 2, FEEDBACK_TAG1, FEEDBACK_TAG2,
                                                                   ENDPOINT, "", receipt_hash),
                                   contract="ReputationRegistry", nonce=nonce, gas=400_000)
    fees = signed_fields(never_sent.raw)
    outbox.record_sent(item.id, SentTx(never_sent.tx_hash, nonce, never_sent.raw, 400_000, fees["maxFeePerGas"],
                                       fees["maxPriorityFeePerGas"], time.time(), head))
    lookalike = tx_sender.prepare(contract.functions.giveFeedback(other_agent, 2000, 2, FEEDBACK_TAG1, FEEDBACK_TAG2,
                                                                  ENDPOINT, "", receipt_hash),
                                  contract="ReputationRegistry", nonce=nonce)
    tx_sender.broadcast(lookalike)
    assert tx_sender.wait(lookalike.tx_hash)["status"] == 1

    handlers = feedback.handlers(evm_client, registries[1], resolver, outbox, coordinator.address)
    pipeline = TxPipeline(evm_client, coordinator, outbox, handlers, PipelineConfig(foreign_grace=0))
    stats = pipeline.drain(timeout=60)
    assert stats.requeued == 1 and stats.done == 1
    done = outbox.get(feedback_key("lookalike"))
    assert done.status == "done" and done.result["agent_id"] == agent and "reconciled" not in done.result
    landed = [e["args"] for e in contract.events.NewFeedback().get_logs(from_block=head)
              if bytes(e["args"]["feedbackHash"]) == receipt_hash]
    assert sorted((a["agentId"], a["value"]) for a in landed) == sorted([(agent, 8000), (other_agent, 2000)])


def test_a_worker_that_makes_us_its_operator_becomes_unrateable(identity, outbox, sender, evm_client, resolver,
                                                                coordinator, reader) -> None:
    """ERC-8004 refuses feedback from the agent's operator: the worker must not freeze its score that way."""
    worker, owner = make_worker(52), dev_account(6)
    agent_id = identity.register_worker(worker, owner).agent_id
    writer = FeedbackWriter(outbox, ENDPOINT)
    writer.record_job(make_signed(worker, "before"), success=True, agent_id=agent_id)
    sender.drain(timeout=30)
    assert resolver.unrateable(bytes(worker.verify_key)) is None

    owner_tx = TxSender(evm_client, owner)
    approve = owner_tx.prepare(identity.contract.functions.setApprovalForAll(coordinator.address, True),
                               contract="IdentityRegistry")
    owner_tx.broadcast(approve)
    owner_tx.wait(approve.tx_hash)
    writer.record_job(make_signed(worker, "blocked"), success=False, agent_id=agent_id)
    sender.drain(timeout=30)
    blocked = outbox.get(feedback_key("blocked"))
    assert blocked.status == "failed" and blocked.result["reason"] == "ReputationRegistrySelfFeedback"
    reason = resolver.unrateable(bytes(worker.verify_key))
    assert reason is not None and "ReputationRegistrySelfFeedback" in reason
    assert resolver.unrateable_agents() == {agent_id: reason}
    frozen = reader.summary(agent_id)
    assert frozen.score == 80  # the failure never landed: the average alone would stay at 80
    penalised = worker_score(policy_match=True, heartbeat_age=0, reputation=frozen.score, tier=Tier.SENTINEL,
                             unrateable=True)
    assert penalised.reputation == UNRATEABLE_PENALTY

    revoke = owner_tx.prepare(identity.contract.functions.setApprovalForAll(coordinator.address, False),
                              contract="IdentityRegistry")
    owner_tx.broadcast(revoke)
    owner_tx.wait(revoke.tx_hash)
    writer.record_job(make_signed(worker, "after"), success=False, agent_id=agent_id)
    sender.drain(timeout=30)
    assert outbox.get(feedback_key("after")).status == "done"
    assert resolver.unrateable(bytes(worker.verify_key)) is None  # rateable again once feedback lands


def test_one_failing_summary_does_not_fail_the_batch(identity, outbox, sender, evm_client, registries, resolver,
                                                     coordinator) -> None:
    """getSummary reverts for an agent whose values cannot be averaged; the other agents are still read."""
    good_worker, bad_worker = make_worker(53), make_worker(54)
    good = identity.register_worker(good_worker, dev_account(7)).agent_id
    bad = identity.register_worker(bad_worker, dev_account(8)).agent_id
    FeedbackWriter(outbox, ENDPOINT).record_job(make_signed(good_worker, "fine"), success=True, agent_id=good)
    sender.drain(timeout=30)
    contract = evm_client.contract("ReputationRegistry", registries[1])
    tx_sender = TxSender(evm_client, coordinator)
    # 1e38 with 0 decimals averaged with two 18-decimal values: the result overflows int128 and reverts.
    for value, decimals in ((10**38, 0), (0, 18), (0, 18)):
        prepared = tx_sender.prepare(contract.functions.giveFeedback(bad, value, decimals, FEEDBACK_TAG1,
                                                                     FEEDBACK_TAG2, "", "", b"\x01" * 32),
                                     contract="ReputationRegistry")
        tx_sender.broadcast(prepared)
        assert tx_sender.wait(prepared.tx_hash)["status"] == 1
    with pytest.raises(ContractLogicError):  # the int128 overflow panic
        contract.functions.getSummary(bad, [coordinator.address], FEEDBACK_TAG1, FEEDBACK_TAG2).call()

    reader = ReputationReader(evm_client, registries[1], [coordinator.address], ttl=60)
    summaries = reader.summaries([good, bad, 10_002])
    assert reader.rpc_requests == 1
    assert summaries[good].ok and summaries[good].score == 80
    assert summaries[10_002].ok and summaries[10_002].score is None
    assert not summaries[bad].ok and summaries[bad].score is None
    assert f"getSummary({bad}) failed" in summaries[bad].error
    reader.summaries([good, bad])
    assert reader.rpc_requests == 2  # the failed one is not cached: asked again (the good one is)
