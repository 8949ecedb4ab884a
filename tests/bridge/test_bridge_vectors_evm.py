"""BoltBridge's Solidity encoder and decoder against tests/bridge/vectors.json (on anvil)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dispatch_chain.hashing import keccak256

VECTORS = json.loads(Path(__file__).with_name("vectors.json").read_text())
FIELDS = ("version", "kind", "source_chain", "source_bridge", "sequence", "amount", "sender", "recipient",
          "destination_chain")


def _values(fields: dict) -> list:
    return [int(fields[f]) if f in ("version", "kind", "sequence", "amount") else bytes.fromhex(fields[f][2:])
            for f in FIELDS]


@pytest.mark.parametrize("vector", VECTORS["messages"], ids=lambda v: v["name"])
def test_solidity_encoding_matches_the_vector(bridge, vector) -> None:
    encoded = bytes.fromhex(vector["encoded"][2:])
    assert bytes(bridge.encodeMessage(_values(vector["fields"]))) == encoded
    assert list(bridge.decodeMessage(encoded)) == _values(vector["fields"])
    assert keccak256(encoded).hex() == vector["digest"][2:]


def test_solidity_local_chain_id_matches_the_vector(bridge, chain) -> None:
    wanted = next(c["hash"] for c in VECTORS["chain_ids"] if c["caip2"] == f"eip155:{chain.chain_id}")
    assert bridge.localChain().hex().removeprefix("0x") == wanted[2:]
