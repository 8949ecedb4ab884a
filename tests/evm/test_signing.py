"""The sender's fast path signs and encodes exactly what eth-account and web3 produce."""

from __future__ import annotations

import os
import random

from eth_account import Account
from web3 import Web3

from dispatch_chain.evm.abi import load_abi
from dispatch_chain.evm.signing import Eip1559Signer, call_data
from dispatch_chain.keys import dev_account

REGISTRY = "0x8004B663056A597Dffe9eCcC1965A193B7388713"
ANCHOR = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def test_call_data_equals_web3s() -> None:
    w3 = Web3()
    reputation = w3.eth.contract(address=REGISTRY, abi=load_abi("ReputationRegistry"))
    anchor = w3.eth.contract(address=ANCHOR, abi=load_abi("ReceiptAnchor"))
    calls = [
        reputation.functions.giveFeedback(7, 8000, 2, "dispatch-compute", "COMPUTE", "https://c.example/ü",
                                          "", os.urandom(32)),
        reputation.functions.giveFeedback(2**200, -2000, 2, "", "", "", "ipfs://x" * 40, b"\x00" * 32),
        reputation.functions.revokeFeedback(3, 1),
        anchor.functions.anchor(os.urandom(32), 1024, ""),
        anchor.functions.anchor(os.urandom(32), 1, "https://coordinator.example/batches/0xabc"),
        anchor.functions.anchor("0x" + os.urandom(32).hex(), 5, ""),  # a hex string: web3 normalises it
    ]
    for function in calls:
        assert "0x" + call_data(function).hex() == function._encode_transaction_data()


def test_signed_transactions_equal_eth_accounts() -> None:
    rng = random.Random(5)
    for account in (dev_account(1), Account.from_key(os.urandom(32))):
        for chain_id in (31337, 10143):
            signer = Eip1559Signer(account, chain_id)
            for _ in range(20):
                fields = {
                    "nonce": rng.choice([0, 1, rng.randrange(2**40)]),
                    "to": Web3.to_checksum_address(os.urandom(20)),
                    "data": os.urandom(rng.choice([0, 4, 260])),
                    "gas": rng.randrange(21_000, 30_000_000),
                    "max_fee": rng.randrange(10**12),
                    "tip": rng.choice([0, rng.randrange(10**10)]),
                }
                ours = signer.sign(**fields)
                theirs = account.sign_transaction({
                    "type": 2, "chainId": chain_id, "nonce": fields["nonce"], "to": fields["to"], "value": 0,
                    "data": fields["data"], "gas": fields["gas"], "maxFeePerGas": fields["max_fee"],
                    "maxPriorityFeePerGas": fields["tip"],
                })
                assert ours.raw == bytes(theirs.raw_transaction)
                assert ours.tx_hash == "0x" + bytes(theirs.hash).hex()
