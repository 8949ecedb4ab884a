"""Shared CLI plumbing: state, input reading, output, error-to-exit-code mapping."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from dispatch_chain.config import NetworkProfile, load_network
from dispatch_chain.connect import Connections
from dispatch_chain.errors import ChainError, ConfigError, DispatchChainError
from dispatch_chain.jsoninput import JsonInputError, parse_json
from dispatch_chain.protocol import parse_usdc
from dispatch_chain.retry import Backoff, is_outage

EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_CHAIN = 3

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass
class CliState:
    """Global options, resolved lazily so that offline commands need no network."""

    network: str
    config_file: str | None
    manifest: str | None

    def profile(self) -> NetworkProfile:
        overrides = {"manifest": self.manifest} if self.manifest else None
        return load_network(self.network, config_file=self.config_file, overrides=overrides)

    def connections(self, evm_account: str | None = None) -> Connections:
        return Connections(self.profile(), evm_account_spec=evm_account)


def printable(text: str) -> str:
    """``text`` safe to print on one line: line breaks and lone surrogates (a non-UTF-8 file name, a JSON
    escape) become escapes, so input can neither break the one-line-per-error rule nor the output encoding."""
    return text.translate(_LINE_BREAKS).encode("utf-8", "backslashreplace").decode("utf-8")


_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


class InputError(click.ClickException):
    """Malformed input: exit code 2, one clear line."""

    exit_code = EXIT_INPUT

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {printable(self.format_message())}", err=True)


class ChainFailure(click.ClickException):
    """Configuration or chain trouble: exit code 3, one clear line."""

    exit_code = EXIT_CHAIN

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {printable(self.format_message())}", err=True)


@contextmanager
def chain_errors() -> Iterator[None]:
    """Turn configuration and chain errors into exit code 3 with one line."""
    try:
        yield
    except (ConfigError, ChainError) as exc:
        raise ChainFailure(str(exc)) from exc
    except DispatchChainError as exc:
        raise InputError(str(exc)) from exc
    except Exception as exc:  # the node went away mid-command (connection refused, timeout, RPC error)
        if not is_outage(exc):
            raise
        raise ChainFailure(f"chain unreachable or failing: {type(exc).__name__}: {exc}") from exc


def until_reachable(connect: Callable[[], T], what: str, stop: threading.Event) -> T | None:
    """``connect()``, retried with a bounded exponential backoff while the chain is unreachable.

    For long-running commands: they wait for a node that is down instead of exiting. Configuration
    errors still end them. Returns None when ``stop`` is set while waiting.
    """
    backoff = Backoff()
    while not stop.is_set():
        try:
            return connect()
        except Exception as exc:
            if not is_outage(exc):
                raise
            delay = backoff.failed()
            click.echo(f"warning: {what}: {exc}; retrying in {delay:.1f} s", err=True)
            stop.wait(delay)
    return None


def read_bytes(path: str) -> bytes:
    """The bytes of a file, or of stdin for ``-``; an unreadable file exits 2."""
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_json(path: str) -> Any:
    """Read a JSON document from a path, or stdin for ``-``; malformed input exits 2."""
    try:
        return parse_json(read_bytes(path), path)
    except JsonInputError as exc:
        raise InputError(str(exc)) from None


def read_json_records(path: str) -> list[Any]:
    """A JSON array, a single JSON object, or JSON Lines (one object per line); malformed input exits 2."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    stripped = text.strip()
    if not stripped:
        return []
    try:
        document = parse_json(stripped, path)
        return document if isinstance(document, list) else [document]
    except JsonInputError:
        pass
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(parse_json(line, f"{path} line {number}"))
        except JsonInputError as exc:
            raise InputError(str(exc)) from None
    return records


def parse_hash32(value: str, what: str) -> bytes:
    """``0x`` + 64 hex digits (a receipt hash, a root) as 32 bytes; anything else exits 2 naming ``what``."""
    if not (value.startswith("0x") and len(value) == 66):
        raise InputError(f"{what} must be 0x followed by 64 hex digits")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise InputError(f"{what} must be 0x followed by 64 hex digits") from None


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=True))


def parse_pay_to(specs: tuple[str, ...]) -> dict[str, str]:
    """``--pay-to CAIP2:ADDRESS`` as {chain: address}; the address is what follows the chain's second colon."""
    found: dict[str, str] = {}
    for spec in specs:
        namespace, _, rest = spec.partition(":")
        reference, _, address = rest.partition(":")
        if namespace not in ("eip155", "solana") or not reference or not address:
            raise InputError(
                f"--pay-to {spec[:100]!r}: expected eip155:<chain id>:0x<address> or solana:<genesis>:<owner>"
            )
        found[f"{namespace}:{reference}"] = address
    return found


def parse_price(text: str) -> int:
    """``--price`` in USDC (decimal, at most 6 places; 0 allowed) as base units."""
    try:
        return parse_usdc(text, allow_zero=True)
    except ValueError as exc:
        raise InputError(f"--price {exc}") from None
