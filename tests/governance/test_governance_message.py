"""The governance parameters message (kind 2): layout, round trip, bad input, and the vector the Rust test shares."""

from __future__ import annotations

import pytest

from dispatch_chain.bridge.message import BridgeMessageError, chain_id_hash
from dispatch_chain.governance.message import MESSAGE_LENGTH, SPEND_MESSAGE_LENGTH, ParamsMessage, SpendMessage
from dispatch_chain.governance.params import DEFAULT_PARAMS
from dispatch_chain.hashing import keccak256

BOLT = 10**9
# programs/dispatch_governance/tests/governance.rs, the_message_encoding_matches_the_python_vector
VECTOR = ParamsMessage(
    source_chain=bytes([0x10]) * 32, source_emitter=bytes(12) + bytes([0xAB]) * 20, params_version=2, fee_bps=400,
    verified_threshold=150 * BOLT, sentinel_threshold=1_500 * BOLT, cooldown_seconds=3_600,
    destination_chain=bytes([0x5A]) * 32,
)
VECTOR_HEX = (
    "01021010101010101010101010101010101010101010101010101010101010101010000000000000000000000000abababababababababab"
    "abababababababababab0000000000000002019000000022ecb25c000000015d3ef798000000000000000e1000000000000000005a5a5a5a"
    "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
)
VECTOR_DIGEST = "11271dab5be664d740cbf6992109e17491c751cd02ba0418c1944f82cc1b99f8"


def test_vector_shared_with_rust() -> None:
    assert VECTOR.encode().hex() == VECTOR_HEX
    assert VECTOR.digest().hex() == VECTOR_DIGEST == keccak256(bytes.fromhex(VECTOR_HEX)).hex()


def test_layout_and_round_trip() -> None:
    raw = VECTOR.encode()
    assert len(raw) == MESSAGE_LENGTH and raw[:2] == b"\x01\x02"
    assert int.from_bytes(raw[66:74], "big") == 2 and int.from_bytes(raw[74:76], "big") == 400
    assert raw[100:108] == bytes(8)
    assert ParamsMessage.decode(raw) == VECTOR


def test_built_from_a_parameter_set() -> None:
    message = ParamsMessage.of(DEFAULT_PARAMS, monad_chain="eip155:10143", emitter="0x" + "ab" * 20,
                               solana_chain="solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1")
    assert message.source_chain == chain_id_hash("eip155:10143")
    assert (message.fee_bps, message.cooldown_seconds, message.params_version) == (500, 7 * 86_400, 0)


@pytest.mark.parametrize("bad", [bytes(139), bytes(141)])
def test_wrong_length_is_refused(bad: bytes) -> None:
    with pytest.raises(BridgeMessageError, match="140 bytes"):
        ParamsMessage.decode(bad)


def test_reserved_bytes_must_be_zero_and_fields_in_range() -> None:
    raw = bytearray(VECTOR.encode())
    raw[104] = 1
    with pytest.raises(BridgeMessageError, match="reserved"):
        ParamsMessage.decode(bytes(raw))
    with pytest.raises(BridgeMessageError, match="out of range"):
        ParamsMessage(**{**VECTOR.__dict__, "fee_bps": 2**16}).encode()


# programs/dispatch_governance/tests/governance.rs, the_spend_message_encoding_matches_the_python_vector
SPEND_VECTOR = SpendMessage(
    source_chain=bytes([0x10]) * 32, source_emitter=bytes(12) + bytes([0xAB]) * 20, spend_id=3, amount=1_000 * BOLT,
    recipient=bytes(range(1, 33)), destination_chain=bytes([0x5A]) * 32,
)
SPEND_HEX = (
    "01021010101010101010101010101010101010101010101010101010101010101010000000000000000000000000abababababababababab"
    "abababababababababab0000000000000003000000e8d4a510000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e"
    "1f205a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
)


def test_spend_vector_shared_with_rust() -> None:
    raw = SPEND_VECTOR.encode()
    assert len(raw) == SPEND_MESSAGE_LENGTH and raw.hex() == SPEND_HEX
    assert SPEND_VECTOR.digest().hex() == "380d90fc7521fb968e36b372fb7875f8796569a5ab3147c24dd426bc026c960b"
