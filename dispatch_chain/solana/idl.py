"""The Anchor IDL (spec 0.1.0, as ``anchor build`` writes it) and its Borsh coder.

The project's own coder for the committed IDLs in ``idl/``: instruction
arguments, account data and events (``Program data:`` log lines), each
checked against the 8-byte discriminator the IDL names. It covers the types
those IDLs can use: the integers ``u8``..``u128`` and ``i8``..``i128``,
``bool``, ``pubkey``, fixed arrays, ``vec``, ``bytes``, ``string``,
``option`` and ``defined`` structs and enums (named, tuple or unit fields).

Decoded values: integers as ``int``, ``pubkey`` as :class:`~solders.pubkey.Pubkey`,
arrays and vecs as ``list`` (``bytes(value)`` of a ``[u8; N]``), ``bytes`` as
``bytes``, structs as :class:`Record` (attribute and key access), enums as
:class:`EnumValue`. Encoding takes the same shapes, and also ``bytes`` for a
``[u8; N]`` or ``Vec<u8>``, any mapping or object with the field names for a
struct, and a variant name (or ``{"Variant": fields}``) for an enum.

Nothing here sends; :mod:`dispatch_chain.solana.programs` wraps it per program.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from solders.pubkey import Pubkey

from dispatch_chain.errors import ConfigError, DispatchChainError

__all__ = [
    "EnumValue",
    "Idl",
    "IdlDecodeError",
    "IdlEncodeError",
    "IdlError",
    "Record",
    "parse_type",
]

_INTS = {f"{sign}{bits}": (bits // 8, sign == "i") for sign in "ui" for bits in (8, 16, 32, 64, 128)}
DISCRIMINATOR_LEN = 8


class IdlError(ConfigError):
    """The IDL itself is malformed or uses a type this coder does not know."""


class IdlEncodeError(DispatchChainError, ValueError):
    """A value does not fit its IDL type (names the path of the value)."""


class IdlDecodeError(DispatchChainError, ValueError):
    """Bytes do not decode as the IDL type (truncated, trailing bytes, bad tag)."""


class Record(dict[str, Any]):
    """A decoded struct: a dict of its fields in IDL order, also readable as attributes."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class EnumValue:
    """A decoded enum variant: its name and its fields (a Record, a tuple or None for a unit variant)."""

    name: str
    fields: Record | tuple[Any, ...] | None = None


# -- types -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Type:
    """A parsed IDL type; ``str()`` is its Rust spelling (``u64``, ``[u8; 32]``, ``Vec<pubkey>``)."""

    kind: str  # a primitive name, "array", "vec", "option", "defined"
    inner: Type | None = None
    length: int = 0
    name: str = ""  # the defined type's name

    def __str__(self) -> str:
        if self.kind == "array":
            return f"[{self.inner}; {self.length}]"
        if self.kind == "vec":
            return f"Vec<{self.inner}>"
        if self.kind == "option":
            return f"Option<{self.inner}>"
        if self.kind == "defined":
            return self.name
        return self.kind


_PRIMITIVES = {*_INTS, "bool", "pubkey", "bytes", "string"}


def parse_type(spec: Any) -> Type:
    """The :class:`Type` of an IDL JSON type (``"u64"``, ``{"array": ["u8", 32]}``, ``{"defined": {"name": ...}}``)."""
    if isinstance(spec, str):
        if spec not in _PRIMITIVES:
            raise IdlError(f"unsupported IDL type {spec!r}")
        return Type(spec)
    if isinstance(spec, dict) and len(spec) == 1:
        ((key, value),) = spec.items()
        if key == "array" and isinstance(value, list) and len(value) == 2 and isinstance(value[1], int):
            return Type("array", parse_type(value[0]), length=value[1])
        if key in ("vec", "option"):
            return Type(key, parse_type(value))
        if key == "defined":
            name = value["name"] if isinstance(value, dict) else value
            if isinstance(value, dict) and value.get("generics"):
                raise IdlError(f"generic defined type {name!r} is not supported")
            return Type("defined", name=str(name))
    raise IdlError(f"unsupported IDL type {spec!r}")


@dataclass(frozen=True)
class Field:
    name: str  # "" for a tuple field
    type: Type


@dataclass(frozen=True)
class Variant:
    name: str
    fields: tuple[Field, ...] | None  # None: a unit variant
    named: bool


