"""The attester service's EVM halves end to end on two real anvils, crashes included.

Chain A (ape's anvil, 31337) plays the source: its BoltBridge emits MessageSent
for sendToSolana. Chain B (a second anvil, 31338) plays the destination: a
BoltBridge whose peer is A's bridge, attested 2-of-3 by three services with their
own keys and stores. The message format and contracts do not care that the peer
is an EVM chain, so both Monad halves (EvmMessageSource, EvmAttestationTarget,
EvmRelayer) run against real nodes without the Solana side.
"""

from __future__ import annotations

import pytest
from web3 import Web3

from dispatch_chain.bridge.attester import AttesterService, SignedAttestation
from dispatch_chain.bridge.deploy import create_address
from dispatch_chain.bridge.evm import EvmBoltBridge, Status
from dispatch_chain.bridge.evm_attester import EvmAttestationTarget, EvmMessageSource, EvmRelayer
from dispatch_chain.bridge.message import chain_id_hash, evm_address_word
from dispatch_chain.bridge.store import AttesterStore
from dispatch_chain.evm.abi import load_abi
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil, rpc_call

from support import dev_network
from support_bridge import BOLT, Inbound, deploy_pair

CHAIN_B = 31338
B_ATTESTERS = (6, 7, 8)
B_INBOUND_LIMIT = 100 * BOLT
B_DELAY = 600


class Crash(BaseException):
    """A simulated kill: not an Exception, so nothing in the service catches it."""


class CrashingTarget:
    """A real EvmAttestationTarget that dies at a chosen step of its n-th attestation."""

    def __init__(self, target: EvmAttestationTarget, step: str, at: int) -> None:
        self.target, self.step, self.at, self.count = target, step, at, 0

    def __getattr__(self, name):
        return getattr(self.target, name)

    def prepare(self, message):
        signed = self.target.prepare(message)
        self.count += 1
        if self.step == "signed-not-stored" and self.count == self.at:
            raise Crash
        return signed

    def broadcast(self, signed):
        if self.step == "stored-not-sent" and self.count == self.at:
            raise Crash
        self.target.broadcast(signed)
        if self.step == "sent-not-confirmed" and self.count == self.at:
            raise Crash


@pytest.fixture(scope="module")
def chain_b():
    with Anvil(chain_id=CHAIN_B) as node:
        yield node


@pytest.fixture(scope="module")
def client_a(chain) -> EvmClient:
    return EvmClient(dev_network(chain.provider.uri, chain.chain_id))


@pytest.fixture(scope="module")
def client_b(chain_b) -> EvmClient:
    return EvmClient(dev_network(chain_b.url, CHAIN_B))


