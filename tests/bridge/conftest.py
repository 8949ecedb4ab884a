"""Fixtures of the bridge contract tests: WrappedBolt + BoltBridge on anvil (ape-foundry)."""

from __future__ import annotations

import pytest

from support_bridge import Inbound, deploy_pair


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


@pytest.fixture(scope="module")
def pair(project, deployer, pauser, attesters):
    return deploy_pair(project, deployer, pauser, attesters)


@pytest.fixture(scope="module")
def token(pair):
    return pair[0]


@pytest.fixture(scope="module")
def bridge(pair):
    return pair[1]


@pytest.fixture(scope="module")
def inbound(chain) -> Inbound:
    """One sequence counter per module, so every message of a module has its own digest."""
    return Inbound(chain.chain_id)


@pytest.fixture(scope="module")
def xroute(project, tmp_path_factory):
    """Both bridges on their own local chains (an anvil and dispatch-solana-node with commitment depths), peered."""
    from support_xbridge import BOLT, build_route, evm_node, solana_node

    logs = tmp_path_factory.mktemp("xbridge")
    with evm_node() as anvil, solana_node(logs) as node:
        yield build_route(project, anvil, node, logs, sol_inbound=100 * BOLT)
