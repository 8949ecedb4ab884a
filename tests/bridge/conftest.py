"""Fixtures of the bridge contract tests: WrappedBolt + BoltBridge on anvil (ape-foundry)."""

from __future__ import annotations

import pytest

from dispatch_chain.bridge.message import BridgeMessage, chain_id_hash, evm_address_word
from dispatch_chain.bridge.deploy import create_address

SOLANA_CHAIN = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
PEER_BRIDGE = bytes.fromhex("0e5f6c3b2a1908f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a3928170")
BOLT = 10**9
INBOUND_LIMIT = 1_000 * BOLT
OUTBOUND_LIMIT = 500 * BOLT
QUEUE_DELAY = 3_600


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def pauser(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def attesters(accounts):
    return [accounts[2], accounts[3], accounts[4]]


@pytest.fixture(scope="session")
def user(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[9]


def deploy_pair(project, deployer, pauser, attesters, *, threshold=2, inbound=INBOUND_LIMIT,
                outbound=OUTBOUND_LIMIT, delay=QUEUE_DELAY):
    """WrappedBolt bound to the BoltBridge deployed right after it (address predicted from the nonce)."""
    bridge_address = create_address(deployer.address, deployer.nonce + 1)
    token = deployer.deploy(project.WrappedBolt, bridge_address)
    bridge = deployer.deploy(
        project.BoltBridge, 0, deployer, pauser, token, chain_id_hash(SOLANA_CHAIN), PEER_BRIDGE,
        [a.address for a in attesters], threshold, inbound, outbound, delay,
    )
    assert bridge.address == bridge_address
    return token, bridge


@pytest.fixture(scope="module")
def pair(project, deployer, pauser, attesters):
    return deploy_pair(project, deployer, pauser, attesters)


@pytest.fixture(scope="module")
def token(pair):
    return pair[0]


@pytest.fixture(scope="module")
def bridge(pair):
    return pair[1]


class Inbound:
    """Builds Solana -> Monad messages addressed to the bridge under test."""

    def __init__(self, chain_id: int) -> None:
        self.sequence = 0
        self.destination = chain_id_hash(f"eip155:{chain_id}")

    def message(self, to: str, amount: int, **changes) -> BridgeMessage:
        fields = dict(source_chain=chain_id_hash(SOLANA_CHAIN), source_bridge=PEER_BRIDGE, sequence=self.sequence,
                      amount=amount, sender=bytes(range(32)), recipient=evm_address_word(to),
                      destination_chain=self.destination)
        fields.update(changes)
        self.sequence += 1
        return BridgeMessage(**fields)


@pytest.fixture(scope="module")
def inbound(chain) -> Inbound:
    """One sequence counter per module, so every message of a module has its own digest."""
    return Inbound(chain.chain_id)
