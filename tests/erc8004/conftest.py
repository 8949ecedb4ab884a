"""Fixtures for the ERC-8004 adapter tests: local v1-compatible registries on ape's anvil."""

from __future__ import annotations

import pytest

from dispatch_chain.erc8004.identity import IdentityRegistryClient, IdentityResolver
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.keys import dev_account

from support import dev_network

COORDINATOR = 1  # dev account giving feedback


@pytest.fixture(scope="module")
def evm_client(chain) -> EvmClient:
    return EvmClient(dev_network(chain.provider.uri, chain.chain_id))


@pytest.fixture(scope="module")
def registries(project, accounts):
    identity = accounts[0].deploy(project.IdentityRegistry)
    reputation = accounts[0].deploy(project.ReputationRegistry, identity.address)
    return identity.address, reputation.address


@pytest.fixture
def identity(evm_client, registries) -> IdentityRegistryClient:
    return IdentityRegistryClient(evm_client, registries[0])


@pytest.fixture
def resolver(identity, tmp_path) -> IdentityResolver:
    resolver = IdentityResolver(identity, tmp_path / "identity-cache.sqlite")
    yield resolver
    resolver.close()


@pytest.fixture(scope="session")
def coordinator():
    return dev_account(COORDINATOR)