def _deploy(client: EvmClient, name: str, bytecode: str, *args) -> str:
    sender = TxSender(client, dev_account(0))
    contract = client.w3.eth.contract(abi=list(load_abi(name)), bytecode=bytecode)
    tx = contract.constructor(*args).build_transaction({
        "from": sender.address, "nonce": client.w3.eth.get_transaction_count(sender.address),
        "chainId": CHAIN_B, **sender.fees()})
    signed = sender.account.sign_transaction(tx)
    receipt = client.w3.eth.wait_for_transaction_receipt(client.w3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1
    return receipt["contractAddress"]


@pytest.fixture(scope="module")
def route(project, chain, client_a, client_b, deployer, pauser, attesters):
    """(bridge on A, client of A's bridge, client of B's bridge) peered with each other."""
    b_bridge_address = create_address(dev_account(0).address, 1)  # B is fresh: token at nonce 0, bridge at 1
    _a_token, a_bridge = deploy_pair(project, deployer, pauser, attesters,
                                    peer=(chain_id_hash(f"eip155:{CHAIN_B}"), evm_address_word(b_bridge_address)))
    token_code = project.WrappedBolt.contract_type.deployment_bytecode.bytecode
    bridge_code = project.BoltBridge.contract_type.deployment_bytecode.bytecode
    b_token = _deploy(client_b, "WrappedBolt", token_code, b_bridge_address)
    _deploy(client_b, "BoltBridge", bridge_code, 0, dev_account(0).address, dev_account(1).address, b_token,
            chain_id_hash(f"eip155:{chain.chain_id}"), evm_address_word(a_bridge.address),
            [dev_account(i).address for i in B_ATTESTERS], 2, B_INBOUND_LIMIT, B_INBOUND_LIMIT, B_DELAY)
    start = chain.blocks.head.number
    return a_bridge, EvmBoltBridge(client_a, a_bridge.address, deploy_block=start), EvmBoltBridge(client_b,
                                                                                                  b_bridge_address)


@pytest.fixture(scope="module")
def funded(route, chain, attesters, user):
    """The user holds 1,000 wBOLT on A (minted by A's own attesters from a B-sourced message)."""
    a_bridge, _a_client, b_client = route
    inbound = Inbound(chain.chain_id, peer=(chain_id_hash(f"eip155:{CHAIN_B}"), evm_address_word(b_client.address)))
    message = inbound.message(user.address, 1_000 * BOLT)
    for attester in attesters[:2]:
        a_bridge.attest(message.encode(), sender=attester)
    return user


def _service(a_client, b_client, index: int, path, *, confirmations: int = 1, target=None) -> AttesterService:
    sender = TxSender(b_client.client, dev_account(index))
    return AttesterService(AttesterStore(path), EvmMessageSource(a_client, confirmations=confirmations),
                           target or EvmAttestationTarget(b_client, sender), confirm_timeout=30)


def _attested_by(b_client, attester: str) -> list[bytes]:
    logs = b_client.client.get_logs({"address": b_client.address,
                                     "topics": [Web3.keccak(text="MessageAttested(bytes32,address,uint256)").hex()]}, 0)
    events = [b_client.contract.events.MessageAttested().process_log(log)["args"] for log in logs]
    return [bytes(e["digest"]) for e in events if e["attester"] == attester]


def test_two_of_three_attesters_mint_each_message_once(route, funded, chain, tmp_path) -> None:
    a_bridge, a_client, b_client = route
    recipient = dev_account(11).address
    sent = [a_bridge.sendToSolana(amount * BOLT, evm_address_word(recipient), sender=funded)
            for amount in (1, 2, 3)]
    digests = [bytes(tx.events.filter(a_bridge.MessageSent)[0]["digest"]) for tx in sent]

    first = _service(a_client, b_client, 6, tmp_path / "a6.sqlite")
    stats = first.drain(timeout=60)
    assert (stats.found, stats.attested) == (3, 3)
    assert b_client.balance_of(recipient) == 0  # 1 of 2
    second = _service(a_client, b_client, 7, tmp_path / "a7.sqlite")
    assert second.drain(timeout=60).attested == 3
    assert b_client.balance_of(recipient) == 6 * BOLT
    assert all(b_client.message_state(d).status is Status.EXECUTED for d in digests)
    third = _service(a_client, b_client, 8, tmp_path / "a8.sqlite")
    stats = third.drain(timeout=60)
    assert (stats.attested, stats.settled) == (0, 3)
    assert b_client.client.w3.eth.get_transaction_count(dev_account(8).address) == 0  # nothing sent in vain
    assert [i.outcome for i in third.store.items()] == ["already executed"] * 3
    # a restarted service with the same store finds nothing to do
    again = _service(a_client, b_client, 6, tmp_path / "a6.sqlite")
    assert again.drain(timeout=60).attested == 0
    assert b_client.balance_of(recipient) == 6 * BOLT


def test_the_source_is_read_at_its_safety_depth(route, funded, chain, tmp_path) -> None:
    a_bridge, a_client, b_client = route
    service = _service(a_client, b_client, 6, tmp_path / "depth.sqlite", confirmations=3)
    service.drain(timeout=60)  # catch up with everything earlier
    a_bridge.sendToSolana(BOLT, evm_address_word(dev_account(12).address), sender=funded)
    assert service.scan() == 0  # 1 confirmation of 3
    chain.mine(1)
    assert service.scan() == 0  # 2 of 3
    chain.mine(1)
    assert service.scan() == 1


@pytest.mark.parametrize("step", ["signed-not-stored", "stored-not-sent", "sent-not-confirmed"])
def test_a_killed_attester_loses_and_duplicates_nothing(route, funded, tmp_path, step) -> None:
    a_bridge, a_client, b_client = route
    # ape reverts chain A after each test, chain B is not: a recipient per case keeps the digests apart
    recipient = Web3.to_checksum_address(Web3.keccak(text=step)[:20])
    path = tmp_path / f"crash-{step}.sqlite"
    for index in (6, 7):  # catch both attesters up with earlier tests' messages, without crashes
        service = _service(a_client, b_client, index, path.with_suffix(f".{index}"))
        service.drain(timeout=60)
        service.store.close()
    before = b_client.balance_of(recipient)
    for amount in (1, 2, 3, 4):
        a_bridge.sendToSolana(amount * BOLT, evm_address_word(recipient), sender=funded)
    for index in (6, 7):
        sender = TxSender(b_client.client, dev_account(index))
        nonce_before = b_client.client.w3.eth.get_transaction_count(sender.address)
        for crash_at in (2, 2):  # two kills per attester, each at its second attestation since restart
            crashing = CrashingTarget(EvmAttestationTarget(b_client, sender), step, crash_at)
            service = _service(a_client, b_client, index, path.with_suffix(f".{index}"), target=crashing)
            with pytest.raises(Crash):
                service.drain(timeout=60)
            service.store.close()  # the process is gone; its file stays
        survivor = _service(a_client, b_client, index, path.with_suffix(f".{index}"))
        survivor.drain(timeout=60)
        # exactly one attestation transaction per new message, none lost, none wasted
        assert b_client.client.w3.eth.get_transaction_count(sender.address) - nonce_before == 4
        mine = _attested_by(b_client, sender.address)
        assert len(mine) == len(set(mine))
    assert b_client.balance_of(recipient) == before + 10 * BOLT


class StingyTarget(EvmAttestationTarget):
    """Signs its first attestation with too little gas, so it is mined and reverts (a spent transaction)."""

    spent = 0

    def prepare(self, message):
        if self.spent:
            return super().prepare(message)
        self.spent += 1
        prepared = self.bridge.prepare(self.sender, self.bridge.attest_call(message), gas=30_000)
        return SignedAttestation(prepared.tx_hash, prepared.raw, prepared.nonce)


def test_a_reverted_attestation_is_signed_anew(route, funded, tmp_path) -> None:
    a_bridge, a_client, b_client = route
    recipient = Web3.to_checksum_address(Web3.keccak(text="spent")[:20])
    path = tmp_path / "spent.sqlite"
    service = _service(a_client, b_client, 8, path)
    service.drain(timeout=60)  # catch up
    a_bridge.sendToSolana(2 * BOLT, evm_address_word(recipient), sender=funded)
    sender = TxSender(b_client.client, dev_account(8))
    nonce = b_client.client.w3.eth.get_transaction_count(sender.address)
    stats = AttesterService(service.store, service.source, StingyTarget(b_client, sender), confirm_timeout=30).drain(
        timeout=60)
    assert stats.retry == 1 and "ran out of gas" in stats.errors[0]
    assert stats.attested == 1
    assert b_client.client.w3.eth.get_transaction_count(sender.address) - nonce == 2  # the spent one, then the real one
    [item] = [i for i in service.store.items() if i.message.recipient == evm_address_word(recipient)]
    assert item.state == "done" and item.attempts == 2
    assert b_client.has_attested(item.digest, sender.address)


def test_relayer_completes_a_queued_transfer_when_due(route, funded, chain, chain_b, tmp_path) -> None:
    a_bridge, a_client, b_client = route
    recipient = dev_account(14).address
    services = [_service(a_client, b_client, i, tmp_path / f"q{i}.sqlite") for i in (6, 7)]
    for service in services:
        service.drain(timeout=60)
    a_bridge.sendToSolana(B_INBOUND_LIMIT + 1, evm_address_word(recipient), sender=funded)
    for service in services:
        service.drain(timeout=60)
    assert [i.outcome for i in services[1].store.items()][-1] == "attested: queued"
    relayer = EvmRelayer(b_client, TxSender(b_client.client, dev_account(9)), services[1].store)
    stats = relayer.run_once()
    assert (stats.found, stats.completed) == (1, 0)  # not due yet
    assert b_client.balance_of(recipient) == 0
    rpc_call(chain_b.url, "evm_increaseTime", [B_DELAY])
    rpc_call(chain_b.url, "evm_mine", [])
    stats = relayer.run_once()
    assert (stats.found, stats.completed) == (0, 1)
    assert b_client.balance_of(recipient) == B_INBOUND_LIMIT + 1
    assert relayer.run_once().completed == 0
    assert services[1].store.pending_queued() == 0
