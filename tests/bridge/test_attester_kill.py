"""Two attester processes side by side, SIGKILLed at random moments: every message minted once,
one attestation transaction per message and attester (two real anvils peered with each other)."""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from pathlib import Path

import pytest
from web3 import Web3

from dispatch_chain.bridge.deploy import create_address
from dispatch_chain.bridge.evm import EvmBoltBridge, Status
from dispatch_chain.bridge.message import BridgeMessage, chain_id_hash, evm_address_word
from dispatch_chain.bridge.store import AttesterStore
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account
from dispatch_chain.localnet import Anvil

from support import dev_network, kill_until_done
from support_bridge import BOLT, deploy_with_web3

MESSAGES = 150
ATTESTERS = (6, 7)


@pytest.mark.slow
def test_killed_attesters_lose_and_duplicate_nothing(project, tmp_path) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time_ns() % 1_000_000))
    print(f"crash test seed {seed} (CRASH_SEED={seed} reproduces the kill times)")
    token_code = project.WrappedBolt.contract_type.deployment_bytecode.bytecode
    bridge_code = project.BoltBridge.contract_type.deployment_bytecode.bytecode
    with Anvil(chain_id=31337) as node_a, Anvil(chain_id=31339) as node_b:
        a, b = EvmClient(dev_network(node_a.url, 31337)), EvmClient(dev_network(node_b.url, 31339))
        deployer = dev_account(0).address
        a_bridge, b_bridge = create_address(deployer, 1), create_address(deployer, 1)  # both chains fresh
        big = 10**6 * BOLT
        for client, here_bridge, other_chain, other_bridge, attesters in (
                (a, a_bridge, "eip155:31339", b_bridge, [dev_account(i).address for i in (2, 3)]),
                (b, b_bridge, "eip155:31337", a_bridge, [dev_account(i).address for i in (6, 7, 8)])):
            token = deploy_with_web3(client, "WrappedBolt", token_code, here_bridge)
            assert deploy_with_web3(client, "BoltBridge", bridge_code, 0, deployer, deployer, token,
                                    chain_id_hash(other_chain), evm_address_word(other_bridge), attesters, 2, big,
                                    big, 60) == here_bridge
        source, target = EvmBoltBridge(a, a_bridge), EvmBoltBridge(b, b_bridge)

        # fund the sender on A, then burn MESSAGES times towards B
        user = TxSender(a, dev_account(5))
        funding = BridgeMessage(source_chain=chain_id_hash("eip155:31339"), source_bridge=evm_address_word(b_bridge),
                                sequence=0, amount=20_000 * BOLT, sender=bytes(32),
                                recipient=evm_address_word(user.address), destination_chain=chain_id_hash("eip155:31337"))
        for i in (2, 3):
            source.attest(TxSender(a, dev_account(i)), funding)
        recipient = dev_account(11).address
        sent = [source.send_to_solana(user, (i + 1) * BOLT, evm_address_word(recipient)) for i in range(MESSAGES)]

        env = {**os.environ, "SOURCE_URL": node_a.url, "SOURCE_CHAIN": "31337", "SOURCE_BRIDGE": a_bridge,
               "TARGET_URL": node_b.url, "TARGET_CHAIN": "31339", "TARGET_BRIDGE": b_bridge}
        script = str(Path(__file__).with_name("attester_proc.py"))
        kills: dict[int, int] = {}
        failures: list[BaseException] = []

        def attester(index: int) -> None:
            rng = random.Random(seed * 10 + index)
            try:
                kills[index] = kill_until_done(
                    [sys.executable, script],
                    env={**env, "ATTESTER": str(index), "STORE": str(tmp_path / f"a{index}.sqlite")},
                    rng=rng, cwd=tmp_path, attempts=60, window=(0.8, 4.0))
            except BaseException as exc:  # a thread's failure must fail the test
                failures.append(exc)

        threads = [threading.Thread(target=attester, args=(i,)) for i in ATTESTERS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures, failures
        print(f"kills before a clean finish: {kills}")
        assert sum(kills.values()) >= 2

        assert target.balance_of(recipient) == sum(range(1, MESSAGES + 1)) * BOLT
        assert all(target.message_state(m.digest).status is Status.EXECUTED for m in sent)
        event = target.contract.events.MessageAttested()
        logs = b.get_logs({"address": b_bridge, "topics": [Web3.keccak(text="MessageAttested(bytes32,address,uint256)").hex()]}, 0)
        attestations = [event.process_log(log)["args"] for log in logs]
        for index in ATTESTERS:
            account = dev_account(index).address
            mine = [bytes(e["digest"]) for e in attestations if e["attester"] == account]
            assert len(mine) == len(set(mine))  # never twice
            # every transaction this key ever sent landed as an attestation: nothing wasted, nothing reverted
            assert b.w3.eth.get_transaction_count(account) == len(mine)
            with AttesterStore(tmp_path / f"a{index}.sqlite", attester=account) as store:
                assert store.counts() == {"done": MESSAGES}
        # each message: attested by both, unless the other had already executed it
        assert len(attestations) >= MESSAGES
