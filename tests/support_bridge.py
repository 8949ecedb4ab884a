"""Helpers of the bridge tests (tests/bridge/): constants, the paired deployment, inbound messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dispatch_chain.bridge.deploy import create_address
from dispatch_chain.bridge.message import BridgeMessage, chain_id_hash, evm_address_word

SOLANA_CHAIN = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
PEER_BRIDGE = bytes.fromhex("0e5f6c3b2a1908f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a3928170")
BOLT = 10**9
INBOUND_LIMIT = 1_000 * BOLT
OUTBOUND_LIMIT = 500 * BOLT
QUEUE_DELAY = 3_600
SOLANA_PEER = (chain_id_hash(SOLANA_CHAIN), PEER_BRIDGE)  # (chain id hash, bridge word) of the Solana side

def deploy_pair(project, deployer, pauser, attesters, *, threshold=2, inbound=INBOUND_LIMIT,
                outbound=OUTBOUND_LIMIT, delay=QUEUE_DELAY, peer=SOLANA_PEER):
    """WrappedBolt bound to the BoltBridge deployed right after it (address predicted from the nonce)."""
    bridge_address = create_address(deployer.address, deployer.nonce + 1)
    token = deployer.deploy(project.WrappedBolt, bridge_address)
    bridge = deployer.deploy(
        project.BoltBridge, 0, deployer, pauser, token, peer[0], peer[1],
        [a.address for a in attesters], threshold, inbound, outbound, delay,
    )
    assert bridge.address == bridge_address
    return token, bridge


class Inbound:
    """Builds Solana -> Monad messages addressed to the bridge under test."""

    def __init__(self, chain_id: int, peer: tuple[bytes, bytes] = (chain_id_hash(SOLANA_CHAIN), PEER_BRIDGE)) -> None:
        self.sequence = 0
        self.destination = chain_id_hash(f"eip155:{chain_id}")
        self.peer = peer

    def message(self, to: str, amount: int, **changes) -> BridgeMessage:
        fields = dict(source_chain=self.peer[0], source_bridge=self.peer[1], sequence=self.sequence,
                      amount=amount, sender=bytes(range(32)), recipient=evm_address_word(to),
                      destination_chain=self.destination)
        fields.update(changes)
        self.sequence += 1
        return BridgeMessage(**fields)


@contextmanager
def isolated(chain) -> Iterator[None]:
    """Undo the chain changes of a block, like ape's ``chain.isolate()`` but re-raising what fails
    inside (ape's swallows every exception, so a failed assertion in it would pass the test)."""
    snapshot = chain.snapshot()
    try:
        yield
    finally:
        chain.restore(snapshot)


def deploy_with_web3(client, name: str, bytecode: str, *args, deployer_index: int = 0) -> str:
    """Deploy a compiled contract through web3 (for nodes ape is not connected to); its address."""
    from dispatch_chain.evm.abi import load_abi
    from dispatch_chain.evm.transactions import TxSender
    from dispatch_chain.keys import dev_account

    sender = TxSender(client, dev_account(deployer_index))
    contract = client.w3.eth.contract(abi=list(load_abi(name)), bytecode=bytecode)
    tx = contract.constructor(*args).build_transaction({
        "from": sender.address, "nonce": client.w3.eth.get_transaction_count(sender.address),
        "chainId": client.network.chain_id, **sender.fees()})
    signed = sender.account.sign_transaction(tx)
    receipt = client.w3.eth.wait_for_transaction_receipt(client.w3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1, f"deploying {name} failed"
    return receipt["contractAddress"]


def solana_inbound(sequence: int, amount: int, recipient, *, evm_chain: str, solana_chain: str, peer: str, **changes):
    """A dispatch_bridge (Solana side) inbound message from ``peer`` on ``evm_chain``; ``changes`` override fields."""
    from dispatch_chain.solana.bridge import BridgeMessage as SolanaBridgeMessage
    from dispatch_chain.solana.bridge import chain_id, pad_evm_address

    fields = dict(version=1, kind=1, source_chain=chain_id(evm_chain), source_bridge=pad_evm_address(peer),
                  sequence=sequence, amount=amount, sender=pad_evm_address("0x" + "77" * 20),
                  recipient=bytes(recipient), destination_chain=chain_id(solana_chain))
    fields.update(changes)
    return SolanaBridgeMessage(**fields)
