"""Property-based tests of the public parsers: anything in, a result or the parser's own error out.

Huge integers, deep nesting, bytes that are not UTF-8 and wrong types must
come back as the documented exception class with a message naming the field,
never as a crash from deeper down (ValueError, RecursionError, ...).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dispatch_chain import receipts
from dispatch_chain.bundle import BundleError, ChainAnchor, bundle_for, load_bundle, parse_bundle
from dispatch_chain.config import load_network
from dispatch_chain.deployments import load_manifest
from dispatch_chain.errors import ConfigError
from dispatch_chain.jsoninput import JsonInputError, parse_json
from dispatch_chain.keys import read_keypair_file
from dispatch_chain.protocol import BOLT, MAX_BASE_UNITS, format_bolt, parse_bolt
from dispatch_chain.receipts import RECEIPT_FIELDS, JobComplete, Receipt, ReceiptError, SignedReceipt, verify_many

from support import make_signed, make_worker

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=5)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=25)
HUGE = 10**5000 - 1  # 5,000 digits: beyond Python's 4,300-digit str conversion limit
NASTY_DOCUMENTS = [
    b'{"job_id": ' + b"9" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"job_id": "caf\xe9"}',
    b"\xff\xfe\x00\x00",
    b"",
]
SIGNED = make_signed(make_worker(3), "prop-job")
RECEIPT = SIGNED.receipt.to_dict()


# -- receipts --------------------------------------------------------------------------------------------------

@given(json_values)
def test_receipt_parsers_raise_only_receipt_errors(value) -> None:
    for parse in (Receipt.from_dict, JobComplete.from_message, lambda v: SignedReceipt.from_parts(v, v)):
        try:
            parse(value)
        except ReceiptError as exc:
            assert str(exc)


@given(st.sampled_from(RECEIPT_FIELDS), json_values.filter(lambda v: not isinstance(v, str)))
def test_a_field_of_the_wrong_type_is_named(field, value) -> None:
    assume(not (field == "payment_ref" and value is None))  # null is a valid payment_ref
    with pytest.raises(ReceiptError) as info:
        Receipt.from_dict({**RECEIPT, field: value})
    assert info.value.field == f"receipt.{field}", str(info.value)


@pytest.mark.parametrize("value", [HUGE, -HUGE, [[[[[[[[]]]]]]]], {"a": HUGE}, b"bytes", 1.5e308],
                         ids=["huge", "-huge", "nested", "dict", "bytes", "float"])
def test_receipt_fields_of_absurd_types(value) -> None:
    for field in RECEIPT_FIELDS:
        with pytest.raises(ReceiptError, match=f"^receipt.{field}: expected a string"):
            Receipt.from_dict({**RECEIPT, field: value})


@given(st.lists(json_values | st.just(SIGNED.to_dict()), max_size=8))
def test_verify_many_reports_every_item_and_never_raises(items) -> None:
    report = verify_many(items)
    assert len(report) == len(items)
    assert len(report.valid) == sum(1 for item in items if item == SIGNED.to_dict())


MESSAGE = JobComplete(SIGNED.receipt.job_id, {}, SIGNED.receipt.output_hash, SIGNED).to_message()


def _mutations():
    """A job_complete message with one value replaced: anywhere in the message or its receipt, by any JSON
    value or by a one-character edit of the string that was there."""
    # (not "type": an item of another type is not a job_complete message, verify_many says so in general terms)
    places = [(None, key) for key in MESSAGE if key != "type"] + [("receipt", key) for key in RECEIPT]

    def edited(text: str) -> st.SearchStrategy:
        return st.tuples(st.integers(0, len(text)), st.integers(0, 2), st.characters()).map(
            lambda t: text[: t[0]] + t[2] * (t[1] > 0) + text[t[0] + (t[1] != 1):]
        )

    def mutate(place):
        parent, key = place
        current = (MESSAGE if parent is None else MESSAGE[parent])[key]
        values = json_values | (edited(current) if isinstance(current, str) else st.nothing())
        return values.map(lambda value: (parent, key, value))

    return st.sampled_from(places).flatmap(mutate)


@given(_mutations())
def test_the_batch_fast_path_decides_as_the_full_checks(mutation) -> None:
    """verify_many (and JobComplete.from_message) take a shortcut for well-formed messages; whatever a message
    holds, its outcome is the one every check in order (receipts._checked_message) and the signature give."""
    parent, key, value = mutation
    message = json.loads(json.dumps(MESSAGE))
    (message if parent is None else message[parent])[key] = value
    [check] = verify_many([message]).checks
    try:
        expected = receipts._checked_message(message)
    except ReceiptError as exc:
        assert (check.valid, check.reason, check.signed) == (False, str(exc), None)
        return
    assert check.signed == expected
    assert check.valid == expected.is_valid()


# -- JSON documents and bundles -----------------------------------------------------------------------------------

@given(st.binary(max_size=200))
def test_parse_json_raises_only_its_own_error(data) -> None:
    try:
        parse_json(data, "input")
    except JsonInputError as exc:
        assert str(exc).startswith("input")


@pytest.mark.parametrize("data", NASTY_DOCUMENTS, ids=["huge-int", "deep", "latin1", "utf32-bom", "empty"])
def test_nasty_documents_are_clear_errors(data, tmp_path) -> None:
    path = tmp_path / "nasty.json"
    path.write_bytes(data)
    with pytest.raises(BundleError, match=str(path)):
        load_bundle(path)
    with pytest.raises(ConfigError, match=str(path)):
        load_manifest(path)
    with pytest.raises(ConfigError, match=str(path)):
        read_keypair_file(path)


@given(json_values)
def test_parse_bundle_raises_only_bundle_errors(value) -> None:
    try:
        parse_bundle(value)
    except BundleError as exc:
        assert str(exc).startswith("bundle")


anchors = st.builds(
    ChainAnchor,
    chain=st.sampled_from(["eip155:10143", "eip155:31337", "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"]),
    contract=st.text(min_size=1, max_size=64),
    batch_id=st.integers(1, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()),
    proof=st.lists(st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()), max_size=12),
    tx=st.none() | st.text(max_size=90),
    block=st.none() | st.integers(0, 2**64 - 1),
)


@given(st.lists(anchors, max_size=3))
def test_bundles_round_trip(tmp_path_factory, chain_anchors) -> None:
    bundle = bundle_for(SIGNED, chain_anchors)
    path = tmp_path_factory.mktemp("bundle") / "bundle.json"
    path.write_text(bundle.to_json())
    assert load_bundle(path) == bundle


@given(st.sampled_from(["batch_id", "block"]), st.integers(2**64, 2**70) | st.integers(max_value=-1)
       | st.sampled_from(["1", 1.0, True, None, [1]]))
def test_out_of_range_or_mistyped_numbers_are_named(field, value) -> None:
    assume(not (field == "block" and value is None))
    anchor = {"chain": "eip155:1", "contract": "0x" + "11" * 20, "batch_id": 1, "root": "0x" + "22" * 32,
              "proof": [], "tx": None, "block": 5, field: value}
    data = json.loads(bundle_for(SIGNED, []).to_json()) | {"anchors": [anchor]}
    with pytest.raises(BundleError, match=f"anchors.0.{field}"):
        parse_bundle(data)


def test_a_malformed_receipt_makes_a_malformed_bundle() -> None:
    data = json.loads(bundle_for(SIGNED, []).to_json())
    data["receipt"]["output_hash"] = "sha256:xyz"
    with pytest.raises(BundleError, match=r"receipt\.output_hash: expected 64 hex digits"):
        parse_bundle(data)


# -- amounts -----------------------------------------------------------------------------------------------------

@given(st.text(max_size=40))
def test_parse_bolt_returns_a_u64_or_value_error(text) -> None:
    try:
        amount = parse_bolt(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert 0 <= amount <= MAX_BASE_UNITS


@given(st.integers(0, MAX_BASE_UNITS))
def test_parse_bolt_is_exact(amount) -> None:
    assert parse_bolt(format_bolt(amount)) == amount
    assert parse_bolt(str(amount // BOLT)) == amount // BOLT * BOLT


@given(st.integers(MAX_BASE_UNITS + 1, 10**24))
def test_amounts_of_2_64_base_units_or_more_are_refused(amount) -> None:
    with pytest.raises(ValueError, match=r"2\^64 - 1 base units"):
        parse_bolt(format_bolt(amount))


@pytest.mark.parametrize("value", ["9" * 5000, "1e9", "-1", "0x10", "١٢", "1.0000000001", HUGE, 100, None],
                         ids=["5000-digits", "exponent", "negative", "hex", "arabic-digits", "10-decimals", "huge-int",
                              "int", "none"])
def test_bad_amounts(value) -> None:
    with pytest.raises(ValueError):
        parse_bolt(value)


# -- configuration files -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"[networks.x]\nevm = {rpc_url = 'u', chain_id = " + b"9" * 5000 + b"}\n",
                                  b"x = " + b"[" * 5000 + b"]" * 5000, b"x = '\xff'", b"[networks"])
def test_config_files_fail_as_config_errors(data, tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError):
        load_network("x", config_file=path, env={})
