"""The Python bridge message codec against tests/bridge/vectors.json and an independent packer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from eth_abi.packed import encode_packed
from hypothesis import given
from hypothesis import strategies as st

from dispatch_chain.bridge.message import (
    MESSAGE_LENGTH,
    BridgeMessage,
    BridgeMessageError,
    chain_id_hash,
    evm_address_of,
    evm_address_word,
)
from dispatch_chain.hashing import keccak256

VECTORS_PATH = Path(__file__).with_name("vectors.json")
VECTORS = json.loads(VECTORS_PATH.read_text())
PACKED_TYPES = ["uint8", "uint8", "bytes32", "bytes32", "uint64", "uint64", "bytes32", "bytes32", "bytes32"]


def _packed(fields: dict) -> bytes:
    """The message through eth_abi's encode_packed, an encoder independent of message.py."""
    return encode_packed(PACKED_TYPES, [
        int(fields["version"]), int(fields["kind"]),
        bytes.fromhex(fields["source_chain"][2:]), bytes.fromhex(fields["source_bridge"][2:]),
        int(fields["sequence"]), int(fields["amount"]),
        bytes.fromhex(fields["sender"][2:]), bytes.fromhex(fields["recipient"][2:]),
        bytes.fromhex(fields["destination_chain"][2:]),
    ])


@pytest.mark.parametrize("vector", VECTORS["messages"], ids=lambda v: v["name"])
def test_vector_encodes_decodes_and_digests(vector) -> None:
    message = BridgeMessage.from_json(vector["fields"])
    encoded = bytes.fromhex(vector["encoded"][2:])
    assert len(encoded) == MESSAGE_LENGTH == VECTORS["length"]
    assert message.encode() == encoded
    assert _packed(vector["fields"]) == encoded
    assert message.digest() == keccak256(encoded) == bytes.fromhex(vector["digest"][2:])
    assert BridgeMessage.decode(encoded) == message
    assert message.to_json() == vector["fields"]


def test_vectors_cover_the_edge_values() -> None:
    messages = [BridgeMessage.from_json(v["fields"]) for v in VECTORS["messages"]]
    assert {1, 2**64 - 1} <= {m.amount for m in messages}
    assert {0, 2**64 - 1} <= {m.sequence for m in messages}


@pytest.mark.parametrize("entry", VECTORS["chain_ids"], ids=lambda e: e["caip2"])
def test_chain_id_hash(entry) -> None:
    assert chain_id_hash(entry["caip2"]).hex() == entry["hash"][2:]
    assert chain_id_hash(entry["caip2"]) == keccak256(entry["caip2"].encode())


def test_vectors_file_is_what_the_generator_writes(repo_root) -> None:
    proc = subprocess.run([sys.executable, str(repo_root / "scripts" / "gen_bridge_vectors.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


@given(
    sequence=st.integers(0, 2**64 - 1), amount=st.integers(0, 2**64 - 1),
    words=st.lists(st.binary(min_size=32, max_size=32), min_size=5, max_size=5),
)
def test_roundtrip_any_fields(sequence, amount, words) -> None:
    message = BridgeMessage(source_chain=words[0], source_bridge=words[1], sequence=sequence, amount=amount,
                            sender=words[2], recipient=words[3], destination_chain=words[4])
    encoded = message.encode()
    assert BridgeMessage.decode(encoded) == message
    assert encoded == _packed(message.to_json())


@pytest.mark.parametrize(("change", "field"), [
    ({"sequence": 2**64}, "sequence"),
    ({"amount": -1}, "amount"),
    ({"amount": 2**64}, "amount"),
    ({"recipient": bytes(31)}, "recipient"),
    ({"source_chain": bytes(33)}, "source_chain"),
    ({"version": 256}, "version"),
])
def test_out_of_range_fields_name_the_field(change, field) -> None:
    base = {"source_chain": bytes(32), "source_bridge": bytes(32), "sequence": 0, "amount": 1,
            "sender": bytes(32), "recipient": bytes(32), "destination_chain": bytes(32)}
    with pytest.raises(BridgeMessageError) as info:
        BridgeMessage(**{**base, **change})
    assert info.value.field == field


@pytest.mark.parametrize("length", [0, 177, 179])
def test_decode_refuses_other_lengths(length) -> None:
    with pytest.raises(BridgeMessageError, match="178 bytes"):
        BridgeMessage.decode(bytes(length))


def test_evm_address_words() -> None:
    word = evm_address_word("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
    assert word == bytes(12) + bytes.fromhex("70997970c51812dc3a010c7d01b50e0d17dc79c8")
    assert evm_address_of(word) == "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
    with pytest.raises(BridgeMessageError):
        evm_address_of(b"\x01" + word[1:])
    with pytest.raises(BridgeMessageError):
        evm_address_word("0x1234")
    with pytest.raises(BridgeMessageError):
        chain_id_hash("no-namespace")
