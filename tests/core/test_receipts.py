"""Receipt model: strict parsing, canonical bytes, signatures, batch verification."""

from __future__ import annotations

import base64
import hashlib
import json
import threading

import pytest

from dispatch_chain import receipts
from dispatch_chain.receipts import (
    RECEIPT_FIELDS,
    InvalidSignature,
    JobComplete,
    Receipt,
    ReceiptError,
    SignedReceipt,
    parse_pubkey,
    parse_signature,
    verify_many,
)

from support import make_signed, make_worker

GOOD = {
    "job_id": "a1b2c3",
    "provider_pubkey": "ed25519:" + "ab" * 32,
    "output_hash": "sha256:" + "cd" * 32,
    "completed_at": "2026-02-10T12:00:00Z",
    "payment_ref": None,
}


def test_canonical_bytes_are_compact_json_in_field_order() -> None:
    receipt = Receipt.from_dict(dict(reversed(list(GOOD.items()))))
    assert receipt.canonical_bytes() == (
        b'{"job_id":"a1b2c3","provider_pubkey":"ed25519:' + b"ab" * 32 + b'","output_hash":"sha256:'
        + b"cd" * 32 + b'","completed_at":"2026-02-10T12:00:00Z","payment_ref":null}'
    )
    assert receipt.receipt_hash() == hashlib.sha256(receipt.canonical_bytes()).digest()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("é\u2028\x7f", '"é\u2028\x7f"'),  # literal: non-ASCII, line separator, DEL
        ('q"b\\', r'"q\"b\\"'),
        ("\b\f\n\r\t", r'"\b\f\n\r\t"'),
        ("\x00\x1f", r'"\u0000\u001f"'),
        ("\ud800x", r'"\ud800x"'),  # lone high surrogate, lowercase escape
        ("x\udfff", r'"x\udfff"'),  # lone low surrogate
        ("\ud83d\ude00", '"\U0001f600"'),  # a pair held as two code points is one character in JS
        ("\U0001f600", '"\U0001f600"'),
    ],
)
def test_job_id_escaping_matches_javascript(text: str, expected: str) -> None:
    receipt = Receipt.from_dict({**GOOD, "job_id": text})
    assert receipt.canonical_bytes().startswith(('{"job_id":' + expected + ",").encode("utf-8"))


def test_sign_and_verify_roundtrip(worker) -> None:
    signed = make_signed(worker, "job-1")
    assert signed.is_valid()
    assert signed.signature_text.startswith("base64:")
    assert parse_signature(signed.signature_text) == signed.signature
    again = SignedReceipt.from_parts(json.loads(json.dumps(signed.receipt.to_dict())), signed.signature_text)
    assert again == signed and again.is_valid()


def test_bare_hex_pubkey_is_accepted_and_normalised(worker) -> None:
    key = bytes(worker.verify_key)
    assert parse_pubkey(key.hex()) == key
    receipt = Receipt.from_dict({**GOOD, "provider_pubkey": "ab" * 32})
    assert receipt.provider_id == "ed25519:" + "ab" * 32
    # the canonical bytes keep what was signed
    assert b'"provider_pubkey":"' + b"ab" * 32 + b'"' in receipt.canonical_bytes()


@pytest.mark.parametrize(
    ("change", "field", "reason_part"),
    [
        ({"extra": 1}, "receipt.extra", "unknown field"),
        ({"job_id": None}, "receipt.job_id", "expected a string"),
        ({"job_id": ""}, "receipt.job_id", "must not be empty"),
        ({"provider_pubkey": "ed25519:" + "ab" * 31}, "receipt.provider_pubkey", "got 62 characters"),
        ({"provider_pubkey": "secp256k1:" + "ab" * 32}, "receipt.provider_pubkey", "expected prefix"),
        ({"provider_pubkey": "ed25519:" + "AB" * 32}, "receipt.provider_pubkey", "lowercase"),
        ({"output_hash": "cd" * 32}, "receipt.output_hash", "expected prefix 'sha256:'"),
        ({"output_hash": "sha256:" + "cd" * 33}, "receipt.output_hash", "got 66 characters"),
        ({"completed_at": "2026-02-10 12:00:00"}, "receipt.completed_at", "RFC 3339"),
        ({"completed_at": "2026-02-10T12:00:00+02:00"}, "receipt.completed_at", "RFC 3339"),
        ({"completed_at": "2026-13-10T12:00:00Z"}, "receipt.completed_at", "not a real date"),
        ({"payment_ref": 7}, "receipt.payment_ref", "string or null"),
    ],
)
def test_bad_fields_are_named(change: dict, field: str, reason_part: str) -> None:
    with pytest.raises(ReceiptError) as info:
        Receipt.from_dict({**GOOD, **change})
    assert info.value.field == field
    assert reason_part in info.value.reason


