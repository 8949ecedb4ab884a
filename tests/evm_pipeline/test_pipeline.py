"""The pipelined sender on real anvil nodes, with ReceiptAnchor roots as the item kind."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from web3.logs import DISCARD

from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.outbox import Outbox, OutboxItem
from dispatch_chain.evm.pipeline import CallSpec, PipelineConfig, TxPipeline
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil

from support import DroppingProxy, dev_network


class RootHandler:
    """Items are roots to anchor; done means ReceiptAnchor holds the root."""

    def __init__(self, contract) -> None:
        self.contract = contract

    def build(self, item: OutboxItem) -> CallSpec:
        return CallSpec("ReceiptAnchor", self.contract.functions.anchor(bytes.fromhex(item.payload["root"]), 1, ""))

    def on_mined(self, item: OutboxItem, receipt) -> dict[str, Any]:
        events = self.contract.events.BatchAnchored().process_receipt(receipt, errors=DISCARD)
        return {"batch_id": events[0]["args"]["batchId"]}

    def find_on_chain(self, items: list[OutboxItem]) -> dict[int, dict[str, Any]]:
        found = {}
        for item in items:
            batch_id = self.contract.functions.batchOf(bytes.fromhex(item.payload["root"])).call()[0]
            if batch_id:
                found[item.id] = {"batch_id": batch_id}
        return found


def anchored_count(contract) -> int:
    """Batches the ReceiptAnchor holds (it keeps no counter): its BatchAnchored logs."""
    return len(contract.events.BatchAnchored().get_logs(from_block=0))


@pytest.fixture
def node(request):
    """A fresh anvil per test, with ReceiptAnchor deployed; block time from the test's marker."""
    marker = request.node.get_closest_marker("block_time")
    with Anvil(block_time=marker.args[0] if marker else None) as anvil:
        yield anvil


@pytest.fixture
def anchor_address(node, project, tmp_path) -> str:
    client = EvmClient(dev_network(node.url))
    contract_type = project.ReceiptAnchor.contract_type
    deployer = dev_account(0)
    factory = client.w3.eth.contract(abi=[a.model_dump(mode="json", by_alias=True) for a in contract_type.abi],
                                     bytecode=contract_type.deployment_bytecode.bytecode)
    tx = factory.constructor(0, deployer.address, [dev_account(1).address]).build_transaction(
        {"from": deployer.address, "nonce": client.w3.eth.get_transaction_count(deployer.address)})
    tx_hash = client.w3.eth.send_raw_transaction(deployer.sign_transaction(tx).raw_transaction)
    return client.w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"]


def make_pipeline(url: str, address: str, outbox: Outbox, **config: Any) -> tuple[TxPipeline, Any]:
    client = EvmClient(dev_network(url, 31337))
    contract = client.contract("ReceiptAnchor", address)
    pipeline = TxPipeline(client, dev_account(1), outbox, {"root": RootHandler(contract)}, PipelineConfig(**config))
    return pipeline, contract


def enqueue_roots(outbox: Outbox, n: int) -> list[str]:
    roots = [os.urandom(32).hex() for _ in range(n)]
    assert outbox.enqueue_many([(f"root:{r}", "root", {"root": r}) for r in roots]) == n
    return roots


def test_drains_many_in_flight_exactly_once(node, anchor_address, tmp_path) -> None:
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        roots = enqueue_roots(outbox, 120)
        assert not outbox.enqueue(f"root:{roots[0]}", "root", {"root": roots[0]})  # idempotent key
        pipeline, contract = make_pipeline(node.url, anchor_address, outbox, window=32)
        stats = pipeline.drain(timeout=120)
        assert stats.sent == 120 and stats.done == 120 and not stats.failed
        assert anchored_count(contract) == 120
        assert outbox.counts() == {"done": 120}
        assert sorted(i.result["batch_id"] for i in outbox.items()) == sorted(
            contract.functions.batchIdOf(bytes.fromhex(r)).call() for r in roots)


def test_a_call_that_would_revert_fails_without_a_transaction(node, anchor_address, tmp_path) -> None:
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        root = os.urandom(32).hex()
        outbox.enqueue("first", "root", {"root": root})
        pipeline, _contract = make_pipeline(node.url, anchor_address, outbox)
        pipeline.drain(timeout=30)
        # Gas is estimated for a whole pass before it is sent, so the duplicate comes in a later pass.
        outbox.enqueue("duplicate", "root", {"root": root})
        pipeline.drain(timeout=30)
        failed = outbox.get("duplicate")
        assert failed.status == "failed" and failed.result["reason"] == "ReceiptAnchorRootAlreadyAnchored"
        assert failed.txs == ()  # caught at estimation: no gas spent
        assert outbox.get("first").status == "done"


