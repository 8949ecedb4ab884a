"""Writing ERC-8004 feedback for every job, exactly once, fire-and-forget.

:meth:`FeedbackWriter.record_job` is what the coordinator calls after each
job: it writes one outbox row (keyed by the job id) and returns. A
:class:`~dispatch_chain.evm.pipeline.TxPipeline` with :func:`handlers` drains
the outbox: ``giveFeedback(agentId, 8000 or 2000, 2, "dispatch-compute",
"COMPUTE", endpoint, "", receipt_hash)``. The feedback hash is the job's
receipt hash, so reputation links to the anchored receipt.

Identity of a feedback: an item is done only when a ``NewFeedback`` from our
account for the same agent *and* the same feedback hash exists (from the mined
receipt, or after a crash from the logs of the blocks since the transaction was
first signed, never from the registry's whole history).

A feedback the registry refuses for good (the ERC-8004 self-feedback rule: the
worker made our account its owner, operator or approved address) marks the
worker *unrateable* in the identity cache; ``worker_score`` penalises that, so a
worker cannot freeze its reputation by refusing feedback. The next feedback that
lands for the worker lifts the mark.

:meth:`FeedbackWriter.revoke_job` revokes the feedback of a receipt later
found invalid (only the giver can, so it goes through the same outbox).
"""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.logs import DISCARD
from web3.types import TxReceipt

from dispatch_chain.erc8004.identity import IdentityResolver, UnknownWorker
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.outbox import Outbox, OutboxItem, SentTx
from dispatch_chain.evm.pipeline import CallSpec, ItemNotReady, ItemSettled
from dispatch_chain.evm.transactions import signed_fields
from dispatch_chain.hashing import keccak256
from dispatch_chain.protocol import (
    FEEDBACK_DECIMALS,
    FEEDBACK_FAILURE,
    FEEDBACK_SUCCESS,
    FEEDBACK_TAG1,
    FEEDBACK_TAG2,
)
from dispatch_chain.receipts import SignedReceipt

CONTRACT = "ReputationRegistry"
FEEDBACK = "feedback"
REVOKE = "revoke"
NEW_FEEDBACK_TOPIC = (
    "0x"
    + keccak256(b"NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)").hex()
)

GIVE_FEEDBACK_SELECTOR = keccak256(b"giveFeedback(uint256,int128,uint8,string,string,string,string,bytes32)")[:4]

# How the registry says "the caller owns or operates this agent" (local custom error, v1 string).
SELF_FEEDBACK_REASONS = ("ReputationRegistrySelfFeedback", "Self-feedback not allowed")


def feedback_key(job_id: str) -> str:
    return f"{FEEDBACK}:{job_id}"


def is_refused_for_good(reason: str) -> bool:
    """Whether a feedback revert means the registry will never take our feedback for this agent."""
    return any(marker.lower() in reason.lower() for marker in SELF_FEEDBACK_REASONS)


class FeedbackWriter:
    """The coordinator-facing side: enqueue and return at once."""

    def __init__(self, outbox: Outbox, endpoint: str) -> None:
        self.outbox = outbox
        self.endpoint = endpoint

    def record_job(self, signed: SignedReceipt, *, success: bool, agent_id: int | None = None) -> bool:
        """Queue the job's feedback (80 on success, 20 on failure); False if already queued.

        ``agent_id`` is the worker's claimed agent (verified by the sender); without it the sender uses
        the claim the identity cache holds for the worker.
        """
        return self.record_feedback(
            signed.receipt.job_id,
            signed.receipt.provider_key,
            FEEDBACK_SUCCESS if success else FEEDBACK_FAILURE,
            signed.receipt.receipt_hash(),
            agent_id=agent_id,
        )

    def record_feedback(
        self, job_id: str, pubkey: bytes, score: float, feedback_hash: bytes, *, agent_id: int | None = None
    ) -> bool:
        """Queue one feedback of ``score`` out of 100 (2 decimals) for ``job_id``; once per job.

        ``feedback_hash`` is the job's receipt hash; it must not be all zeros (a feedback is
        identified on chain by its agent and hash).
        """
        if not 0 <= score <= 100:
            raise ValueError(f"a feedback score is out of 100, got {score}")
        if len(feedback_hash) != 32 or not any(feedback_hash):
            raise ValueError("a feedback hash is the job's 32-byte receipt hash, not zeros")
        if agent_id is not None and not 0 <= agent_id < 2**256:
            raise ValueError(f"an agent id is a uint256, got {agent_id}")
        payload: dict[str, Any] = {}
        if agent_id is not None:
            payload["agent_id"] = agent_id
        return self.outbox.enqueue(
            feedback_key(job_id),
            FEEDBACK,
            {
                **payload,
                "job_id": job_id,
                "pubkey": pubkey.hex(),
                "value": round(score * 10**FEEDBACK_DECIMALS),
                "decimals": FEEDBACK_DECIMALS,
                "tag1": FEEDBACK_TAG1,
                "tag2": FEEDBACK_TAG2,
                "endpoint": self.endpoint,
                "feedback_uri": "",
                "feedback_hash": feedback_hash.hex(),
            },
        )

    def revoke_job(self, job_id: str) -> bool:
        """Queue the revocation of a job's feedback (its receipt was found invalid)."""
        return self.outbox.enqueue(f"{REVOKE}:{job_id}", REVOKE, {"job_id": job_id})