@dataclass(frozen=True)
class TypeDef:
    """A ``types`` entry: a struct (``fields``) or an enum (``variants``)."""

    name: str
    kind: str  # "struct" or "enum"
    fields: tuple[Field, ...] = ()
    variants: tuple[Variant, ...] = ()


def _fields(raw: Sequence[Any]) -> tuple[tuple[Field, ...], bool]:
    """Named fields (``[{"name", "type"}]``) or tuple fields (``[type, ...]``); returns (fields, named)."""
    if all(isinstance(f, dict) and "name" in f and "type" in f for f in raw):
        return tuple(Field(f["name"], parse_type(f["type"])) for f in raw), True
    return tuple(Field("", parse_type(f)) for f in raw), False


def _type_def(raw: Mapping[str, Any]) -> TypeDef:
    body = raw["type"]
    if body.get("generics"):
        raise IdlError(f"generic type {raw['name']!r} is not supported")
    if body["kind"] == "struct":
        fields, _ = _fields(body.get("fields", []))
        return TypeDef(raw["name"], "struct", fields=fields)
    if body["kind"] == "enum":
        variants = []
        for v in body["variants"]:
            if "fields" in v:
                fields, named = _fields(v["fields"])
                variants.append(Variant(v["name"], fields, named))
            else:
                variants.append(Variant(v["name"], None, True))
        return TypeDef(raw["name"], "enum", variants=tuple(variants))
    raise IdlError(f"type {raw['name']!r} has unsupported kind {body['kind']!r}")


# -- the IDL -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdlAccountItem:
    """One account of an instruction: its name, roles, fixed address and PDA spec (raw JSON)."""

    name: str
    writable: bool = False
    signer: bool = False
    optional: bool = False
    address: str | None = None
    pda: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class IdlInstruction:
    name: str
    discriminator: bytes
    accounts: tuple[IdlAccountItem, ...]
    args: tuple[Field, ...]


@dataclass(frozen=True)
class IdlNamed:
    """An ``accounts`` or ``events`` entry: a name, its discriminator; the layout is the same-named type."""

    name: str
    discriminator: bytes


@dataclass(frozen=True)
class IdlErrorCode:
    code: int
    name: str
    msg: str | None = None


def _account_items(raw: Iterable[Mapping[str, Any]]) -> tuple[IdlAccountItem, ...]:
    items: list[IdlAccountItem] = []
    for a in raw:
        if "accounts" in a:  # a composite (nested Accounts struct): its accounts in order
            items.extend(_account_items(a["accounts"]))
            continue
        items.append(
            IdlAccountItem(
                a["name"],
                writable=bool(a.get("writable")),
                signer=bool(a.get("signer")),
                optional=bool(a.get("optional")),
                address=a.get("address"),
                pda=a.get("pda"),
            )
        )
    return tuple(items)


def _discriminator(raw: Mapping[str, Any]) -> bytes:
    value = bytes(raw["discriminator"])
    if len(value) != DISCRIMINATOR_LEN:
        raise IdlError(f"{raw['name']}: discriminators of {len(value)} bytes are not supported")
    return value


