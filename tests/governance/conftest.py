"""Fixtures of the governance contract tests: wrapped BOLT (through the real bridge), governor, timelock, params."""

from __future__ import annotations

import pytest

from support_bridge import Inbound, deploy_pair
from support_governance import advance, deploy_stack, mint

BOLT = 10**9
# 1 000 wBOLT in all: quorum (4 %) is 40 wBOLT.
HOLDINGS = {"alice": 600 * BOLT, "bob": 300 * BOLT, "carol": 90 * BOLT, "dave": 10 * BOLT}


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def attesters(accounts):
    return [accounts[2], accounts[3], accounts[4]]


@pytest.fixture(scope="session")
def holders(accounts):
    return {"alice": accounts[5], "bob": accounts[6], "carol": accounts[7], "dave": accounts[8]}


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[9]


@pytest.fixture(scope="module")
def pair(project, deployer, attesters):
    return deploy_pair(project, deployer, deployer, attesters)


@pytest.fixture(scope="module")
def token(pair, attesters, holders, chain):
    token, bridge = pair
    inbound = Inbound(chain.chain_id)
    for name, amount in HOLDINGS.items():
        mint(bridge, attesters, inbound, holders[name], amount)
        token.invoke_transaction("delegate", holders[name], sender=holders[name])
    advance(chain, 2)  # proposing checks votes one second in the past
    return token


@pytest.fixture(scope="module")
def bridge(pair):
    return pair[1]


@pytest.fixture(scope="module")
def stack(project, deployer, token):
    return deploy_stack(project, deployer, token)


@pytest.fixture(scope="module")
def timelock(stack):
    return stack[0]


@pytest.fixture(scope="module")
def governor(stack):
    return stack[1]


@pytest.fixture(scope="module")
def params(stack):
    return stack[2]


@pytest.fixture(scope="module")
def solana_node(tmp_path_factory):
    from dispatch_chain.localnet import SolanaNode

    with SolanaNode(log_path=tmp_path_factory.mktemp("solana") / "node.log") as node:
        yield node


@pytest.fixture(scope="module")
def solana(solana_node):
    from dispatch_chain.config import SolanaNetwork
    from dispatch_chain.solana.client import SolanaClient
    from dispatch_chain.solana.programs import PROGRAMS, IdlProgram, error_tables

    programs = [IdlProgram.load(name) for name in (*PROGRAMS, "dispatch_governance")]
    return SolanaClient(SolanaNetwork(rpc_url=solana_node.url), idl_errors=error_tables(programs))
