"""Fixtures of the ERC-8004 registry tests (loaded with ``pytest_plugins = ["evm.conftest_erc8004"]``).

The registries are deployed once per session; ape's isolation rolls back every
test's transactions, so each test starts from the same chain state. Helpers are
fixtures too, so test modules never import this plugin themselves.
"""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak


def _raw_logs(tx, contract, event_name: str) -> list[dict]:
    """The transaction's raw logs of ``contract``'s ``event_name``, in order (topics as bytes)."""
    topic0 = keccak(text=getattr(contract, event_name).abi.selector)
    found = []
    for log in tx.logs:
        topics = [bytes(t) for t in log["topics"]]
        if log["address"].lower() == contract.address.lower() and topics and topics[0] == topic0:
            found.append({"topics": topics, "data": bytes(log["data"])})
    return found


def _sign_agent_wallet(identity, chain_id: int, private_key, agent_id: int, new_wallet: str, owner: str,
                       deadline: int) -> bytes:
    """The EIP-712 ``AgentWalletSet`` signature a wallet gives for ``setAgentWallet`` (as in v1)."""
    message = encode_typed_data(full_message={
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "AgentWalletSet": [
                {"name": "agentId", "type": "uint256"},
                {"name": "newWallet", "type": "address"},
                {"name": "owner", "type": "address"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "AgentWalletSet",
        "domain": {
            "name": "ERC8004IdentityRegistry",
            "version": "1",
            "chainId": chain_id,
            "verifyingContract": str(identity.address),
        },
        "message": {"agentId": agent_id, "newWallet": str(new_wallet), "owner": str(owner), "deadline": deadline},
    })
    return bytes(Account.sign_message(message, private_key).signature)


@pytest.fixture(scope="session")
def agent_owner(accounts):
    """Registers the agents of these tests."""
    return accounts[1]


@pytest.fixture(scope="session")
def operator(accounts):
    """Made an operator (approval for all) of ``agent_owner`` by the tests that need one."""
    return accounts[2]


@pytest.fixture(scope="session")
def clients(accounts):
    """Three feedback givers (coordinators)."""
    return accounts[3], accounts[4], accounts[5]


@pytest.fixture(scope="session")
def wallet(accounts):
    """An EOA to verify as an agent wallet."""
    return accounts[6]


@pytest.fixture(scope="session")
def new_owner(accounts):
    """Receives transferred agents."""
    return accounts[7]


@pytest.fixture(scope="session")
def identity(project, deployer):
    return deployer.deploy(project.IdentityRegistry)


@pytest.fixture(scope="session")
def reputation(project, deployer, identity):
    return deployer.deploy(project.ReputationRegistry, identity.address)


@pytest.fixture(scope="session")
def contract_wallet(project, deployer, wallet):
    """An ERC-1271 wallet that accepts ``wallet``'s signatures (and is not an ERC-721 receiver)."""
    return deployer.deploy(project.ERC1271WalletMock, wallet.address)


@pytest.fixture(scope="session")
def agent_id(identity, agent_owner) -> int:
    """Agent 0, registered by ``agent_owner`` with a URI."""
    return identity.register("ipfs://agent-0", sender=agent_owner).return_value


@pytest.fixture(scope="session")
def event_logs():
    """``event_logs(tx, contract, name)``: the raw logs (topics, data) of one event, in order."""
    return _raw_logs


@pytest.fixture(scope="session")
def wallet_signature(identity, chain):
    """``wallet_signature(signer, agent_id, new_wallet, owner, deadline)``: ``signer``'s EIP-712 signature."""

    def sign(signer, agent_id: int, new_wallet, owner, deadline: int) -> bytes:
        return _sign_agent_wallet(identity, chain.chain_id, signer.private_key, agent_id, str(new_wallet),
                                  str(owner), deadline)

    return sign
