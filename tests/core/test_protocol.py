"""BOLT amounts as text: exact parsing and formatting (no float on the way to base units)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_chain.protocol import BOLT, BOLT_SUPPLY, format_bolt, parse_bolt, parse_usdc


@given(st.integers(min_value=0, max_value=BOLT_SUPPLY * 10))
def test_format_then_parse_is_the_identity(base_units: int) -> None:
    assert parse_bolt(format_bolt(base_units)) == base_units


@pytest.mark.parametrize(("text", "base_units"), [
    ("100", 100 * BOLT), ("99.999999999", 100 * BOLT - 1), ("999.999999999", 1000 * BOLT - 1),
    ("0.000000001", 1), (".5", BOLT // 2), ("5.", 5 * BOLT), ("1,000,000,000", BOLT_SUPPLY), ("1_000", 1000 * BOLT),
])
def test_parses_exactly(text: str, base_units: int) -> None:
    assert parse_bolt(text) == base_units


@pytest.mark.parametrize(("text", "reason"), [
    ("1e3", "is not a BOLT amount"), ("-1", "is not a BOLT amount"), ("", "is not a BOLT amount"),
    (".", "is not a BOLT amount"), ("1.2.3", "is not a BOLT amount"), ("nan", "is not a BOLT amount"),
    ("²", "is not a BOLT amount"), ("1.0000000001", "more than 9 decimals"),
])
def test_rejects_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_bolt(text)


@pytest.mark.parametrize(
    ("text", "allow_zero", "expected"),
    [("0.008", False, 8000), ("1", False, 10**6), ("0", True, 0), ("12.345678", False, 12_345_678)],
)
def test_parse_usdc_is_exact(text: str, allow_zero: bool, expected: int) -> None:
    assert parse_usdc(text, allow_zero=allow_zero) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "is not a USDC amount"),
        ("0.0000001", "at most 6 decimals"),
        ("0", "a positive amount"),
        ("-1", "a positive amount"),
        ("NaN", "a positive amount"),
        ("Infinity", "a positive amount"),
        ("x" * 100, "'... is not a USDC amount"),
    ],
)
def test_parse_usdc_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_usdc(text)
    assert reason in str(raised.value)
