"""Write tests/bridge/vectors.json, the bridge message test vectors (docs/bridge.md).

    python scripts/gen_bridge_vectors.py          # rewrite the file
    python scripts/gen_bridge_vectors.py --check  # exit 1 if it differs

The vectors are fixed inputs encoded with dispatch_chain.bridge.message; the
Solidity (tests/bridge/test_vectors_evm.py, on anvil) and Rust
(dispatch_bridge's tests) encoders are checked against the same file, so the
three implementations are byte-identical. Once published, the file changes
only with the format's version.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dispatch_chain.bridge.message import MESSAGE_LENGTH, BridgeMessage, chain_id_hash, evm_address_word

OUT = Path(__file__).resolve().parent.parent / "tests" / "bridge" / "vectors.json"

MONAD_TESTNET = "eip155:10143"
ANVIL = "eip155:31337"
SOLANA_DEVNET = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
SOLANA_LOCAL_EXAMPLE = "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z"  # a genesis-hash prefix, format example

# Fixed 32-byte keys (as a Solana program id / pubkey would be) and EVM addresses.
SOLANA_BRIDGE = bytes.fromhex("0e5f6c3b2a1908f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a3928170")
SOLANA_USER = bytes.fromhex("c7d1a0f2b3e4958677a8b9cadbecfd0e1f2031425364758697a8b9cadbecfd0e")
EVM_BRIDGE = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
EVM_USER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
EVM_USER_2 = "0xffffffffffffffffffffffffffffffffffffffff"


def vectors() -> list[tuple[str, BridgeMessage]]:
    solana, monad = chain_id_hash(SOLANA_DEVNET), chain_id_hash(MONAD_TESTNET)
    return [
        (
            "solana-to-monad, first message, amount 1",
            BridgeMessage(
                source_chain=solana,
                source_bridge=SOLANA_BRIDGE,
                sequence=0,
                amount=1,
                sender=SOLANA_USER,
                recipient=evm_address_word(EVM_USER),
                destination_chain=monad,
            ),
        ),
        (
            "solana-to-monad, 1,000 BOLT",
            BridgeMessage(
                source_chain=solana,
                source_bridge=SOLANA_BRIDGE,
                sequence=7,
                amount=1_000 * 10**9,
                sender=SOLANA_USER,
                recipient=evm_address_word(EVM_USER_2),
                destination_chain=monad,
            ),
        ),
        (
            "monad-to-solana, sequence and amount 2**64-1",
            BridgeMessage(
                source_chain=monad,
                source_bridge=evm_address_word(EVM_BRIDGE),
                sequence=2**64 - 1,
                amount=2**64 - 1,
                sender=evm_address_word(EVM_USER),
                recipient=SOLANA_USER,
                destination_chain=solana,
            ),
        ),
        (
            "monad-to-solana, first message",
            BridgeMessage(
                source_chain=monad,
                source_bridge=evm_address_word(EVM_BRIDGE),
                sequence=0,
                amount=123_456_789,
                sender=evm_address_word(EVM_USER_2),
                recipient=bytes(range(32)),
                destination_chain=solana,
            ),
        ),
        (
            "local chains: solana node to anvil",
            BridgeMessage(
                source_chain=chain_id_hash(SOLANA_LOCAL_EXAMPLE),
                source_bridge=SOLANA_BRIDGE,
                sequence=1,
                amount=2**63,
                sender=bytes([0xFF] * 32),
                recipient=evm_address_word(EVM_USER),
                destination_chain=chain_id_hash(ANVIL),
            ),
        ),
        (
            "anvil to local solana node",
            BridgeMessage(
                source_chain=chain_id_hash(ANVIL),
                source_bridge=evm_address_word(EVM_BRIDGE),
                sequence=256,
                amount=10**18,
                sender=evm_address_word(EVM_USER),
                recipient=bytes([0xFF] * 32),
                destination_chain=chain_id_hash(SOLANA_LOCAL_EXAMPLE),
            ),
        ),
    ]


def document() -> dict[str, object]:
    chains = (MONAD_TESTNET, ANVIL, SOLANA_DEVNET, SOLANA_LOCAL_EXAMPLE)
    return {
        "format": "dispatch-bridge-message/v1",
        "length": MESSAGE_LENGTH,
        "note": "Bridge message v1 vectors (docs/bridge.md). Integers as decimal strings, bytes as 0x hex. "
        "encoded = the 178 packed big-endian bytes, digest = keccak256(encoded).",
        "chain_ids": [{"caip2": c, "hash": "0x" + chain_id_hash(c).hex()} for c in chains],
        "messages": [
            {
                "name": name,
                "fields": message.to_json(),
                "encoded": "0x" + message.encode().hex(),
                "digest": "0x" + message.digest().hex(),
            }
            for name, message in vectors()
        ],
    }


def render() -> str:
    return json.dumps(document(), indent=2) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs; write nothing")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is out of date (run: python scripts/gen_bridge_vectors.py)", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
