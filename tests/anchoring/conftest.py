"""Fixtures for the anchoring tests: a ReceiptAnchor on ape's anvil and clients for it."""

from __future__ import annotations

import pytest

from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account

from support import dev_network


@pytest.fixture(scope="module")
def evm_client(chain) -> EvmClient:
    return EvmClient(dev_network(chain.provider.uri, chain.chain_id))


@pytest.fixture(scope="module")
def anchor_contract(project, accounts):
    """ReceiptAnchor with anvil account 1 as the only anchorer."""
    return accounts[0].deploy(project.ReceiptAnchor, 0, accounts[0], [accounts[1]])


@pytest.fixture
def evm_backend(evm_client, anchor_contract) -> EvmReceiptAnchor:
    return EvmReceiptAnchor(evm_client, anchor_contract.address, sender=TxSender(evm_client, dev_account(1)))


@pytest.fixture
def store(tmp_path) -> ReceiptStore:
    with ReceiptStore(tmp_path / "anchoring.sqlite") as db:
        yield db
