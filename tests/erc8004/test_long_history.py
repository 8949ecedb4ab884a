"""ERC-8004 and anchoring on a chain with a long history, behind an RPC that serves at most 100 blocks of logs.

Monad's public RPC refuses ``eth_getLogs`` over more than 100 blocks and the official registries
have millions of blocks of history: nothing may scan from block 0 or from the deployment. Every
client here talks to anvil through a real JSON-RPC proxy that refuses wider log ranges (the error
Monad returns) and records every range it was asked for.

The chain's head is past block 120,000: anvil starts at genesis number 120,000 (``--number``), and
``anvil_mine`` adds blocks between the steps. (Mining 100k blocks with ``anvil_mine`` alone is
quadratic in anvil: 10 x 500 blocks took 88 s at height 3,500 on this machine.)
"""

from __future__ import annotations

import os

import pytest

from dispatch_chain.erc8004 import feedback
from dispatch_chain.erc8004.feedback import FeedbackWriter, feedback_key
from dispatch_chain.erc8004.identity import IdentityRegistryClient, IdentityResolver
from dispatch_chain.errors import ConfigError
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.outbox import Outbox
from dispatch_chain.evm.pipeline import PipelineConfig, TxPipeline
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil, rpc_call

from support import RpcProxy, deploy_contract, dev_network, make_signed, make_worker

HISTORY = 120_000
MAX_LOG_RANGE = 100


@pytest.fixture(scope="module")
def long_chain(project):
    with Anvil(extra_args=["--number", str(HISTORY)]) as anvil:
        direct = EvmClient(dev_network(anvil.url))
        identity = deploy_contract(direct, project.IdentityRegistry.contract_type)
        reputation = deploy_contract(direct, project.ReputationRegistry.contract_type, identity)
        anchor = deploy_contract(direct, project.ReceiptAnchor.contract_type, 0, dev_account(0).address,
                                 [dev_account(1).address])
        rpc_call(anvil.url, "anvil_mine", [hex(300)], timeout=120)  # history after the deployments too
        with RpcProxy(anvil.url, max_log_range=MAX_LOG_RANGE) as proxy:
            network = dev_network(proxy.url).model_copy(update={"max_log_range": MAX_LOG_RANGE})
            yield {"anvil": anvil, "proxy": proxy, "client": EvmClient(network), "identity": identity,
                   "reputation": reputation, "anchor": anchor}


def test_the_proxy_refuses_what_monad_refuses(long_chain) -> None:
    client, proxy = long_chain["client"], long_chain["proxy"]
    assert client.w3.eth.block_number > HISTORY
    with pytest.raises(Exception, match="block range too large"):
        client.w3.eth.get_logs({"fromBlock": HISTORY, "toBlock": HISTORY + MAX_LOG_RANGE})  # 101 blocks
    assert proxy.refused_ranges == 1
    assert len(client.get_logs({}, HISTORY, HISTORY + 250)) == len(
        client.w3.eth.get_logs({"fromBlock": HISTORY, "toBlock": HISTORY + 99})) + len(
        client.w3.eth.get_logs({"fromBlock": HISTORY + 100, "toBlock": HISTORY + 199})) + len(
        client.w3.eth.get_logs({"fromBlock": HISTORY + 200, "toBlock": HISTORY + 250}))
    assert proxy.refused_ranges == 1  # the client's own chunks stay within the range
    misconfigured = EvmClient(dev_network(proxy.url))  # max_log_range 5,000: more than this RPC serves
    with pytest.raises(ConfigError, match="set the profile's max_log_range"):
        misconfigured.get_logs({}, HISTORY, HISTORY + 250)
    proxy.refused_ranges = 0


def test_claims_resolve_and_feedback_recovers_without_scanning_history(long_chain, tmp_path) -> None:
    client, proxy = long_chain["client"], long_chain["proxy"]
    identity = IdentityRegistryClient(client, long_chain["identity"])
    workers = [make_worker(300 + i) for i in range(3)]
    agents = [identity.register_worker(w, dev_account(2 + i)).agent_id for i, w in enumerate(workers)]
    proxy.log_ranges.clear()

    resolver = IdentityResolver(identity, tmp_path / "identity.sqlite")
    for worker, agent_id in zip(workers, agents, strict=True):
        assert resolver.claim(bytes(worker.verify_key), agent_id) == agent_id  # calls only
        assert resolver.resolve(bytes(worker.verify_key)) == agent_id
    assert proxy.log_ranges == []

    coordinator = dev_account(1)
    jobs = [make_signed(workers[i % 3], f"long-{i}") for i in range(6)]
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        writer = FeedbackWriter(outbox, "https://coordinator.example")
        for signed in jobs:
            writer.record_job(signed, success=True)
        handlers = feedback.handlers(client, long_chain["reputation"], resolver, outbox, coordinator.address)
        pipeline = TxPipeline(client, coordinator, outbox, handlers, PipelineConfig(backoff_base=0.01))
        assert pipeline.drain(timeout=60).done == 6
        items = [outbox.get(feedback_key(f"long-{i}")) for i in range(6)]
        signed_at = min(tx.block for item in items for tx in item.txs)
        assert signed_at > HISTORY  # recorded when signed, at the head of the long chain
        rpc_call(long_chain["anvil"].url, "anvil_mine", [hex(250)])  # the crash lasted a while
        proxy.log_ranges.clear()

        # What a restarted sender does for items it had signed: find them in the logs since signing.
        found = handlers["feedback"].find_on_chain(items)
        assert set(found) == {item.id for item in items}
        assert [found[item.id]["agent_id"] for item in items] == [agents[i % 3] for i in range(6)]
        assert proxy.refused_ranges == 0
        assert proxy.log_ranges and all(start >= signed_at for start, _ in proxy.log_ranges)
        assert all(end - start + 1 <= MAX_LOG_RANGE for start, end in proxy.log_ranges)
        assert len(proxy.log_ranges) <= 4  # ~255 blocks since signing, not 120,000 since deployment

        # Queued items never signed cannot be on chain: a restart reads no logs for them.
        for n in range(3):
            writer.record_job(make_signed(workers[0], f"later-{n}"), success=True)
    proxy.log_ranges.clear()
    with Outbox(tmp_path / "outbox.sqlite") as outbox:
        handlers = feedback.handlers(client, long_chain["reputation"], resolver, outbox, coordinator.address)
        TxPipeline(client, coordinator, outbox, handlers, PipelineConfig()).start()
        assert proxy.log_ranges == []
    resolver.close()


def test_an_anchor_is_found_by_its_timestamp_not_by_scanning(long_chain) -> None:
    client, proxy = long_chain["client"], long_chain["proxy"]
    anchor = EvmReceiptAnchor(client, long_chain["anchor"], sender=TxSender(client, dev_account(1)))
    root = os.urandom(32)
    record = anchor.anchor(root, 3)
    rpc_call(long_chain["anvil"].url, "anvil_mine", [hex(600)], timeout=120)  # anchored a while ago
    proxy.log_ranges.clear()
    found = anchor.lookup(root)
    assert found is not None and (found.tx, found.block) == (record.tx, record.block)
    assert proxy.refused_ranges == 0 and len(proxy.log_ranges) == 1