@dataclass(frozen=True)
class Idl:
    """A parsed IDL and its coder (every method is pure)."""

    name: str
    address: str | None
    instructions: tuple[IdlInstruction, ...]
    accounts: tuple[IdlNamed, ...]
    events: tuple[IdlNamed, ...]
    errors: tuple[IdlErrorCode, ...]
    types: tuple[TypeDef, ...]
    _types: dict[str, TypeDef] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> Idl:
        raw = json.loads(text)
        if not isinstance(raw, dict) or "instructions" not in raw:
            raise IdlError("not an Anchor IDL (no instructions)")
        spec = raw.get("metadata", {}).get("spec")
        if spec is None:
            raise IdlError("a legacy (pre-0.30) Anchor IDL: regenerate it with scripts/gen_idl.sh")
        types = tuple(_type_def(t) for t in raw.get("types", []))
        idl = cls(
            name=raw["metadata"]["name"],
            address=raw.get("address"),
            instructions=tuple(
                IdlInstruction(ix["name"], _discriminator(ix), _account_items(ix["accounts"]), _fields(ix["args"])[0])
                for ix in raw["instructions"]
            ),
            accounts=tuple(IdlNamed(a["name"], _discriminator(a)) for a in raw.get("accounts", [])),
            events=tuple(IdlNamed(e["name"], _discriminator(e)) for e in raw.get("events", [])),
            errors=tuple(IdlErrorCode(e["code"], e["name"], e.get("msg")) for e in raw.get("errors", [])),
            types=types,
            _types={t.name: t for t in types},
        )
        idl._check()
        return idl

    def _check(self) -> None:
        """Every defined type named anywhere exists; accounts and events have their layout type."""
        for named in (*self.accounts, *self.events):
            if named.name not in self._types:
                raise IdlError(f"{self.name}: no type for {named.name!r}")

        def walk(t: Type) -> None:
            if t.kind == "defined" and t.name not in self._types:
                raise IdlError(f"{self.name}: undefined type {t.name!r}")
            if t.inner is not None:
                walk(t.inner)

        for ix in self.instructions:
            for f in ix.args:
                walk(f.type)
        for td in self.types:
            for f in td.fields:
                walk(f.type)
            for v in td.variants:
                for f in v.fields or ():
                    walk(f.type)

    # -- lookups ---------------------------------------------------------------------------

    def instruction(self, name: str) -> IdlInstruction:
        for ix in self.instructions:
            if ix.name == name:
                return ix
        raise IdlError(f"{self.name} has no instruction {name!r} in its IDL")

    def type_def(self, name: str) -> TypeDef:
        try:
            return self._types[name]
        except KeyError:
            raise IdlError(f"{self.name} has no type {name!r} in its IDL") from None

    def account_discriminator(self, name: str) -> bytes:
        for a in self.accounts:
            if a.name == name:
                return a.discriminator
        raise IdlError(f"{self.name} has no account {name!r} in its IDL")

    # -- coding ----------------------------------------------------------------------------

    def encode_instruction(self, name: str, args: Sequence[Any]) -> bytes:
        """The instruction data: discriminator, then each argument in IDL order."""
        ix = self.instruction(name)
        if len(args) != len(ix.args):
            raise IdlEncodeError(f"{self.name}.{name} takes {len(ix.args)} arguments, got {len(args)}")
        out = bytearray(ix.discriminator)
        for f, value in zip(ix.args, args, strict=True):
            self._encode(f.type, value, out, f"{name}.{f.name}")
        return bytes(out)

    def decode_instruction(self, data: bytes) -> tuple[str, Record] | None:
        """``(name, args)`` of instruction data of this IDL; None when no discriminator matches."""
        head = bytes(data[:DISCRIMINATOR_LEN])
        for ix in self.instructions:
            if ix.discriminator == head:
                return ix.name, self._decode_fields(ix.args, bytes(data), DISCRIMINATOR_LEN, ix.name, exact=True)
        return None

    def encode_account(self, name: str, value: Any) -> bytes:
        """Account data: discriminator and the struct (without the space Anchor may leave after it)."""
        out = bytearray(self.account_discriminator(name))
        self._encode(Type("defined", name=name), value, out, name)
        return bytes(out)

    def decode_account(self, name: str, data: bytes) -> Record:
        """The ``name`` account in ``data`` (discriminator checked; trailing bytes allowed, as Anchor allocates)."""
        data = bytes(data)
        if data[:DISCRIMINATOR_LEN] != self.account_discriminator(name):
            raise IdlDecodeError(f"not a {self.name} {name}: the discriminator differs")
        value, _ = self._decode(Type("defined", name=name), data, DISCRIMINATOR_LEN, name)
        return value

    def encode_event(self, name: str, value: Any) -> bytes:
        for e in self.events:
            if e.name == name:
                out = bytearray(e.discriminator)
                self._encode(Type("defined", name=name), value, out, name)
                return bytes(out)
        raise IdlError(f"{self.name} has no event {name!r} in its IDL")

    def decode_event(self, data: bytes) -> tuple[str, Record] | None:
        """``(name, fields)`` of event data (``emit!``'s bytes); None when no event discriminator matches."""
        data = bytes(data)
        for e in self.events:
            if e.discriminator == data[:DISCRIMINATOR_LEN]:
                value, end = self._decode(Type("defined", name=e.name), data, DISCRIMINATOR_LEN, e.name)
                if end != len(data):
                    raise IdlDecodeError(f"{e.name}: {len(data) - end} bytes after the event")
                return e.name, value
        return None

    # -- Borsh -----------------------------------------------------------------------------

    def _encode(self, t: Type, value: Any, out: bytearray, path: str) -> None:
        k = t.kind
        if k in _INTS:
            size, signed = _INTS[k]
            if isinstance(value, bool) or not isinstance(value, int):
                raise IdlEncodeError(f"{path}: expected an integer for {k}, got {type(value).__name__}")
            try:
                out += value.to_bytes(size, "little", signed=signed)
            except OverflowError:
                raise IdlEncodeError(f"{path}: {value} does not fit {k}") from None
        elif k == "bool":
            if not isinstance(value, bool):
                raise IdlEncodeError(f"{path}: expected a bool, got {type(value).__name__}")
            out.append(1 if value else 0)
        elif k == "pubkey":
            out += bytes(_pubkey(value, path))
        elif k in ("bytes", "string"):
            if k == "string":
                if not isinstance(value, str):
                    raise IdlEncodeError(f"{path}: expected a string, got {type(value).__name__}")
                raw = value.encode("utf-8")
            else:
                if not isinstance(value, (bytes, bytearray, memoryview)):
                    raise IdlEncodeError(f"{path}: expected bytes, got {type(value).__name__}")
                raw = bytes(value)
            out += len(raw).to_bytes(4, "little") + raw
        elif k in ("array", "vec"):
            assert t.inner is not None
            items = _sequence(value, t.inner, path)
            if k == "array" and len(items) != t.length:
                raise IdlEncodeError(f"{path}: expected {t.length} items for {t}, got {len(items)}")
            if k == "vec":
                out += len(items).to_bytes(4, "little")
            for i, item in enumerate(items):
                self._encode(t.inner, item, out, f"{path}[{i}]")
        elif k == "option":
            assert t.inner is not None
            if value is None:
                out.append(0)
            else:
                out.append(1)
                self._encode(t.inner, value, out, path)
        else:
            self._encode_defined(self.type_def(t.name), value, out, path)

    def _encode_defined(self, td: TypeDef, value: Any, out: bytearray, path: str) -> None:
        if td.kind == "struct":
            self._encode_fields(td.fields, value, out, path)
            return
        if isinstance(value, EnumValue):
            name, fields = value.name, value.fields
        elif isinstance(value, str):
            name, fields = value, None
        elif isinstance(value, Mapping) and len(value) == 1:
            ((name, fields),) = value.items()
        else:
            raise IdlEncodeError(f"{path}: expected a {td.name} variant, got {value!r}")
        for index, variant in enumerate(td.variants):
            if variant.name == name:
                out.append(index)
                if variant.fields is not None:
                    self._encode_fields(variant.fields, fields, out, f"{path}.{name}")
                elif fields not in (None, (), {}):
                    raise IdlEncodeError(f"{path}: {td.name}::{name} has no fields")
                return
        raise IdlEncodeError(f"{path}: {td.name} has no variant {name!r}")

    def _encode_fields(self, fields: tuple[Field, ...], value: Any, out: bytearray, path: str) -> None:
        if fields and not fields[0].name:  # tuple fields
            items = list(value) if isinstance(value, (list, tuple)) else None
            if items is None or len(items) != len(fields):
                raise IdlEncodeError(f"{path}: expected {len(fields)} tuple fields, got {value!r}")
            for i, (f, item) in enumerate(zip(fields, items, strict=True)):
                self._encode(f.type, item, out, f"{path}.{i}")
            return
        for f in fields:
            if isinstance(value, Mapping):
                if f.name not in value:
                    raise IdlEncodeError(f"{path}: missing field {f.name!r}")
                item = value[f.name]
            elif hasattr(value, f.name):
                item = getattr(value, f.name)
            else:
                raise IdlEncodeError(f"{path}: missing field {f.name!r}")
            self._encode(f.type, item, out, f"{path}.{f.name}")
        if isinstance(value, Mapping):
            extra = set(value) - {f.name for f in fields}
            if extra:
                raise IdlEncodeError(f"{path}: unknown fields {sorted(extra)}")

    def _decode(self, t: Type, data: bytes, at: int, path: str) -> tuple[Any, int]:
        k = t.kind
        if k in _INTS:
            size, signed = _INTS[k]
            return int.from_bytes(_take(data, at, size, path), "little", signed=signed), at + size
        if k == "bool":
            flag = _take(data, at, 1, path)[0]
            if flag > 1:
                raise IdlDecodeError(f"{path}: bool byte {flag}")
            return flag == 1, at + 1
        if k == "pubkey":
            return Pubkey.from_bytes(_take(data, at, 32, path)), at + 32
        if k in ("bytes", "string"):
            n = int.from_bytes(_take(data, at, 4, path), "little")
            raw = _take(data, at + 4, n, path)
            if k == "bytes":
                return raw, at + 4 + n
            try:
                return raw.decode("utf-8"), at + 4 + n
            except UnicodeDecodeError as exc:
                raise IdlDecodeError(f"{path}: string is not UTF-8 ({exc.reason})") from None
        if k in ("array", "vec"):
            assert t.inner is not None
            if k == "vec":
                n = int.from_bytes(_take(data, at, 4, path), "little")
                at += 4
            else:
                n = t.length
            if n > len(data) - at:  # every item takes at least one byte: a giant length is truncated data
                raise IdlDecodeError(f"{path}: {n} items announced, {len(data) - at} bytes left")
            items = []
            for i in range(n):
                item, at = self._decode(t.inner, data, at, f"{path}[{i}]")
                items.append(item)
            return items, at
        if k == "option":
            assert t.inner is not None
            tag = _take(data, at, 1, path)[0]
            if tag == 0:
                return None, at + 1
            if tag != 1:
                raise IdlDecodeError(f"{path}: option tag {tag}")
            return self._decode(t.inner, data, at + 1, path)
        td = self.type_def(t.name)
        if td.kind == "struct":
            return self._decode_struct(td.fields, data, at, path)
        index = _take(data, at, 1, path)[0]
        if index >= len(td.variants):
            raise IdlDecodeError(f"{path}: {td.name} has no variant {index}")
        variant = td.variants[index]
        if variant.fields is None:
            return EnumValue(variant.name), at + 1
        fields, at = self._decode_struct(variant.fields, data, at + 1, f"{path}.{variant.name}")
        return EnumValue(variant.name, fields if variant.named else tuple(fields.values())), at

    def _decode_struct(self, fields: tuple[Field, ...], data: bytes, at: int, path: str) -> tuple[Record, int]:
        record = Record()
        for i, f in enumerate(fields):
            record[f.name or str(i)], at = self._decode(f.type, data, at, f"{path}.{f.name or i}")
        return record, at

    def _decode_fields(self, fields: tuple[Field, ...], data: bytes, at: int, path: str, *, exact: bool) -> Record:
        record, end = self._decode_struct(fields, data, at, path)
        if exact and end != len(data):
            raise IdlDecodeError(f"{path}: {len(data) - end} bytes after the arguments")
        return record


