"""Fixtures for the Solana tests: a local dispatch-solana-node with the programs registered natively."""

from __future__ import annotations

import pytest
from solders.keypair import Keypair

from dispatch_chain.config import SolanaNetwork
from dispatch_chain.localnet import SolanaNode
from dispatch_chain.protocol import DISTRIBUTION
from dispatch_chain.solana.bolt import create_bolt, whitepaper_allocations
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import PROGRAMS, AnchorProgram, error_tables

SOL = 1_000_000_000


@pytest.fixture(scope="module")
def solana_node(tmp_path_factory):
    with SolanaNode(log_path=tmp_path_factory.mktemp("solana") / "node.log") as node:
        yield node


@pytest.fixture(scope="module")
def solana(solana_node) -> SolanaClient:
    programs = [AnchorProgram.load(name) for name in PROGRAMS]
    return SolanaClient(SolanaNetwork(rpc_url=solana_node.url), idl_errors=error_tables(programs))


def funded(solana: SolanaClient, lamports: int = 10 * SOL) -> Keypair:
    keypair = Keypair()
    solana.airdrop(keypair.pubkey(), lamports)
    return keypair


@pytest.fixture(scope="module")
def bolt(solana):
    """A BOLT mint distributed per the whitepaper; returns (mint pubkey, {allocation: owner keypair})."""
    payer, mint = funded(solana), Keypair()
    owners = {name: funded(solana, SOL) for name, _ in DISTRIBUTION}
    create_bolt(solana, payer, mint, whitepaper_allocations({n: k.pubkey() for n, k in owners.items()}))
    return mint.pubkey(), owners