def test_missing_field_is_named() -> None:
    data = dict(GOOD)
    del data["payment_ref"]
    with pytest.raises(ReceiptError, match=r"receipt.payment_ref: missing field"):
        Receipt.from_dict(data)


@pytest.mark.parametrize(
    ("signature", "reason_part"),
    [
        ("AAAA", "expected prefix 'base64:'"),
        ("base64:not base64!", "not standard padded base64"),
        ("base64:" + base64.b64encode(b"\x01" * 64).decode().rstrip("="), "not standard padded base64"),
        ("base64:" + base64.b64encode(b"\x01" * 63).decode(), "64 bytes, got 63"),
        (None, "expected a string"),
    ],
)
def test_bad_signature_encoding(signature, reason_part) -> None:
    with pytest.raises(ReceiptError) as info:
        parse_signature(signature)
    assert info.value.field == "receipt_signature"
    assert reason_part in info.value.reason


def test_tampered_receipt_does_not_verify(worker) -> None:
    signed = make_signed(worker, "job-1")
    tampered = SignedReceipt(Receipt.from_dict({**signed.receipt.to_dict(), "payment_ref": "x"}), signed.signature)
    assert not tampered.is_valid()
    with pytest.raises(InvalidSignature):
        tampered.check()
    other = make_signed(make_worker(2), "job-1")
    assert not SignedReceipt(signed.receipt, other.signature).is_valid()


def test_job_complete_message(worker) -> None:
    signed = make_signed(worker, "job-9")
    message = {
        "type": "job_complete",
        "job_id": "job-9",
        "output": {"text": "hi"},
        "output_hash": signed.receipt.output_hash,
        "receipt": signed.receipt.to_dict(),
        "receipt_signature": signed.signature_text,
    }
    parsed = JobComplete.from_message(message)
    assert parsed.signed == signed
    assert parsed.to_message() == message
    with pytest.raises(ReceiptError, match="type: expected 'job_complete'"):
        JobComplete.from_message({**message, "type": "job_assign"})
    with pytest.raises(ReceiptError, match=r"receipt\.job_id: differs"):
        JobComplete.from_message({**message, "job_id": "job-10"})
    with pytest.raises(ReceiptError, match="receipt_signature: missing field"):
        JobComplete.from_message({k: v for k, v in message.items() if k != "receipt_signature"})
    with pytest.raises(ReceiptError, match="surprise: unknown field"):
        JobComplete.from_message({**message, "surprise": 1})


@pytest.mark.parametrize("native", [True, False], ids=["batch-loop", "one-call-each"])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_verify_many_reports_each_bad_one(worker, workers, native, monkeypatch) -> None:
    # 1,200 items: enough for verify_many to use `workers` threads
    good = [make_signed(worker, f"job-{i}") for i in range(1200)]
    items: list[object] = list(good)
    items[5] = SignedReceipt(good[6].receipt, good[5].signature)  # wrong signature
    items[7] = {"receipt": {**good[7].receipt.to_dict(), "job_id": 3}, "receipt_signature": good[7].signature_text}
    items[9] = {"type": "job_complete"}
    items[11] = "not a receipt"
    items[1100] = {"receipt": good[1100].receipt.to_dict(), "receipt_signature": good[1101].signature_text}
    # built by hand, past the parser: a short signature and a short key are bad signatures, not crashes
    items[13] = SignedReceipt(good[13].receipt, good[13].signature[:63])
    items[15] = SignedReceipt(
        Receipt(*(getattr(good[15].receipt, f) for f in RECEIPT_FIELDS), b"\x01" * 31), good[15].signature
    )
    threads = set()
    real_check_range = receipts._check_range

    def recording(*args):
        threads.add(threading.get_ident())
        return real_check_range(*args)

    monkeypatch.setattr(receipts, "_check_range", recording)
    report = verify_many(items, workers=workers, native=native)
    assert len(threads) == workers  # the shares really ran on that many threads
    assert len(report) == 1200
    bad = {check.index: check.reason for check in report.invalid}
    assert set(bad) == {5, 7, 9, 11, 13, 15, 1100}
    assert all("signature does not verify" in bad[i] for i in (5, 13, 15, 1100))
    assert "receipt.job_id: expected a string" in bad[7]
    assert "job_id: missing field" in bad[9]
    assert "expected a job_complete message" in bad[11]
    assert [c.index for c in report.checks] == list(range(1200))
    assert len(report.valid) == 1193
    # identical to one worker, check by check, including the receipts handed back
    assert report.checks == verify_many(items, workers=1).checks
    assert report.valid == [s for i, s in enumerate(good) if i not in {5, 7, 9, 11, 13, 15, 1100}]
    assert report.checks[5].signed == items[5] and report.checks[1100].signed.signature == good[1101].signature
