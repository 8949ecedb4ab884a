"""The project's Anchor IDL coder (dispatch_chain/solana/idl.py) against the committed IDLs.

Discriminators are checked against Anchor's rule (sha256 of ``global:`` /
``account:`` / ``event:`` + name), every instruction, account and event type
of every IDL round-trips with values drawn from its own type, a few layouts
are checked byte by byte against hand-written Borsh, and every malformed input
is a typed error. The round trips through the real programs are the Solana
tests (tests/solana, tests/core/*_sbf.py), which build every instruction and
decode every account through this coder; test_events_of_a_real_transaction
(tests/solana/test_anchor.py) decodes events from a real transaction's logs.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import random
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from solders.pubkey import Pubkey

from dispatch_chain.errors import ConfigError
from dispatch_chain.solana.idl import (
    EnumValue,
    Idl,
    IdlDecodeError,
    IdlEncodeError,
    IdlError,
    Record,
    Type,
    parse_type,
    program_data,
)
from dispatch_chain.solana.programs import IdlProgram, load_idl

NAMES = sorted(p.name.removesuffix(".json") for p in resources.files("dispatch_chain").joinpath("idl").iterdir()
               if p.name.endswith(".json"))


def test_every_committed_idl_loads() -> None:
    assert set(NAMES) >= {"dispatch_anchor", "dispatch_bridge", "dispatch_rewards", "dispatch_settlement",
                          "dispatch_staking", "dispatch_vesting"}
    for name in NAMES:
        idl = load_idl(name)
        assert idl.name == name and idl.address and idl.instructions and idl.errors


def _sighash(namespace: str, name: str) -> bytes:
    return hashlib.sha256(f"{namespace}:{name}".encode()).digest()[:8]


@pytest.mark.parametrize("name", NAMES)
def test_discriminators_follow_anchors_rule(name: str) -> None:
    idl = load_idl(name)
    for ix in idl.instructions:
        assert ix.discriminator == _sighash("global", ix.name), ix.name
    for account in idl.accounts:
        assert account.discriminator == _sighash("account", account.name), account.name
        assert IdlProgram.load(name).discriminator(account.name) == account.discriminator
    for event in idl.events:
        assert event.discriminator == _sighash("event", event.name), event.name


# -- values drawn from a type -----------------------------------------------------------------

_INT_RANGES = {f"{s}{b}": ((-(2 ** (b - 1)), 2 ** (b - 1) - 1) if s == "i" else (0, 2**b - 1))
               for s in "ui" for b in (8, 16, 32, 64, 128)}


def _value(idl: Idl, t: Type, rng: random.Random) -> Any:
    k = t.kind
    if k in _INT_RANGES:
        lo, hi = _INT_RANGES[k]
        return rng.choice([lo, hi, rng.randint(lo, hi)])
    if k == "bool":
        return rng.random() < 0.5
    if k == "pubkey":
        return Pubkey.from_bytes(rng.randbytes(32))
    if k == "bytes":
        return rng.randbytes(rng.randint(0, 40))
    if k == "string":
        return "".join(rng.choice("aé€𝄞 ") for _ in range(rng.randint(0, 12)))
    assert t.inner is not None or k == "defined"
    if k == "array":
        return [_value(idl, t.inner, rng) for _ in range(t.length)]  # type: ignore[arg-type]
    if k == "vec":
        return [_value(idl, t.inner, rng) for _ in range(rng.randint(0, 4))]  # type: ignore[arg-type]
    if k == "option":
        return None if rng.random() < 0.3 else _value(idl, t.inner, rng)  # type: ignore[arg-type]
    td = idl.type_def(t.name)
    if td.kind == "struct":
        return Record((f.name, _value(idl, f.type, rng)) for f in td.fields)
    variant = rng.choice(td.variants)
    if variant.fields is None:
        return EnumValue(variant.name)
    fields = Record((f.name, _value(idl, f.type, rng)) for f in variant.fields)
    return EnumValue(variant.name, fields if variant.named else tuple(fields.values()))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(8))
def test_every_instruction_account_and_event_round_trips(name: str, seed: int) -> None:
    idl = load_idl(name)
    rng = random.Random(f"{name}-{seed}")
    for ix in idl.instructions:
        args = [_value(idl, f.type, rng) for f in ix.args]
        data = idl.encode_instruction(ix.name, args)
        assert data[:8] == ix.discriminator
        decoded = idl.decode_instruction(data)
        assert decoded == (ix.name, Record((f.name, a) for f, a in zip(ix.args, args, strict=True)))
    for account in idl.accounts:
        value = _value(idl, Type("defined", name=account.name), rng)
        data = idl.encode_account(account.name, value)
        assert idl.decode_account(account.name, data) == value
        assert idl.decode_account(account.name, data + bytes(100)) == value  # Anchor's spare space
        assert IdlProgram.load(name).decode(account.name, data) == value
    for event in idl.events:
        value = _value(idl, Type("defined", name=event.name), rng)
        assert idl.decode_event(idl.encode_event(event.name, value)) == (event.name, value)


# -- byte-exact layouts -----------------------------------------------------------------------


def test_stake_account_layout_byte_by_byte() -> None:
    idl = load_idl("dispatch_staking")
    worker = Pubkey.from_bytes(bytes(range(32)))
    data = idl.encode_account("StakeAccount", {"worker": worker, "active": 5, "pending": 2**64 - 1,
                                               "unlock_at": -2, "bump": 254})
    assert data == (_sighash("account", "StakeAccount") + bytes(range(32)) + (5).to_bytes(8, "little")
                    + b"\xff" * 8 + (-2).to_bytes(8, "little", signed=True) + b"\xfe")


def test_vec_string_option_bytes_and_enum_encodings() -> None:
    idl = _toy_idl()
    value = {"names": ["ab", "é"], "maybe": 7, "none": None, "raw": b"\x00\x01", "flag": True,
             "status": "Second", "shape": {"Rect": {"w": 2, "h": 3}}, "pair": {"Pair": [1, -1]},
             "big": 2**127 - 1, "fixed": b"\x09\x08"}
    data = idl.encode_account("Toy", value)
    expected = (_sighash("account", "Toy")
                + b"\x02\x00\x00\x00" + b"\x02\x00\x00\x00ab" + b"\x02\x00\x00\x00\xc3\xa9"
                + b"\x01" + (7).to_bytes(4, "little") + b"\x00"
                + b"\x02\x00\x00\x00\x00\x01" + b"\x01" + b"\x01"
                + b"\x01" + (2).to_bytes(2, "little") + (3).to_bytes(2, "little")
                + b"\x02" + b"\x01" + b"\xff"
                + (2**127 - 1).to_bytes(16, "little", signed=True) + b"\x09\x08")
    assert data == expected
    decoded = idl.decode_account("Toy", data)
    assert decoded.names == ["ab", "é"] and decoded.maybe == 7 and decoded.none is None
    assert decoded.raw == b"\x00\x01" and decoded.status == EnumValue("Second")
    assert decoded.shape == EnumValue("Rect", Record(w=2, h=3)) and decoded.pair == EnumValue("Pair", (1, -1))
    assert decoded.fixed == [9, 8] and bytes(decoded.fixed) == b"\x09\x08"


def _toy_idl() -> Idl:
    import json

    toy = {
        "address": "11111111111111111111111111111111",
        "metadata": {"name": "toy", "version": "0.1.0", "spec": "0.1.0"},
        "instructions": [],
        "accounts": [{"name": "Toy", "discriminator": list(_sighash("account", "Toy"))}],
        "events": [],
        "errors": [],
        "types": [
            {"name": "Toy", "type": {"kind": "struct", "fields": [
                {"name": "names", "type": {"vec": "string"}},
                {"name": "maybe", "type": {"option": "u32"}},
                {"name": "none", "type": {"option": "pubkey"}},
                {"name": "raw", "type": "bytes"},
                {"name": "flag", "type": "bool"},
                {"name": "status", "type": {"defined": {"name": "Status"}}},
                {"name": "shape", "type": {"defined": {"name": "Shape"}}},
                {"name": "pair", "type": {"defined": {"name": "Shape"}}},
                {"name": "big", "type": "i128"},
                {"name": "fixed", "type": {"array": ["u8", 2]}},
            ]}},
            {"name": "Status", "type": {"kind": "enum", "variants": [{"name": "First"}, {"name": "Second"}]}},
            {"name": "Shape", "type": {"kind": "enum", "variants": [
                {"name": "Dot"},
                {"name": "Rect", "fields": [{"name": "w", "type": "u16"}, {"name": "h", "type": "u16"}]},
                {"name": "Pair", "fields": ["i8", "i8"]},
            ]}},
        ],
    }
    return Idl.from_json(json.dumps(toy))


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("active", 2**64, "does not fit u64"),
        ("active", -1, "does not fit u64"),
        ("active", True, "expected an integer"),
        ("active", "5", "expected an integer"),
        ("worker", "not-base58!", "is not a base58 public key"),
        ("worker", b"short", "expected a public key"),
    ],
)
def test_values_that_do_not_fit_name_the_field(field: str, value: Any, message: str) -> None:
    good = {"worker": Pubkey.default(), "active": 1, "pending": 0, "unlock_at": 0, "bump": 1}
    with pytest.raises(IdlEncodeError, match=f"StakeAccount.{field}: .*{message}"):
        load_idl("dispatch_staking").encode_account("StakeAccount", {**good, field: value})


def test_structs_arrays_and_enums_refuse_wrong_shapes() -> None:
    idl = _toy_idl()
    good: dict[str, Any] = {"names": [], "maybe": None, "none": None, "raw": b"", "flag": False, "status": "First",
                            "shape": "Dot", "pair": "Dot", "big": 0, "fixed": [0, 0]}
    idl.encode_account("Toy", good)
    for change, message in [
        ({"fixed": [0, 0, 0]}, r"expected 2 items for \[u8; 2\]"),
        ({"status": "Third"}, "Status has no variant 'Third'"),
        ({"shape": {"Rect": {"w": 1}}}, "missing field 'h'"),
        ({"shape": {"Dot": {"x": 1}}}, "Shape::Dot has no fields"),
        ({"pair": {"Pair": [1]}}, "expected 2 tuple fields"),
        ({"flag": 1}, "expected a bool"),
        ({"raw": "text"}, "expected bytes"),
        ({"names": "ab"}, "expected a list"),
        ({"extra": 1}, r"unknown fields \['extra'\]"),
    ]:
        with pytest.raises(IdlEncodeError, match=message):
            idl.encode_account("Toy", {**good, **change})
    bad = dict(good)
    del bad["big"]
    with pytest.raises(IdlEncodeError, match="missing field 'big'"):
        idl.encode_account("Toy", bad)
    with pytest.raises(IdlEncodeError, match="takes 1 arguments, got 0"):
        load_idl("dispatch_staking").encode_instruction("stake", [])


def test_malformed_data_is_a_decode_error() -> None:
    idl = _toy_idl()
    data = idl.encode_account("Toy", {"names": ["x"], "maybe": 1, "none": None, "raw": b"", "flag": True,
                                      "status": "First", "shape": "Dot", "pair": "Dot", "big": 0, "fixed": [0, 0]})
    head = 8
    flag_at = head + 4 + 5 + 5 + 1 + 4
    status_at = flag_at + 1
    for broken, message in [
        (data[:-1], "Toy.fixed: 2 items announced, 1 bytes left"),
        (data[:head], "truncated"),
        (_replace(data, head + 4 + 5, b"\x02"), "option tag 2"),
        (_replace(data, flag_at, b"\x05"), "bool byte 5"),
        (_replace(data, status_at, b"\x07"), "Status has no variant 7"),
        (_replace(data, head, b"\xff\xff\xff\x7f"), "items announced"),
        (_replace(data, head + 8, b"\xff"), "not UTF-8"),
        (b"\x00" * 8 + data[8:], "discriminator differs"),
    ]:
        with pytest.raises(IdlDecodeError, match=message):
            idl.decode_account("Toy", broken)
    staking = load_idl("dispatch_staking")
    stake = staking.encode_instruction("stake", [5])
    assert staking.decode_instruction(b"\x00" * 16) is None
    with pytest.raises(IdlDecodeError, match="bytes after the arguments"):
        staking.decode_instruction(stake + b"\x00")
    with pytest.raises(IdlDecodeError, match="truncated"):
        staking.decode_instruction(stake[:-1])


def _replace(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new):]


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_decode_or_raise_the_typed_error(data: bytes) -> None:
    for name in NAMES:
        idl = load_idl(name)
        for account in idl.accounts:
            with contextlib.suppress(IdlDecodeError):
                idl.decode_account(account.name, account.discriminator + data)
        with contextlib.suppress(IdlDecodeError):
            idl.decode_event(data)
        with contextlib.suppress(IdlDecodeError):
            idl.decode_instruction(data)


def test_unsupported_and_malformed_idls_are_config_errors() -> None:
    for spec in ["f64", {"array": ["u8"]}, {"hashmap": ["u8", "u8"]}, {"defined": {"name": "X", "generics": [1]}}]:
        with pytest.raises(IdlError):
            parse_type(spec)
    assert str(parse_type({"vec": {"option": {"array": ["pubkey", 3]}}})) == "Vec<Option<[pubkey; 3]>>"
    with pytest.raises(IdlError, match="legacy"):
        Idl.from_json('{"instructions": [], "metadata": {"name": "old"}}')
    with pytest.raises(IdlError, match="not an Anchor IDL"):
        Idl.from_json("[]")
    with pytest.raises(IdlError, match="undefined type 'Missing'"):
        Idl.from_json('{"metadata": {"name": "x", "spec": "0.1.0"}, "instructions": [{"name": "a", '
                      '"discriminator": [0,0,0,0,0,0,0,0], "accounts": [], '
                      '"args": [{"name": "m", "type": {"defined": {"name": "Missing"}}}]}]}')
    assert issubclass(IdlError, ConfigError)
    with pytest.raises(ConfigError, match="has no account 'Nope'"):
        IdlProgram.load("dispatch_staking").discriminator("Nope")
    with pytest.raises(ConfigError, match="no instruction 'nope'"):
        IdlProgram.load("dispatch_staking").instruction("nope", accounts={})


def test_instruction_accounts_follow_the_idl_and_missing_ones_are_named() -> None:
    program = IdlProgram.load("dispatch_staking")
    worker = Pubkey.new_unique()
    idl_accounts = program.idl.instruction("cancel_unstake").accounts
    keys = {a.name: Pubkey.new_unique() for a in idl_accounts}
    ix = program.instruction("cancel_unstake", accounts={**keys, "worker": worker, "unused": Pubkey.new_unique()})
    assert [m.pubkey for m in ix.accounts] == [worker if a.name == "worker" else keys[a.name] for a in idl_accounts]
    assert [(m.is_signer, m.is_writable) for m in ix.accounts] == [(a.signer, a.writable) for a in idl_accounts]
    assert program.decode_instruction(bytes(ix.data)) == ("cancel_unstake", Record())
    del keys[idl_accounts[0].name]
    with pytest.raises(ConfigError, match=f"account '{idl_accounts[0].name}' is missing"):
        program.instruction("cancel_unstake", accounts=keys)


# -- events in logs ---------------------------------------------------------------------------


def test_events_are_credited_to_the_program_that_logged_them() -> None:
    program = IdlProgram.load("dispatch_staking")
    me, other = str(program.program_id), str(Pubkey.new_unique())
    staked = load_idl("dispatch_staking").events[0]
    value = _value(program.idl, Type("defined", name=staked.name), random.Random(1))
    ours = base64.b64encode(program.idl.encode_event(staked.name, value)).decode()
    logs = [
        f"Program {other} invoke [1]",
        f"Program data: {ours}",  # the caller's line, not ours
        f"Program {me} invoke [2]",
        "Program log: Instruction: Stake",
        f"Program data: {ours}",
        "Program data: !!not base64!!",
        "Program data: " + base64.b64encode(b"\x01" * 12).decode(),  # no event of this IDL
        f"Program {me} consumed 100 of 200 compute units",
        f"Program {me} success",
        f"Program data: {ours}",  # the caller again
        f"Program {other} success",
    ]
    assert program.events(logs) == [(staked.name, value)]
    assert len(program_data(logs, other)) == 2
