"""A stuck anchoring transaction is replaced at the same nonce with higher fees, not re-sent forever.

anvil with auto-mining off: the test mines blocks itself and pushes the base fee far above what the
first transaction offers, so it can never be included; the service must sign a replacement that pays
the new market price, at the same nonce, and the batch lands exactly once.
"""

from __future__ import annotations

import threading
import time

import pytest

from dispatch_chain.anchoring.backend import ConfirmPending
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender, signed_fields
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil, rpc_call
from dispatch_chain.locks import WriterBusy

from support import anchored_batch_count, deploy_contract, dev_network, make_signed, make_worker

SPIKE = 1_000 * 10**9  # 1,000 gwei base fee


@pytest.fixture
def chain_without_automine(project):
    with Anvil() as anvil:
        client = EvmClient(dev_network(anvil.url))
        address = deploy_contract(client, project.ReceiptAnchor.contract_type, 0, dev_account(0).address,
                                  [dev_account(1).address])
        rpc_call(anvil.url, "evm_setAutomine", [False])
        yield anvil, client, address


def test_a_stuck_anchor_is_replaced_with_higher_fees(chain_without_automine, tmp_path) -> None:
    anvil, client, address = chain_without_automine
    backend = EvmReceiptAnchor(client, address, sender=TxSender(client, dev_account(1)))
    messages: list[str] = []
    with ReceiptStore(tmp_path / "store.sqlite") as store:
        service = AnchoringService(store, [backend], BatchPolicy(max_size=4, max_age=0, replace_after=1.0),
                                   progress=messages.append)
        service.submit([make_signed(make_worker(i + 1), f"stuck-{i}") for i in range(4)])
        summary: dict = {}
        worker = threading.Thread(target=lambda: summary.update(result=service.run_once()), daemon=True)
        worker.start()

        first = None
        deadline = time.monotonic() + 30
        while first is None and time.monotonic() < deadline:  # wait until the first transaction is in the pool
            rows = store.open_anchors(backend.chain)
            if rows and rows[0].prepared is not None and backend.sender.is_known(rows[0].prepared.tx):
                first = rows[0].prepared
            time.sleep(0.05)
        assert first is not None, "the service never broadcast"
        # The market moves: the base fee jumps far above what the first transaction offers.
        rpc_call(anvil.url, "anvil_setNextBlockBaseFeePerGas", [hex(SPIKE)])
        rpc_call(anvil.url, "evm_mine")
        stop = threading.Event()

        def mine() -> None:
            while not stop.wait(0.3):
                rpc_call(anvil.url, "evm_mine")

        miner = threading.Thread(target=mine, daemon=True)
        miner.start()
        worker.join(60)
        stop.set()
        miner.join(5)
        assert not worker.is_alive()

        result = summary["result"]
        assert len(result.anchored) == 1 and not result.errors, result.errors
        record = result.anchored[0]
        assert record.tx != first.tx  # the replacement landed, not the underpriced original
        assert client.w3.eth.get_transaction(record.tx)["nonce"] == first.nonce
        assert int(client.w3.eth.get_transaction(record.tx)["maxFeePerGas"]) > signed_fields(first.payload)[
            "maxFeePerGas"]
        assert backend.sender.receipt(first.tx) is None  # the original can never land now
        assert anchored_batch_count(backend) == 1
        assert any("replaced at nonce" in m for m in messages)
        assert store.open_anchors(backend.chain) == []


def test_one_anchoring_service_per_store(chain_without_automine, tmp_path) -> None:
    _, client, address = chain_without_automine
    backend = EvmReceiptAnchor(client, address, sender=TxSender(client, dev_account(1)))
    with ReceiptStore(tmp_path / "store.sqlite") as first, ReceiptStore(tmp_path / "store.sqlite") as second:
        AnchoringService(first, [backend])
        AnchoringService(first, [backend])  # the same store object again: the same writer
        with pytest.raises(WriterBusy, match=r"anchoring service on .*store.sqlite.* \(pid \d+\) already holds"):
            AnchoringService(second, [backend])
        second.add_receipts([make_signed(make_worker(9), "ingest-while-running")])  # ingesting needs no lock
    with ReceiptStore(tmp_path / "store.sqlite") as again:
        AnchoringService(again, [backend])  # released on close


def test_replacements_stop_at_the_fee_cap(chain_without_automine, tmp_path) -> None:
    anvil, client, address = chain_without_automine
    cap = 50 * 10**9  # far below the spiked base fee: no replacement can be included
    backend = EvmReceiptAnchor(client, address, sender=TxSender(client, dev_account(1)), max_fee_per_gas=cap)
    with ReceiptStore(tmp_path / "store.sqlite") as store:
        service = AnchoringService(store, [backend], BatchPolicy(max_size=2, max_age=0, replace_after=0.5,
                                                                 max_replacements=20))
        service.submit([make_signed(make_worker(i + 1), f"capped-{i}") for i in range(2)])
        rpc_call(anvil.url, "anvil_setNextBlockBaseFeePerGas", [hex(SPIKE)])
        rpc_call(anvil.url, "evm_mine")  # prices are already far above the cap when the service signs
        for _ in range(3):
            summary = service.run_once()
            assert not summary.anchored and summary.errors  # kept open, reported, never overpaid
            stored = store.open_anchors(backend.chain)[0].prepared
            assert stored is not None and signed_fields(stored.payload)["maxFeePerGas"] <= cap
            rpc_call(anvil.url, "evm_mine")
        assert anchored_batch_count(backend) == 0
        row = store.open_anchors(backend.chain)[0]
        with pytest.raises(ConfirmPending, match="fee cap"):  # at the cap already: no room for +10 %
            backend.replace(row.prepared, row.batch.root, row.batch.leaf_count, "")
