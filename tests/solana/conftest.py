"""Fixtures for the Solana tests: a local dispatch-solana-node running the programs' SBF builds."""

from __future__ import annotations

import pytest
from solders.keypair import Keypair

from dispatch_chain.config import SolanaNetwork
from dispatch_chain.localnet import SolanaNode
from dispatch_chain.protocol import DISTRIBUTION
from dispatch_chain.solana.bolt import create_bolt, whitepaper_allocations
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.programs import PROGRAMS, IdlProgram, error_tables

SOL = 1_000_000_000


@pytest.fixture(scope="module")
def solana_node(tmp_path_factory):
    with SolanaNode(log_path=tmp_path_factory.mktemp("solana") / "node.log") as node:
        yield node


@pytest.fixture(scope="module")
def solana(solana_node) -> SolanaClient:
    programs = [IdlProgram.load(name) for name in PROGRAMS]
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


COOLDOWN = 2  # seconds: the node's Clock follows wall time


@pytest.fixture(scope="module")
def deployed(solana, solana_node, bolt, tmp_path_factory):
    """The three programs initialised for the module's BOLT by the node's deployer (their upgrade
    authority, hence their admin); returns a namespace of clients and keys."""
    from types import SimpleNamespace

    from dispatch_chain.solana.anchor import SolanaReceiptAnchor
    from dispatch_chain.solana.deploy import ProgramSettings, init_programs
    from dispatch_chain.solana.programs import ANCHOR, SETTLEMENT, STAKING
    from dispatch_chain.solana.settlement import SettlementClient
    from dispatch_chain.solana.staking import StakingClient

    mint, owners = bolt
    admin, anchorer = solana_node.deployer, funded(solana)
    manifest = tmp_path_factory.mktemp("manifest") / "local.json"
    init_programs(solana, admin, mint, program_ids={}, anchorers=[anchorer.pubkey()],
                  settings=ProgramSettings(cooldown_seconds=COOLDOWN), manifest=manifest, network="local",
                  progress=lambda message: None)
    return SimpleNamespace(
        mint=mint, owners=owners, admin=admin, anchorer=anchorer, manifest=manifest,
        staking=StakingClient(solana, IdlProgram.load(STAKING)),
        settlement=SettlementClient(solana, IdlProgram.load(SETTLEMENT)),
        anchor=SolanaReceiptAnchor(solana, IdlProgram.load(ANCHOR), anchorer),
    )


def compute_limit(solana: SolanaClient, signature: str) -> tuple[int, int, list[str]]:
    """The ``SetComputeUnitLimit`` a landed transaction carries (its last instruction, so the others'
    account indices stay), the compute units it consumed, and its logs."""
    from solders.signature import Signature

    from dispatch_chain.solana.budgets import COMPUTE_BUDGET_PROGRAM

    tx = solana.rpc.get_transaction(Signature.from_string(signature), "base64", max_supported_transaction_version=0).value
    assert tx is not None and tx.transaction.meta is not None
    message = tx.transaction.transaction.message  # type: ignore[union-attr]
    last = message.instructions[-1]
    assert message.account_keys[last.program_id_index] == COMPUTE_BUDGET_PROGRAM, signature
    assert bytes(last.data)[0] == 2  # SetComputeUnitLimit
    limit = int.from_bytes(bytes(last.data)[1:5], "little")
    return limit, tx.transaction.meta.compute_units_consumed, tx.transaction.meta.log_messages or []


def holder(solana, deployed, bolt_amount: int, allocation: str = "community") -> Keypair:
    """A funded account holding ``bolt_amount`` base units of BOLT (taken from an allocation)."""
    from dispatch_chain.solana.bolt import transfer

    account = funded(solana)
    if bolt_amount:
        transfer(solana, deployed.owners[allocation], account.pubkey(), bolt_amount, deployed.mint)
    return account
