"""Writing ERC-8004 feedback for every job, exactly once, fire-and-forget.

:meth:`FeedbackWriter.record_job` is what the coordinator calls after each
job: it writes one outbox row (keyed by the job id) and returns. A
:class:`~dispatch_chain.evm.pipeline.TxPipeline` with :func:`handlers` drains
the outbox: ``giveFeedback(agentId, 8000 or 2000, 2, "dispatch-compute",
"COMPUTE", endpoint, "", receipt_hash)``. The feedback hash is the job's
receipt hash, so reputation links to the anchored receipt, and it is also how
a restarted sender recognises its own feedback in ``NewFeedback`` events.

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
from dispatch_chain.evm.outbox import Outbox, OutboxItem
from dispatch_chain.evm.pipeline import CallSpec, ItemNotReady, ItemSettled
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
NEW_FEEDBACK_TOPIC = "0x" + keccak256(
    b"NewFeedback(uint256,address,uint64,int128,uint8,string,string,string,string,string,bytes32)"
).hex()


def feedback_key(job_id: str) -> str:
    return f"{FEEDBACK}:{job_id}"


class FeedbackWriter:
    """The coordinator-facing side: enqueue and return at once."""

    def __init__(self, outbox: Outbox, endpoint: str) -> None:
        self.outbox = outbox
        self.endpoint = endpoint

    def record_job(self, signed: SignedReceipt, *, success: bool) -> bool:
        """Queue the job's feedback (80 on success, 20 on failure); False if already queued."""
        return self.record_feedback(
            signed.receipt.job_id,
            signed.receipt.provider_key,
            FEEDBACK_SUCCESS if success else FEEDBACK_FAILURE,
            signed.receipt.receipt_hash(),
        )

    def record_feedback(self, job_id: str, pubkey: bytes, score: float, feedback_hash: bytes) -> bool:
        """Queue one feedback of ``score`` out of 100 (2 decimals) for ``job_id``; once per job."""
        if not 0 <= score <= 100:
            raise ValueError(f"a feedback score is out of 100, got {score}")
        return self.outbox.enqueue(
            feedback_key(job_id),
            FEEDBACK,
            {
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


class FeedbackHandler:
    """Outbox items of kind ``feedback`` -> ``giveFeedback``."""

    def __init__(self, client: EvmClient, registry: str, resolver: IdentityResolver, sender: str,
                 *, deploy_block: int = 0, gas: int | None = None) -> None:
        self.client = client
        self.address = Web3.to_checksum_address(registry)
        self.contract = client.contract(CONTRACT, self.address)
        self.resolver = resolver
        self.sender = Web3.to_checksum_address(sender)
        self.deploy_block = deploy_block
        self.gas = gas

    def build(self, item: OutboxItem) -> CallSpec:
        p = item.payload
        try:
            agent_id = self.resolver.resolve(bytes.fromhex(p["pubkey"]))
        except UnknownWorker as exc:
            raise ItemNotReady(str(exc)) from None
        call = self.contract.functions.giveFeedback(agent_id, p["value"], p["decimals"], p["tag1"], p["tag2"],
                                                    p["endpoint"], p["feedback_uri"], bytes.fromhex(p["feedback_hash"]))
        return CallSpec(CONTRACT, call, self.gas)

    def on_mined(self, item: OutboxItem, receipt: TxReceipt) -> dict[str, Any]:
        for event in self.contract.events.NewFeedback().process_receipt(receipt, errors=DISCARD):
            args = event["args"]
            if bytes(args["feedbackHash"]).hex() == item.payload["feedback_hash"]:
                return {"agent_id": int(args["agentId"]), "feedback_index": int(args["feedbackIndex"])}
        return {}

    def find_on_chain(self, items: list[OutboxItem]) -> dict[int, dict[str, Any]]:
        """Match items to this sender's ``NewFeedback`` events by feedback hash."""
        if not items:
            return {}
        wanted = {item.payload["feedback_hash"]: item.id for item in items}
        client_topic = "0x" + "00" * 12 + self.sender[2:].lower()  # address as an indexed topic
        logs = self.client.get_logs({"address": self.address, "topics": [NEW_FEEDBACK_TOPIC, None, client_topic]},
                                    self.deploy_block)
        found: dict[int, dict[str, Any]] = {}
        event = self.contract.events.NewFeedback()
        for log in logs:
            args = event.process_log(log)["args"]
            item_id = wanted.get(bytes(args["feedbackHash"]).hex())
            if item_id is not None and item_id not in found:
                found[item_id] = {"agent_id": int(args["agentId"]), "feedback_index": int(args["feedbackIndex"]),
                                  "tx": "0x" + bytes(log["transactionHash"]).hex(), "block": int(log["blockNumber"])}
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


def handlers(client: EvmClient, registry: str, resolver: IdentityResolver, outbox: Outbox, sender: str,
             *, deploy_block: int = 0, feedback_gas: int | None = None) -> dict[str, Any]:
    """The outbox handlers of a reputation sender."""
    return {
        FEEDBACK: FeedbackHandler(client, registry, resolver, sender, deploy_block=deploy_block, gas=feedback_gas),
        REVOKE: RevokeHandler(client, registry, outbox, sender),
    }
