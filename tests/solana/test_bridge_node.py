"""dispatch_bridge's attest and complete_queued through BridgeClient, on the local Solana node.

These two instructions take their message or digest as an instruction argument
(``#[instruction]``), so Anchor's account validation passes six arguments: on
the SBPF v0 build that solders' LiteSVM (0.27) can load, a sixth argument
lands in the 4 KB gap between stack frames (an access violation). They run
here on the node, which loads the SBPF v3 build (``DISPATCH_SBF_DIR``) with the
node's deployer as upgrade authority, through the real :class:`SolanaClient`.
The queue delay is a few seconds of the node's wall clock instead of a moved
LiteSVM clock. test_bridge_program.py covers everything else on LiteSVM.
"""

from __future__ import annotations

import time

import pytest
import spl.token.instructions as token_ix
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account

from dispatch_chain.config import SolanaNetwork
from dispatch_chain.localnet import SolanaNode
from dispatch_chain.solana import errors as E
from dispatch_chain.solana.bolt import associated_token_account, token_balance
from dispatch_chain.solana.bridge import (
    BridgeClient,
    BridgeMessage,
    InboundStatus,
    InitParams,
    chain_id,
    pad_evm_address,
)
from dispatch_chain.solana.client import TOKEN_PROGRAM, SolanaClient
from dispatch_chain.solana.programs import BRIDGE, IdlProgram, error_tables

from support_bridge import solana_inbound

BOLT = 10**9
SOL = 10**9
OUT_CAP = 10_000 * BOLT
IN_CAP = 1_000 * BOLT
QUEUE_DELAY = 3  # seconds of the node's clock
PEER = "0x" + "42" * 20
SOLANA_CHAIN = "solana:localnet"
EVM_CHAIN = "eip155:31337"


class NodeBridge:
    """A node with every program deployed (upgrade authority ``admin``), BOLT, and the bridge initialised 2-of-3."""

    def __init__(self, node: SolanaNode) -> None:
        self.program = IdlProgram.load(BRIDGE)
        self.client = SolanaClient(SolanaNetwork(rpc_url=node.url), idl_errors=error_tables([self.program]))
        self.admin = node.deployer
        self.bridge = BridgeClient(self.client, self.program)
        mint = Keypair()
        rent = self.client.rpc.get_minimum_balance_for_rent_exemption(82).value
        self.client.send([create_account(CreateAccountParams(from_pubkey=self.admin.pubkey(), to_pubkey=mint.pubkey(),
                                                             lamports=rent, space=82, owner=TOKEN_PROGRAM)),
                          token_ix.initialize_mint(token_ix.InitializeMintParams(
                              decimals=9, program_id=TOKEN_PROGRAM, mint=mint.pubkey(),
                              mint_authority=self.admin.pubkey(), freeze_authority=None))], [self.admin, mint])
        self.mint = mint.pubkey()
        self.attesters = [self.funded() for _ in range(3)]
        params = InitParams(pauser=self.admin.pubkey(), chain_id=chain_id(SOLANA_CHAIN),
                            peer_chain_id=chain_id(EVM_CHAIN), peer_bridge=pad_evm_address(PEER),
                            attesters=tuple(a.pubkey() for a in self.attesters), threshold=2,
                            outbound_capacity=OUT_CAP, inbound_capacity=IN_CAP, queue_delay=QUEUE_DELAY)
        self.client.send([self.bridge.initialize_instruction(self.admin.pubkey(), self.mint, params)], [self.admin])
        self.user = self.holder(100_000 * BOLT)

    def funded(self) -> Keypair:
        keypair = Keypair()
        self.client.airdrop(keypair.pubkey(), 10 * SOL)
        return keypair

    def holder(self, amount: int) -> Keypair:
        owner = self.funded()
        self.client.send([token_ix.create_idempotent_associated_token_account(self.admin.pubkey(), owner.pubkey(),
                                                                               self.mint),
                          token_ix.mint_to(token_ix.MintToParams(
                              program_id=TOKEN_PROGRAM, mint=self.mint,
                              dest=associated_token_account(owner.pubkey(), self.mint),
                              mint_authority=self.admin.pubkey(), amount=amount))], [self.admin])
        return owner

    def balance(self, owner: Pubkey) -> int:
        return token_balance(self.client, associated_token_account(owner, self.mint)) or 0


@pytest.fixture()
def node(tmp_path):
    with SolanaNode(log_path=tmp_path / "node.log") as running:
        yield NodeBridge(running)


def inbound(sequence: int, amount: int, recipient: Pubkey, **changes) -> BridgeMessage:
    return solana_inbound(sequence, amount, recipient, evm_chain=EVM_CHAIN, solana_chain=SOLANA_CHAIN, peer=PEER,
                          **changes)