@pytest.mark.block_time(3)
def test_stuck_transactions_are_replaced_with_higher_fees(node, anchor_address, tmp_path) -> None:
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        enqueue_roots(outbox, 10)
        pipeline, contract = make_pipeline(node.url, anchor_address, outbox, replace_after=0.5, window=10)
        stats = pipeline.drain(timeout=60)
        assert stats.replaced >= 10  # every item waited > 0.5 s for its block
        assert stats.done == 10 and anchored_count(contract) == 10
        item = outbox.items()[0]
        txs = outbox.get(item.key).txs
        assert len(txs) >= 2 and len({t.nonce for t in txs}) == 1
        assert txs[-1].max_fee > txs[0].max_fee


def test_nonce_taken_by_a_foreign_transaction_is_requeued(node, anchor_address, tmp_path) -> None:
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        roots = enqueue_roots(outbox, 3)
        pipeline, contract = make_pipeline(node.url, anchor_address, outbox, foreign_grace=0.2)
        client = pipeline.client
        # A crash right after the first item was signed and stored, before broadcast:
        item = outbox.ready(1)[0]
        call = pipeline.handlers["root"].build(item)
        nonce = client.w3.eth.get_transaction_count(pipeline.address)
        prepared = pipeline.sender.prepare(call.function, contract="ReceiptAnchor", nonce=nonce)
        from dispatch_chain.evm.outbox import SentTx
        outbox.record_sent(item.id, SentTx(prepared.tx_hash, nonce, prepared.raw, 200_000, 1, 1, 0.0))
        # ... and the same account spends that nonce elsewhere meanwhile.
        other = TxSender(client, dev_account(1))
        foreign = other.prepare(contract.functions.anchor(os.urandom(32), 1, ""), contract="ReceiptAnchor", nonce=nonce)
        other.broadcast(foreign)
        other.wait(foreign.tx_hash)
        stats = pipeline.drain(timeout=30)
        assert stats.requeued == 1 and stats.done == 3
        assert anchored_count(contract) == 4  # 3 items + the foreign one
        assert all(contract.functions.batchOf(bytes.fromhex(r)).call()[0] for r in roots)


@pytest.mark.block_time(0.3)
def test_an_rpc_that_drops_requests_loses_nothing(node, anchor_address, tmp_path) -> None:
    with Outbox(tmp_path / "outbox.sqlite") as outbox, DroppingProxy(node.url, drop_rate=0.2) as proxy:
        enqueue_roots(outbox, 60)
        # small JSON-RPC batches, so that broadcasts go out in many requests the proxy may drop
        pipeline, _ = make_pipeline(proxy.url, anchor_address, outbox, window=16, rpc_batch=4, backoff_base=0.05,
                                    backoff_max=0.5)
        pipeline.drain(timeout=120)
        assert proxy.dropped > 10 and proxy.dropped_methods.get("eth_sendRawTransaction", 0) > 0
        direct = EvmClient(dev_network(node.url)).contract("ReceiptAnchor", anchor_address)
        assert anchored_count(direct) == 60
        assert outbox.counts() == {"done": 60}


def test_an_unreachable_rpc_reports_and_keeps_the_work(node, anchor_address, tmp_path) -> None:
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        enqueue_roots(outbox, 5)
        pipeline, _ = make_pipeline(node.url, anchor_address, outbox, backoff_base=0.01)
        pipeline.start()
        with DroppingProxy(node.url, drop_rate=2.0) as dead:  # every request fails before the node
            pipeline.client.w3.provider.endpoint_uri = dead.url
            stats = pipeline.pump()
        assert stats.errors and "RPC trouble (HTTPError" in stats.errors[0]
        assert outbox.counts() == {"queued": 5}
        pipeline.client.w3.provider.endpoint_uri = node.url
        time.sleep(0.05)  # past the backoff
        assert pipeline.drain(timeout=30).done == 5


def test_only_one_sender_per_outbox(node, anchor_address, tmp_path) -> None:
    from dispatch_chain.locks import WriterBusy

    with Outbox(tmp_path / "outbox.sqlite") as first, Outbox(tmp_path / "outbox.sqlite") as second:
        make_pipeline(node.url, anchor_address, first)[0].start()
        with pytest.raises(WriterBusy, match=r"feedback sender on .*: feedback sender on .* \(pid \d+\) already holds"):
            make_pipeline(node.url, anchor_address, second)[0].start()
