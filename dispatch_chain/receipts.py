"""Dispatch receipts: the model, canonical bytes, ed25519 signatures, batch checks.

A receipt (whitepaper §3.5, §4.3) has exactly five fields, in this order::

    job_id           string
    provider_pubkey  "ed25519:" + 64 lowercase hex   (bare hex accepted on input)
    output_hash      "sha256:" + 64 lowercase hex
    completed_at     RFC 3339 UTC timestamp string
    payment_ref      string or null

Its canonical bytes are the UTF-8 of JavaScript ``JSON.stringify`` of that
object; the worker signs them with ed25519 and the signature travels as
``"base64:" + padded base64``. ``receipt_hash = sha256(canonical bytes)``.

Parsing is strict: a missing or unknown field, a bad prefix or a wrong length
raises :class:`ReceiptError` naming the field; nothing malformed is ever
reported as valid.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import nacl.bindings
import nacl.signing

try:  # PyNaCl's own cffi binding of libsodium, to call crypto_sign_open without per-call allocations
    from nacl._sodium import ffi as _ffi
    from nacl._sodium import lib as _lib
except ImportError:  # pragma: no cover
    _ffi = _lib = None

from dispatch_chain import jsjson
from dispatch_chain.ed25519_batch import BatchVerifier, batch_verifier
from dispatch_chain.errors import DispatchChainError
from dispatch_chain.hashing import keccak256

RECEIPT_FIELDS: tuple[str, ...] = ("job_id", "provider_pubkey", "output_hash", "completed_at", "payment_ref")
JOB_COMPLETE_FIELDS: tuple[str, ...] = ("type", "job_id", "output", "output_hash", "receipt", "receipt_signature")
_RECEIPT_KEYS = frozenset(RECEIPT_FIELDS)
_JOB_COMPLETE_KEYS = frozenset(JOB_COMPLETE_FIELDS)
PUBKEY_PREFIX = "ed25519:"
OUTPUT_HASH_PREFIX = "sha256:"
SIGNATURE_PREFIX = "base64:"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_RFC3339_UTC = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|\+00:00)")
# The common case in one match: month, day <= 28, hour, minute and second ranges.
_RFC3339_UTC_EASY = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d{1,9})?(?:Z|\+00:00)"
)
_PUBKEY = re.compile(r"(?:ed25519:)?([0-9a-f]{64})")
_OUTPUT_HASH = re.compile(r"sha256:[0-9a-f]{64}")


class ReceiptError(DispatchChainError):
    """A receipt or ``job_complete`` message is malformed.

    ``field`` is the dotted name of the offending field (``receipt.output_hash``),
    or ``None`` when the problem is the document as a whole.
    """

    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)


class InvalidSignature(ReceiptError):
    """A well-formed receipt whose signature does not verify under its pubkey."""

    def __init__(self, reason: str = "ed25519 signature does not verify for provider_pubkey") -> None:
        super().__init__("receipt_signature", reason)


def _describe(value: object) -> str:
    try:
        text = repr(value[:64]) if isinstance(value, str) else repr(value)  # the same first 40 characters
    except (ValueError, RecursionError):  # an int beyond Python's digit limit; a structure nested too deep
        return f"<{type(value).__name__} too large to show>"
    return text if len(text) <= 40 else text[:37] + "..."


def _require_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise ReceiptError(where, f"expected a string, got {type(value).__name__} {_describe(value)}")
    return value


def _check_prefixed_hex(value: str, prefix: str, where: str, *, bare_ok: bool) -> str:
    """Return the 64 hex digits of ``prefix + hex`` (or of bare hex when allowed)."""
    if value.startswith(prefix):
        digits = value[len(prefix) :]
    elif bare_ok and ":" not in value:
        digits = value
    else:
        got = value.split(":", 1)[0] + ":" if ":" in value else "no prefix"
        raise ReceiptError(where, f"expected prefix {prefix!r}, got {got!r}")
    if _HEX64.fullmatch(digits) is None:
        if len(digits) != 64:
            raise ReceiptError(where, f"expected 64 hex digits (32 bytes), got {len(digits)} characters")
        raise ReceiptError(where, "expected lowercase hex digits [0-9a-f]")
    return digits


_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _check_timestamp(value: str, where: str) -> None:
    if _RFC3339_UTC_EASY.fullmatch(value) is not None:
        return
    match = _RFC3339_UTC.fullmatch(value)
    if match is None:
        raise ReceiptError(
            where, f"expected an RFC 3339 UTC timestamp like 2026-02-10T12:00:00Z, got {_describe(value)}"
        )
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month] or (month == 2 and day == 29 and not leap):
        raise ReceiptError(where, f"not a real date: {value[:10]}")
    if hour > 23 or minute > 59 or second > 60:  # 60: a leap second, as RFC 3339 allows
        raise ReceiptError(where, f"not a real time of day: {value[11:19]}")


def parse_pubkey(value: str, where: str = "provider_pubkey") -> bytes:
    """Decode an ed25519 public key given as ``ed25519:<hex>`` or bare hex."""
    if not isinstance(value, str):
        raise ReceiptError(where, f"expected a string, got {type(value).__name__}")
    return bytes.fromhex(_check_prefixed_hex(value, PUBKEY_PREFIX, where, bare_ok=True))


def format_pubkey(key: bytes) -> str:
    """The canonical text form of a 32-byte ed25519 public key."""
    if len(key) != 32:
        raise ReceiptError("provider_pubkey", f"an ed25519 public key has 32 bytes, got {len(key)}")
    return PUBKEY_PREFIX + key.hex()


def parse_signature(value: object, where: str = "receipt_signature") -> bytes:
    """Decode ``base64:<padded standard base64>`` into the 64-byte signature."""
    if not isinstance(value, str):
        raise ReceiptError(where, f"expected a string, got {type(value).__name__} {_describe(value)}")
    if not value.startswith(SIGNATURE_PREFIX):
        raise ReceiptError(where, f"expected prefix {SIGNATURE_PREFIX!r}")
    text = value[len(SIGNATURE_PREFIX) :]
    try:
        # strict_mode: only the standard alphabet, correct padding, nothing after it
        raw = binascii.a2b_base64(text, strict_mode=True) if len(text) % 4 == 0 else None
    except (binascii.Error, ValueError):
        raw = None
    if raw is None:
        raise ReceiptError(where, "not standard padded base64")
    if len(raw) != 64:
        raise ReceiptError(where, f"an ed25519 signature has 64 bytes, got {len(raw)}")
    return raw


def format_signature(signature: bytes) -> str:
    """The wire form of a 64-byte ed25519 signature."""
    if len(signature) != 64:
        raise ReceiptError("receipt_signature", f"an ed25519 signature has 64 bytes, got {len(signature)}")
    return SIGNATURE_PREFIX + base64.b64encode(signature).decode("ascii")


def output_hash_of(output: bytes) -> str:
    """``"sha256:" + hex`` of some output bytes."""
    return OUTPUT_HASH_PREFIX + hashlib.sha256(output).hexdigest()


@functools.lru_cache(maxsize=4096)
def _key_of(pubkey: str) -> bytes | None:
    """The key bytes of a well-formed ``provider_pubkey``, else None (memoised: a batch
    repeats its workers' keys, and the match and decode cost as much as the rest of a parse)."""
    match = _PUBKEY.fullmatch(pubkey)
    return None if match is None else bytes.fromhex(match.group(1))


@dataclass(frozen=True, slots=True)
class Receipt:
    """A job receipt, exactly as the worker signed it.

    Field values are kept as given (``provider_pubkey`` may be bare hex if that
    is what was signed) so that the canonical bytes reproduce the signed ones.
    Build new receipts with :meth:`create`, which always emits the prefixes.
    """

    job_id: str
    provider_pubkey: str
    output_hash: str
    completed_at: str
    payment_ref: str | None
    _key: bytes = field(default=b"", repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._key:
            object.__setattr__(self, "_key", parse_pubkey(self.provider_pubkey))

    @classmethod
    def from_dict(cls, data: object, where: str = "receipt") -> Receipt:
        """Validate a decoded JSON object; raises :class:`ReceiptError` naming the field."""
        if not isinstance(data, Mapping):
            raise ReceiptError(where, f"expected a JSON object, got {type(data).__name__}")
        if type(data) is dict and data.keys() == _RECEIPT_KEYS:  # the common, well-formed case in one go
            job_id, pubkey, output_hash = data["job_id"], data["provider_pubkey"], data["output_hash"]
            completed_at, payment_ref = data["completed_at"], data["payment_ref"]
            if (
                type(job_id) is str
                and job_id
                and type(pubkey) is str
                and type(output_hash) is str
                and type(completed_at) is str
                and (payment_ref is None or type(payment_ref) is str)
            ):
                key = _key_of(pubkey)
                if (
                    key is not None
                    and _OUTPUT_HASH.fullmatch(output_hash) is not None
                    and _RFC3339_UTC_EASY.fullmatch(completed_at) is not None
                ):
                    return cls(job_id, pubkey, output_hash, completed_at, payment_ref, key)
        # Otherwise every check in order, so that the first problem is the one reported.
        if data.keys() != _RECEIPT_KEYS:
            unknown = [k for k in data if k not in RECEIPT_FIELDS]
            if unknown:
                raise ReceiptError(
                    f"{where}.{unknown[0]}", "unknown field (a receipt has exactly " + ", ".join(RECEIPT_FIELDS) + ")"
                )
            missing = [k for k in RECEIPT_FIELDS if k not in data]
            raise ReceiptError(f"{where}.{missing[0]}", "missing field")
        job_id = _require_str(data, "job_id", f"{where}.job_id")
        if not job_id:
            raise ReceiptError(f"{where}.job_id", "must not be empty")
        pubkey = _require_str(data, "provider_pubkey", f"{where}.provider_pubkey")
        key_match = _PUBKEY.fullmatch(pubkey)
        # without a match, _check_prefixed_hex raises and explains what is wrong
        key_hex = (
            key_match.group(1)
            if key_match is not None
            else _check_prefixed_hex(pubkey, PUBKEY_PREFIX, f"{where}.provider_pubkey", bare_ok=True)
        )
        output_hash = _require_str(data, "output_hash", f"{where}.output_hash")
        if _OUTPUT_HASH.fullmatch(output_hash) is None:
            _check_prefixed_hex(output_hash, OUTPUT_HASH_PREFIX, f"{where}.output_hash", bare_ok=False)
        completed_at = _require_str(data, "completed_at", f"{where}.completed_at")
        _check_timestamp(completed_at, f"{where}.completed_at")
        payment_ref = data["payment_ref"]
        if payment_ref is not None and not isinstance(payment_ref, str):
            raise ReceiptError(f"{where}.payment_ref", f"expected a string or null, got {type(payment_ref).__name__}")
        return cls(job_id, pubkey, output_hash, completed_at, payment_ref, bytes.fromhex(key_hex))

    @classmethod
    def create(
        cls,
        *,
        job_id: str,
        provider_key: bytes,
        output_hash: str,
        completed_at: datetime | str | None = None,
        payment_ref: str | None = None,
    ) -> Receipt:
        """Build a new receipt in canonical form (prefixed key, ``Z`` timestamp)."""
        if completed_at is None:
            completed_at = datetime.now(UTC)
        if isinstance(completed_at, datetime):
            moment = completed_at.astimezone(UTC)
            completed_at = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        return cls.from_dict(
            {
                "job_id": job_id,
                "provider_pubkey": format_pubkey(provider_key),
                "output_hash": output_hash,
                "completed_at": completed_at,
                "payment_ref": payment_ref,
            }
        )

    def to_dict(self) -> dict[str, str | None]:
        """The receipt as a JSON object, keys in canonical order."""
        return {
            "job_id": self.job_id,
            "provider_pubkey": self.provider_pubkey,
            "output_hash": self.output_hash,
            "completed_at": self.completed_at,
            "payment_ref": self.payment_ref,
        }

    def canonical_bytes(self) -> bytes:
        """UTF-8 of JavaScript ``JSON.stringify`` of the receipt (the signed bytes)."""
        # provider_pubkey, output_hash and completed_at are validated ASCII with
        # nothing to escape; job_id and payment_ref are free text.
        payment_ref = "null" if self.payment_ref is None else jsjson.string(self.payment_ref)
        return (
            f'{{"job_id":{jsjson.string(self.job_id)},"provider_pubkey":"{self.provider_pubkey}",'
            f'"output_hash":"{self.output_hash}","completed_at":"{self.completed_at}","payment_ref":{payment_ref}}}'
        ).encode()

    def receipt_hash(self) -> bytes:
        """``sha256`` of the canonical bytes."""
        return hashlib.sha256(self.canonical_bytes()).digest()

    @property
    def provider_key(self) -> bytes:
        """The provider's 32-byte ed25519 public key."""
        return self._key

    @property
    def provider_id(self) -> str:
        """The provider's key in canonical ``ed25519:<hex>`` form."""
        return format_pubkey(self.provider_key)


@dataclass(frozen=True, slots=True)
class SignedReceipt:
    """A receipt together with its 64-byte ed25519 signature."""

    receipt: Receipt
    signature: bytes

    @classmethod
    def from_parts(cls, receipt: object, signature: object, where: str = "receipt") -> SignedReceipt:
        """Validate a receipt object and its ``base64:`` signature string."""
        return cls(Receipt.from_dict(receipt, where), parse_signature(signature))

    @property
    def signature_text(self) -> str:
        return format_signature(self.signature)

    def is_valid(self) -> bool:
        """True when the signature verifies over the canonical bytes."""
        try:
            nacl.bindings.crypto_sign_open(self.signature + self.receipt.canonical_bytes(), self.receipt.provider_key)
        except Exception:  # nacl.exceptions.BadSignatureError, or a key libsodium rejects
            return False
        return True

    def check(self) -> None:
        """Raise :class:`InvalidSignature` unless the signature verifies."""
        if not self.is_valid():
            raise InvalidSignature()

    def leaf_values(self) -> tuple[bytes, bytes, bytes]:
        """The Merkle leaf: ``(receipt_hash, provider pubkey, keccak256(signature))``."""
        return (self.receipt.receipt_hash(), self.receipt.provider_key, keccak256(self.signature))

    def to_dict(self) -> dict[str, Any]:
        """``{"receipt": {...}, "receipt_signature": "base64:..."}``."""
        return {"receipt": self.receipt.to_dict(), "receipt_signature": self.signature_text}


def sign_receipt(receipt: Receipt, signing_key: nacl.signing.SigningKey) -> SignedReceipt:
    """Sign the receipt's canonical bytes with the worker's ed25519 key."""
    if bytes(signing_key.verify_key) != receipt.provider_key:
        raise ReceiptError("provider_pubkey", "does not belong to the signing key")
    return SignedReceipt(receipt, signing_key.sign(receipt.canonical_bytes()).signature)


@dataclass(frozen=True, slots=True)
class JobComplete:
    """The worker's ``job_complete`` message (whitepaper §3.5)."""

    job_id: str
    output: Any
    output_hash: str
    signed: SignedReceipt

    @classmethod
    def from_message(cls, message: object) -> JobComplete:
        """Validate a decoded ``job_complete`` message; raises :class:`ReceiptError`."""
        signed = _signed_of_message(message)
        assert isinstance(message, Mapping)
        return cls(signed.receipt.job_id, message["output"], signed.receipt.output_hash, signed)

    def to_message(self) -> dict[str, Any]:
        return {
            "type": "job_complete",
            "job_id": self.job_id,
            "output": self.output,
            "output_hash": self.output_hash,
            "receipt": self.signed.receipt.to_dict(),
            "receipt_signature": self.signed.signature_text,
        }


def _signed_of_message(message: object) -> SignedReceipt:
    """The checks of :meth:`JobComplete.from_message`, returning only the signed receipt
    (verification needs no JobComplete object)."""
    if type(message) is dict:  # the common, well-formed case in one go; anything else: every check, in order
        signed = _well_formed_message(message)
        if signed is not None:
            return signed
    return _checked_message(message)


def _checked_message(message: object) -> SignedReceipt:
    """Every check of a ``job_complete`` message, in order, so that the first problem is the one reported."""
    if not isinstance(message, Mapping):
        raise ReceiptError(None, f"expected a JSON object, got {type(message).__name__}")
    if message.keys() != _JOB_COMPLETE_KEYS:
        unknown = [k for k in message if k not in JOB_COMPLETE_FIELDS]
        if unknown:
            raise ReceiptError(unknown[0], "unknown field in job_complete message")
        missing = [k for k in JOB_COMPLETE_FIELDS if k not in message]
        raise ReceiptError(missing[0], "missing field")
    if message["type"] != "job_complete":
        raise ReceiptError("type", f"expected 'job_complete', got {_describe(message['type'])}")
    job_id = _require_str(message, "job_id", "job_id")
    output_hash = _require_str(message, "output_hash", "output_hash")
    if _OUTPUT_HASH.fullmatch(output_hash) is None:
        _check_prefixed_hex(output_hash, OUTPUT_HASH_PREFIX, "output_hash", bare_ok=False)
    signed = SignedReceipt.from_parts(message["receipt"], message["receipt_signature"])
    if signed.receipt.job_id != job_id:
        raise ReceiptError("receipt.job_id", f"differs from the message's job_id {_describe(job_id)}")
    if signed.receipt.output_hash != output_hash:
        raise ReceiptError("receipt.output_hash", "differs from the message's output_hash")
    return signed


class ReceiptCheck(NamedTuple):
    """The outcome of checking one receipt in a batch (a named tuple: one is built per receipt)."""

    # the field shadows tuple.index(); it is the public name callers and reports use
    index: int  # type: ignore[assignment]
    job_id: str | None
    valid: bool
    reason: str | None = None
    signed: SignedReceipt | None = None


@dataclass(slots=True)
class VerificationReport:
    """Per-item outcomes of :func:`verify_many`, in input order."""

    checks: list[ReceiptCheck] = field(default_factory=list)

    @property
    def valid(self) -> list[SignedReceipt]:
        return [c.signed for c in self.checks if c.valid and c.signed is not None]

    @property
    def invalid(self) -> list[ReceiptCheck]:
        return [c for c in self.checks if not c.valid]

    def __len__(self) -> int:
        return len(self.checks)


_SIGNATURE_TEXT_LENGTH = len(SIGNATURE_PREFIX) + 88  # 64 bytes are 88 padded base64 characters
_new_receipt = object.__new__
# The slots' own setters: a frozen dataclass's __init__ goes through object.__setattr__ per field.
_set_job_id, _set_pubkey, _set_output_hash, _set_completed_at, _set_payment_ref, _set_key = (
    Receipt.__dict__[name].__set__ for name in (*RECEIPT_FIELDS, "_key")
)
_set_receipt, _set_signature = (SignedReceipt.__dict__[name].__set__ for name in ("receipt", "signature"))


def _built(
    job_id: str, pubkey: str, output_hash: str, completed_at: str, payment_ref: str | None, key: bytes, signature: bytes
) -> SignedReceipt:
    """A SignedReceipt of values already checked, built through the slots (half the time of the constructors)."""
    receipt = _new_receipt(Receipt)
    _set_job_id(receipt, job_id)
    _set_pubkey(receipt, pubkey)
    _set_output_hash(receipt, output_hash)
    _set_completed_at(receipt, completed_at)
    _set_payment_ref(receipt, payment_ref)
    _set_key(receipt, key)
    signed = _new_receipt(SignedReceipt)
    _set_receipt(signed, receipt)
    _set_signature(signed, signature)
    return signed


def _well_formed_message(message: dict[str, Any]) -> SignedReceipt | None:
    """The signed receipt of a well-formed ``job_complete`` message, else None.

    The common case of :func:`_signed_of_message` (the hot path of :func:`verify_many`):
    every check of a valid message, in one function, with the receipt built through its
    slots. Anything it does not accept (None) takes the full checks, which then report the
    first problem, so it decides no outcome on its own: it only reaches the accepting one sooner.
    """
    if message.keys() != _JOB_COMPLETE_KEYS:
        return None
    data = message["receipt"]
    if type(data) is not dict or data.keys() != _RECEIPT_KEYS or message["type"] != "job_complete":
        return None
    job_id, pubkey, output_hash = data["job_id"], data["provider_pubkey"], data["output_hash"]
    completed_at, payment_ref, text = data["completed_at"], data["payment_ref"], message["receipt_signature"]
    if not (
        type(job_id) is str
        and job_id
        and job_id == message["job_id"]
        and type(output_hash) is str
        and output_hash == message["output_hash"]
        and type(pubkey) is str
        and type(completed_at) is str
        and (payment_ref is None or type(payment_ref) is str)
        and type(text) is str
        and len(text) == _SIGNATURE_TEXT_LENGTH
        and text.startswith(SIGNATURE_PREFIX)
    ):
        return None
    key = _key_of(pubkey)
    if key is None or _OUTPUT_HASH.fullmatch(output_hash) is None or _RFC3339_UTC_EASY.fullmatch(completed_at) is None:
        return None
    try:
        signature = binascii.a2b_base64(text[len(SIGNATURE_PREFIX) :], strict_mode=True)
    except (binascii.Error, ValueError):
        return None
    if len(signature) != 64:  # pragma: no cover - 88 valid characters always decode to 64 bytes
        return None
    return _built(job_id, pubkey, output_hash, completed_at, payment_ref, key, signature)


def _coerce(item: object) -> SignedReceipt:
    """Accept a SignedReceipt, a job_complete message, or {receipt, receipt_signature}."""
    if type(item) is dict and item.get("type") == "job_complete":  # the usual case first
        return _signed_of_message(item)
    if isinstance(item, SignedReceipt):
        return item
    if isinstance(item, JobComplete):
        return item.signed
    if isinstance(item, Mapping) and item.get("type") == "job_complete":
        return _signed_of_message(item)
    if isinstance(item, Mapping) and set(item) == {"receipt", "receipt_signature"}:
        return SignedReceipt.from_parts(item["receipt"], item["receipt_signature"])
    raise ReceiptError(None, "expected a job_complete message or {receipt, receipt_signature}")


def _job_id_of(item: object) -> str | None:
    if isinstance(item, SignedReceipt):
        return item.receipt.job_id
    if isinstance(item, Mapping):
        for source in (item, item.get("receipt")):
            if isinstance(source, Mapping) and isinstance(source.get("job_id"), str):
                return source["job_id"]
    return None


_BAD_SIGNATURE = str(InvalidSignature())


class _Ed25519:
    """libsodium's ``crypto_sign_open`` called with reused output buffers.

    The same C function PyNaCl's ``crypto_sign_open`` calls, minus its two
    allocations, output copy and exception per call. cffi releases the GIL
    during the call. One instance per thread (the buffers are its own).
    """

    __slots__ = ("_buffer", "_length", "_open", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._buffer: Any = None
        self._length: Any = _ffi.new("unsigned long long *") if _ffi is not None else None
        self._open = _lib.crypto_sign_open if _lib is not None else None

    def verify(self, signature: bytes, message: bytes, key: bytes) -> bool:
        signed = signature + message
        if self._open is None:  # pragma: no cover - PyNaCl without its cffi module
            try:
                nacl.bindings.crypto_sign_open(signed, key)
            except Exception:
                return False
            return True
        if len(signed) > self._size:
            self._size = max(len(signed), 2 * self._size, 512)
            self._buffer = _ffi.new("unsigned char[]", self._size)
        return bool(self._open(self._buffer, self._length, signed, len(signed), key) == 0)


# Receipts are parsed, then verified, in chunks of this many: libsodium's loop then runs
# with its tables hot in the CPU caches instead of interleaved with Python's object work,
# and the batch loop releases the GIL once per chunk (the other threads parse meanwhile).
_CHUNK = 256


def _check_range(entries: Sequence[object], start: int, stop: int, batch: BatchVerifier | None) -> list[ReceiptCheck]:
    """Check ``entries[start:stop]``; indexes in the checks are positions in ``entries``.

    ``batch`` verifies a chunk's well-formed signatures in one C call; without it (or for a
    SignedReceipt built by hand with a signature or key of another length) each is one
    libsodium call. Both run the same libsodium function: the outcomes are the same.
    """
    single = _Ed25519()
    checks: list[ReceiptCheck] = []
    append = checks.append
    for chunk_start in range(start, stop, _CHUNK):
        chunk_stop = min(chunk_start + _CHUNK, stop)
        parsed: list[SignedReceipt | ReceiptError] = []
        for index in range(chunk_start, chunk_stop):
            try:
                parsed.append(_coerce(entries[index]))
            except ReceiptError as exc:
                parsed.append(exc)
        verdicts: list[bool | None] = [None] * len(parsed)
        if batch is not None:
            # the receipts the loop can take: 64-byte signatures and 32-byte keys, as every parsed one has
            positions: list[int] = []
            chunk: list[SignedReceipt] = []
            for i, p in enumerate(parsed):
                if isinstance(p, SignedReceipt) and len(p.signature) == 64 and len(p.receipt.provider_key) == 32:
                    positions.append(i)
                    chunk.append(p)
            valid = batch.verify(
                [p.signature for p in chunk],
                [p.receipt.canonical_bytes() for p in chunk],
                [p.receipt.provider_key for p in chunk],
            )
            for i, verdict in zip(positions, valid, strict=True):
                verdicts[i] = verdict == 1
        for offset, outcome in enumerate(parsed):
            index = chunk_start + offset
            if isinstance(outcome, ReceiptError):
                append(ReceiptCheck(index, _job_id_of(entries[index]), False, str(outcome)))
                continue
            receipt = outcome.receipt
            ok = verdicts[offset]
            if ok is None:
                ok = len(receipt.provider_key) == 32 and single.verify(
                    outcome.signature, receipt.canonical_bytes(), receipt.provider_key
                )
            if ok:
                append(ReceiptCheck(index, receipt.job_id, True, None, outcome))
            else:
                append(ReceiptCheck(index, receipt.job_id, False, _BAD_SIGNATURE, outcome))
    return checks


def default_workers() -> int:
    """The cores this process may run on: the default for ``--workers``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return max(1, os.cpu_count() or 1)


# Below this many items the batch loop is not worth looking up.
BATCH_MIN_ITEMS = 16

# Below this many items a second thread costs more than it saves.
PARALLEL_MIN_ITEMS = 512


def _shares(n: int, workers: int) -> list[tuple[int, int]]:
    """Split ``range(n)`` into ``workers`` contiguous shares of (nearly) equal size."""
    return [(n * k // workers, n * (k + 1) // workers) for k in range(workers)]


def verify_many(
    items: Iterable[object], *, workers: int = 1, threads: int | None = None, native: bool = True
) -> VerificationReport:
    """Check many receipts; each bad one is reported with its reason, none raises.

    ``workers > 1`` spreads batches of at least :data:`PARALLEL_MIN_ITEMS` over that
    many threads. Parsing holds the GIL, signature checks do not: with the batch loop
    of :mod:`dispatch_chain.ed25519_batch` (``native``, when it could be built) each
    thread releases the GIL once per chunk of receipts, so a thread verifies while
    another parses. The report is the same for any ``workers`` and either way of
    verifying. ``threads`` is the earlier name of ``workers``.
    """
    if threads is not None:
        workers = threads
    entries: Sequence[object] = items if isinstance(items, Sequence) else list(items)
    n = len(entries)
    # a handful of receipts gain nothing from the loop (finding it reads the settings: tens of microseconds)
    batch = batch_verifier() if native and n >= BATCH_MIN_ITEMS else None
    if workers <= 1 or n < PARALLEL_MIN_ITEMS:
        return VerificationReport(_check_range(entries, 0, n, batch))
    workers = min(workers, n // (PARALLEL_MIN_ITEMS // 2))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="verify") as pool:
        parts = list(pool.map(lambda bound: _check_range(entries, bound[0], bound[1], batch), _shares(n, workers)))
    return VerificationReport([check for part in parts for check in part])