def sent_feedback(raw: bytes) -> tuple[int, bytes] | None:
    """``(agentId, feedbackHash)`` of a signed ``giveFeedback`` transaction, None for another call."""
    data = bytes(signed_fields(raw).get("data", b""))
    if data[:4] != GIVE_FEEDBACK_SELECTOR or len(data) < 4 + 8 * 32:
        return None
    # giveFeedback(uint256 agentId, int128, uint8, string, string, string, string, bytes32 feedbackHash):
    # the agent id is head word 0 and the hash head word 7.
    return int.from_bytes(data[4:36], "big"), data[4 + 7 * 32 : 4 + 8 * 32]


class FeedbackHandler:
    """Outbox items of kind ``feedback`` -> ``giveFeedback``."""

    def __init__(
        self,
        client: EvmClient,
        registry: str,
        resolver: IdentityResolver,
        sender: str,
        *,
        outbox: Outbox | None = None,
        deploy_block: int = 0,
        gas: int | None = None,
    ) -> None:
        self.client = client
        self.address = Web3.to_checksum_address(registry)
        self.contract = client.contract(CONTRACT, self.address)
        self.resolver = resolver
        self.sender = Web3.to_checksum_address(sender)
        self.outbox = outbox
        self.deploy_block = deploy_block  # lower bound for transactions stored without their block
        self.gas = gas
        self.scanned_blocks = 0  # blocks covered by recovery log scans (tests and benchmarks)

    def _agent(self, payload: dict[str, Any]) -> int:
        pubkey = bytes.fromhex(payload["pubkey"])
        try:
            if "agent_id" in payload:
                return self.resolver.claim(pubkey, int(payload["agent_id"]))
            return self.resolver.resolve(pubkey)
        except UnknownWorker as exc:
            raise ItemNotReady(str(exc)) from None

    def build(self, item: OutboxItem) -> CallSpec:
        p = item.payload
        agent_id = self._agent(p)
        call = self.contract.functions.giveFeedback(
            agent_id,
            p["value"],
            p["decimals"],
            p["tag1"],
            p["tag2"],
            p["endpoint"],
            p["feedback_uri"],
            bytes.fromhex(p["feedback_hash"]),
        )
        return CallSpec(CONTRACT, call, self.gas)

    def _matches(self, args: Any, agents: set[int], feedback_hash: str) -> bool:
        return int(args["agentId"]) in agents and bytes(args["feedbackHash"]).hex() == feedback_hash

    def _sent_agents(self, txs: tuple[SentTx, ...]) -> set[int]:
        agents = set()
        for tx in txs:
            sent = sent_feedback(tx.raw)
            if sent is not None:
                agents.add(sent[0])
        return agents

    def on_mined(self, item: OutboxItem, receipt: TxReceipt) -> dict[str, Any]:
        mined = "0x" + bytes(receipt["transactionHash"]).hex()
        agents = self._sent_agents(tuple(tx for tx in item.txs if tx.tx_hash == mined) or item.txs)
        for event in self.contract.events.NewFeedback().process_receipt(receipt, errors=DISCARD):
            args = event["args"]
            if args["clientAddress"] == self.sender and self._matches(args, agents, item.payload["feedback_hash"]):
                self.resolver.clear_unrateable(bytes.fromhex(item.payload["pubkey"]))
                return {"agent_id": int(args["agentId"]), "feedback_index": int(args["feedbackIndex"])}
        return {}

    def on_failed(self, item: OutboxItem, reason: str, message: str) -> None:
        """A refused feedback: when the registry will never take it, the worker becomes unrateable."""
        if not is_refused_for_good(reason) and not is_refused_for_good(message):
            return
        pubkey = bytes.fromhex(item.payload["pubkey"])
        agent_id = self.resolver.cached(pubkey)
        if agent_id is None and "agent_id" in item.payload:
            agent_id = int(item.payload["agent_id"])
        self.resolver.mark_unrateable(pubkey, -1 if agent_id is None else agent_id, message)

    def _txs(self, item: OutboxItem) -> tuple[SentTx, ...]:
        if item.txs or self.outbox is None or item.attempts == 0:  # never tried: nothing was ever signed
            return item.txs
        stored = self.outbox.get(item.key)
        return stored.txs if stored is not None else ()

    def _signed_block(self, tx: SentTx, head: int) -> int:
        if tx.block is not None:
            return tx.block
        # Stored before blocks were recorded: the first block at or after its signing time, less a minute.
        return self.client.first_block_at_or_after(int(tx.sent_at) - 60, self.deploy_block, head)

    def find_on_chain(self, items: list[OutboxItem]) -> dict[int, dict[str, Any]]:
        """Items whose feedback is on chain: a ``NewFeedback`` from us with the same agent and hash.

        Only items that have signed transactions can be on chain; the logs are read from the block the
        first of them was signed at, in requests of at most the network's ``max_log_range`` blocks.
        """
        candidates = []
        for item in items:
            txs = self._txs(item)
            agents = self._sent_agents(txs)
            if agents:
                candidates.append((item, txs, agents))
        if not candidates:
            return {}
        head = self.client.w3.eth.block_number
        start = min(self._signed_block(tx, head) for _, txs, _ in candidates for tx in txs)
        client_topic = "0x" + "00" * 12 + self.sender[2:].lower()  # address as an indexed topic
        agent_topics = sorted({"0x" + a.to_bytes(32, "big").hex() for _, _, agents in candidates for a in agents})
        logs = self.client.get_logs(
            {"address": self.address, "topics": [NEW_FEEDBACK_TOPIC, agent_topics, client_topic]}, start, head
        )
        self.scanned_blocks += max(0, head - start + 1)
        found: dict[int, dict[str, Any]] = {}
        used: set[tuple[str, int]] = set()
        event = self.contract.events.NewFeedback()
        for item, _, agents in candidates:
            for log in logs:
                position = ("0x" + bytes(log["transactionHash"]).hex(), int(log["logIndex"]))
                if position in used:
                    continue
                args = event.process_log(log)["args"]
                if self._matches(args, agents, item.payload["feedback_hash"]):
                    used.add(position)
                    found[item.id] = {
                        "agent_id": int(args["agentId"]),
                        "feedback_index": int(args["feedbackIndex"]),
                        "tx": position[0],
                        "block": int(log["blockNumber"]),
                    }
                    break
        return found


