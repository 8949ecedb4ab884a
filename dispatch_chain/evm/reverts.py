"""Typed exceptions for custom-error reverts, shared by the bridge and governance error modules.

A family of contracts (the bridge's, governance's) has a base class derived from
:class:`ContractReverted` and a function mapping a Solidity error name to its
class; :func:`decode_typed_revert` turns revert data into an instance of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from eth_utils import is_hex_address, to_checksum_address

from dispatch_chain.errors import TransactionFailed
from dispatch_chain.evm.abi import decode_custom_error


class ContractReverted(TransactionFailed):
    """A contract call reverted with a known custom error; ``error`` and ``values`` say which and why."""

    def __init__(
        self, message: str, *, error: str, values: dict[str, Any] | None = None, tx: str | None = None
    ) -> None:
        super().__init__(message, reason=error, tx=tx)
        self.error = error
        self.values = dict(values or {})


R = TypeVar("R", bound=ContractReverted)


def _show(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)


def decode_typed_revert(
    contracts: Sequence[str],
    data: bytes | str | None,
    error_class: Callable[[str], type[R]],
    *,
    tx: str | None = None,
) -> R | None:
    """The typed exception for revert data, trying each contract's ABI in turn; None when none knows it.

    Address arguments come back checksummed, bytes as 0x-hex in the message.
    """
    for contract in contracts:
        decoded = decode_custom_error(contract, data)
        if decoded is not None:
            name, values = decoded
            values = {
                k: to_checksum_address(v) if isinstance(v, str) and is_hex_address(v) else v for k, v in values.items()
            }
            shown = ", ".join(f"{k}={_show(v)}" for k, v in values.items())
            return error_class(name)(f"{contract} reverted with {name}({shown})", error=name, values=values, tx=tx)
    return None