def _take(data: bytes, at: int, n: int, path: str) -> bytes:
    if at + n > len(data):
        raise IdlDecodeError(f"{path}: truncated ({n} bytes needed at offset {at}, {len(data) - at} left)")
    return data[at : at + n]


def _pubkey(value: Any, path: str) -> Pubkey:
    if isinstance(value, Pubkey):
        return value
    if isinstance(value, str):
        try:
            return Pubkey.from_string(value)
        except ValueError:
            raise IdlEncodeError(f"{path}: {value!r} is not a base58 public key") from None
    if isinstance(value, (bytes, bytearray)) and len(value) == 32:
        return Pubkey.from_bytes(bytes(value))
    raise IdlEncodeError(f"{path}: expected a public key, got {type(value).__name__}")


def _sequence(value: Any, inner: Type, path: str) -> list[Any]:
    if isinstance(value, (bytes, bytearray, memoryview)):
        if inner.kind != "u8":
            raise IdlEncodeError(f"{path}: bytes are a sequence of u8, not of {inner}")
        return list(bytes(value))
    if isinstance(value, (list, tuple)):
        return list(value)
    raise IdlEncodeError(f"{path}: expected a list, got {type(value).__name__}")


# -- logs --------------------------------------------------------------------------------------

_INVOKE = re.compile(r"^Program (\w+) invoke \[\d+\]$")
_EXIT = re.compile(r"^Program (\w+) (success|failed: .*)$")
_DATA = "Program data: "


def program_data(logs: Iterable[str], program_id: str) -> list[bytes]:
    """The ``Program data:`` payloads that ``program_id`` itself logged (not programs it invoked).

    Follows the invoke stack (``Program X invoke [n]`` / ``Program X success``) so
    an event is credited to the program that emitted it; a line that is not
    base64 is skipped (no program of ours logs one).
    """
    stack: list[str] = []
    found: list[bytes] = []
    for line in logs:
        if m := _INVOKE.match(line):
            stack.append(m.group(1))
        elif _EXIT.match(line):
            if stack:
                stack.pop()
        elif line.startswith(_DATA) and stack and stack[-1] == program_id:
            try:
                found.append(base64.b64decode(line[len(_DATA) :], validate=True))
            except (binascii.Error, ValueError):
                continue
    return found
