"""The committed ABIs of the Dispatch contracts, and decoding of their custom errors."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector

from dispatch_chain.errors import ConfigError


@cache
def load_abi(name: str) -> tuple[dict[str, Any], ...]:
    """The ABI of contract ``name`` from dispatch_chain/abi/ (read-only tuple)."""
    try:
        text = resources.files("dispatch_chain.abi").joinpath(f"{name}.json").read_text()
    except FileNotFoundError:
        raise ConfigError(f"no ABI for {name} in dispatch_chain/abi (run: ape run export_abis)") from None
    return tuple(json.loads(text))


def _type_of(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_type_of(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return param["type"]


@cache
def function_types(contract: str, function: str) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    """``(selector, input types, output types)`` of ``contract.function`` (must not be overloaded)."""
    entries = [e for e in load_abi(contract) if e.get("type") == "function" and e.get("name") == function]
    if len(entries) != 1:
        raise ConfigError(f"{contract}.{function}: expected one function in the ABI, found {len(entries)}")
    inputs = tuple(_type_of(p) for p in entries[0].get("inputs", []))
    outputs = tuple(_type_of(p) for p in entries[0].get("outputs", []))
    return function_signature_to_4byte_selector(f"{function}({','.join(inputs)})"), inputs, outputs


@cache
def _error_table(name: str) -> dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    table = {}
    for entry in load_abi(name):
        if entry.get("type") != "error":
            continue
        types = tuple(_type_of(p) for p in entry.get("inputs", []))
        names = tuple(p.get("name", "") for p in entry.get("inputs", []))
        selector = function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})")
        table[selector] = (entry["name"], types, names)
    return table


def decode_custom_error(contract: str, data: bytes | str | None) -> tuple[str, dict[str, Any]] | None:
    """Decode revert data into ``(ErrorName, {arg: value})`` using ``contract``'s ABI."""
    if data is None:
        return None
    if isinstance(data, str):
        try:
            data = bytes.fromhex(data.removeprefix("0x"))
        except ValueError:
            return None
    if len(data) < 4:
        return None
    found = _error_table(contract).get(data[:4])
    if found is None:
        return None
    error_name, types, names = found
    try:
        values = abi_decode(list(types), data[4:])
    except Exception:  # malformed payload: report the name only
        return error_name, {}
    return error_name, dict(zip(names, values, strict=True))