class RevokeHandler:
    """Outbox items of kind ``revoke`` -> ``revokeFeedback`` of the job's feedback."""

    def __init__(self, client: EvmClient, registry: str, outbox: Outbox, sender: str) -> None:
        self.contract = client.contract(CONTRACT, Web3.to_checksum_address(registry))
        self.outbox = outbox
        self.sender = Web3.to_checksum_address(sender)

    def _feedback(self, item: OutboxItem) -> tuple[int, int]:
        feedback = self.outbox.get(feedback_key(item.payload["job_id"]))
        if feedback is None:
            raise ItemSettled({"skipped": "no feedback was queued for this job"})
        if feedback.status == "failed":
            raise ItemSettled({"skipped": f"the feedback was never given: {feedback.last_error}"})
        if feedback.status != "done" or not feedback.result or "feedback_index" not in feedback.result:
            raise ItemNotReady("waiting for the job's feedback to land before revoking it")
        return feedback.result["agent_id"], feedback.result["feedback_index"]

    def build(self, item: OutboxItem) -> CallSpec:
        agent_id, index = self._feedback(item)
        if self.contract.functions.readFeedback(agent_id, self.sender, index).call()[4]:
            raise ItemSettled({"agent_id": agent_id, "feedback_index": index, "already_revoked": True})
        return CallSpec(CONTRACT, self.contract.functions.revokeFeedback(agent_id, index))

    def on_mined(self, item: OutboxItem, receipt: TxReceipt) -> dict[str, Any]:
        agent_id, index = self._feedback(item)
        return {"agent_id": agent_id, "feedback_index": index}

    def find_on_chain(self, items: list[OutboxItem]) -> dict[int, dict[str, Any]]:
        found = {}
        for item in items:
            try:
                agent_id, index = self._feedback(item)
            except (ItemNotReady, ItemSettled):
                continue
            if self.contract.functions.readFeedback(agent_id, self.sender, index).call()[4]:
                found[item.id] = {"agent_id": agent_id, "feedback_index": index}
        return found


def handlers(
    client: EvmClient,
    registry: str,
    resolver: IdentityResolver,
    outbox: Outbox,
    sender: str,
    *,
    deploy_block: int = 0,
    feedback_gas: int | None = None,
) -> dict[str, Any]:
    """The outbox handlers of a feedback sender."""
    return {
        FEEDBACK: FeedbackHandler(
            client, registry, resolver, sender, outbox=outbox, deploy_block=deploy_block, gas=feedback_gas
        ),
        REVOKE: RevokeHandler(client, registry, outbox, sender),
    }