def test_two_of_three_attestations_release_and_replays_fail_typed(node):
    bridge = node.bridge
    bridge.lock(node.user, 5_000 * BOLT, "0x" + "11" * 20)
    recipient = Keypair().pubkey()
    message = inbound(0, 100 * BOLT, recipient)
    a0, a1, a2 = node.attesters

    record = bridge.attest(a0, message)
    assert (record.status, record.attesters, record.message) == (InboundStatus.PENDING, (a0.pubkey(),), message)
    with pytest.raises(E.DuplicateAttestation):  # another payer: not the same transaction bytes again
        node.client.send([bridge.attest_instruction(a0.pubkey(), message, mint=node.mint)], [a0],
                         payer=node.funded())
    with pytest.raises(E.UnknownAttester):
        bridge.attest(node.funded(), message)

    record = bridge.attest(a2, message)
    assert record.status is InboundStatus.EXECUTED
    assert node.balance(recipient) == 100 * BOLT
    with pytest.raises(E.AlreadyExecuted):
        bridge.attest(a1, message)

    for bad, error in [(inbound(1, BOLT, recipient, destination_chain=chain_id("eip155:10143")), E.WrongChain),
                       (inbound(1, BOLT, recipient, source_chain=chain_id("eip155:1")), E.WrongSourceChain),
                       (inbound(1, BOLT, recipient, source_bridge=pad_evm_address("0x" + "43" * 20)),
                        E.WrongSourceBridge),
                       (inbound(1, BOLT, recipient, version=2), E.UnsupportedVersion),
                       (inbound(1, 0, recipient), E.ZeroAmount)]:
        with pytest.raises(error):
            bridge.attest(a1, bad)


def test_over_the_inbound_limit_it_queues_until_due(node):
    bridge = node.bridge
    bridge.lock(node.user, 5_000 * BOLT, "0x" + "11" * 20)
    recipient = Keypair().pubkey()
    big = inbound(0, IN_CAP + 1, recipient)
    a0, a1, _ = node.attesters
    bridge.attest(a0, big)
    before = int(time.time())
    record = bridge.attest(a1, big)
    assert record.status is InboundStatus.QUEUED
    assert before - 2 <= record.release_after - QUEUE_DELAY <= int(time.time()) + 1
    with pytest.raises(E.NotDue):
        bridge.complete_queued(node.funded(), big)
    anyone = node.funded()
    _wait_for_block_time(node.client, record.release_after)
    bridge.complete_queued(anyone, big)
    assert node.balance(recipient) == IN_CAP + 1
    assert bridge.inbound(big.digest).status is InboundStatus.EXECUTED
    with pytest.raises(E.AlreadyExecuted):
        bridge.complete_queued(node.funded(), big)


def test_lock_attest_and_complete_through_the_client(node):
    bridge, user = node.bridge, node.user
    first = bridge.lock(user, 3_000 * BOLT, "0x" + "ab" * 20)
    assert (first.message.sequence, first.message.amount, first.signature is not None) == (0, 3_000 * BOLT, True)
    assert bridge.custody_balance() == 3_000 * BOLT
    with pytest.raises(E.RateLimited) as raised:
        bridge.lock(user, OUT_CAP, "0x" + "ab" * 20)
    assert raised.value.code == 6006 and raised.value.program == str(node.program.program_id)

    recipient = Keypair().pubkey()
    message = inbound(0, 10 * BOLT, recipient)
    a0, a1, a2 = node.attesters
    assert bridge.attest(a0, message).status is InboundStatus.PENDING
    record = bridge.attest(a1, message)
    assert (record.status, set(record.attesters)) == (InboundStatus.EXECUTED, {a0.pubkey(), a1.pubkey()})
    assert node.balance(recipient) == 10 * BOLT

    big = inbound(1, IN_CAP, recipient)
    bridge.attest(a0, big)
    queued = bridge.attest(a2, big)
    assert queued.status is InboundStatus.QUEUED
    with pytest.raises(E.NotDue):
        bridge.complete_queued(a0, big)
    _wait_for_block_time(node.client, queued.release_after)
    bridge.complete_queued(node.funded(), big)
    assert bridge.inbound(big.digest).status is InboundStatus.EXECUTED
    assert bridge.custody_balance() == 3_000 * BOLT - 10 * BOLT - IN_CAP


def _wait_for_block_time(client: SolanaClient, unix_time: int, *, timeout: float = 30.0) -> None:
    """Until the node's latest slot has a block time at or after ``unix_time``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        slot = client.rpc.get_slot().value
        block_time = client.block_time(slot)
        if block_time is not None and block_time >= unix_time:
            return
        time.sleep(0.2)
    raise AssertionError(f"the node's clock did not reach {unix_time} in {timeout} s")
