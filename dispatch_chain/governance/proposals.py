"""Proposals described as parameter changes, not raw calldata.

A :class:`ParameterChange` (fee, thresholds, cooldown, job prices, a treasury
spend) becomes the list of ``ProtocolParams`` calls a proposal carries, and a
proposal's calls read back (from the governor's on-chain proposal storage) become
the same human lines again, so ``gov status`` shows what a proposal changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector

from dispatch_chain.evm.abi import function_types
from dispatch_chain.governance.params import (
    USDC_DECIMALS,
    ParamsError,
    check_cooldown,
    check_fee_bps,
    check_price,
    check_thresholds,
    job_type_name,
    job_type_word,
)
from dispatch_chain.protocol import format_bolt
from dispatch_chain.protocol import parse_usdc as parse_usdc_amount

PARAMS = "ProtocolParams"


@dataclass(frozen=True)
class Call:
    """One call of a proposal: target, value (always 0 here) and calldata."""

    target: str
    data: bytes
    value: int = 0


@dataclass(frozen=True)
class TreasurySpend:
    """Pay ``amount`` BOLT base units from the Solana treasury to the owner ``recipient`` (32-byte pubkey)."""

    amount: int
    recipient: bytes

    def __post_init__(self) -> None:
        if not 0 < self.amount < 2**64:
            raise ParamsError(f"a treasury spend is 1..2^64-1 base units, got {self.amount}", field="treasury_spend")
        if len(self.recipient) != 32 or self.recipient == bytes(32):
            raise ParamsError("a treasury spend needs a 32-byte, non-zero Solana recipient", field="to")


@dataclass(frozen=True)
class ParameterChange:
    """What a proposal changes; every field left None (or empty) is unchanged."""

    fee_bps: int | None = None
    thresholds: tuple[int, int] | None = None
    cooldown: int | None = None
    prices: tuple[tuple[str, int], ...] = ()
    removed_prices: tuple[str, ...] = ()
    treasury_spend: TreasurySpend | None = None

    def __post_init__(self) -> None:
        if self.fee_bps is not None:
            check_fee_bps(self.fee_bps)
        if self.thresholds is not None:
            check_thresholds(*self.thresholds)
        if self.cooldown is not None:
            check_cooldown(self.cooldown)
        for job_type, price in self.prices:
            check_price(job_type, price)
        for job_type in self.removed_prices:
            job_type_word(job_type)

    @property
    def empty(self) -> bool:
        return (
            self.fee_bps is None
            and self.thresholds is None
            and self.cooldown is None
            and not self.prices
            and not self.removed_prices
            and self.treasury_spend is None
        )

    def calls(self, params_address: str) -> list[Call]:
        """The ``ProtocolParams`` calls, in a fixed order (fee, thresholds, cooldown, prices, spend)."""
        found: list[Call] = []

        def add(function: str, *args: Any) -> None:
            found.append(Call(params_address, encode_call(function, *args)))

        if self.fee_bps is not None:
            add("setFeeBps", self.fee_bps)
        if self.thresholds is not None:
            add("setTierThresholds", *self.thresholds)
        if self.cooldown is not None:
            add("setUnstakeCooldown", self.cooldown)
        for job_type, price in self.prices:
            add("setJobPrice", job_type_word(job_type), price)
        for job_type in self.removed_prices:
            add("removeJobPrice", job_type_word(job_type))
        if self.treasury_spend is not None:
            add("approveTreasurySpend", self.treasury_spend.amount, self.treasury_spend.recipient)
        return found

    def describe(self, params_address: str) -> list[str]:
        return [describe_call(call.data) for call in self.calls(params_address)]

    def touches_solana(self) -> bool:
        """Whether Solana must apply it (fee, thresholds, cooldown, a treasury spend)."""
        return any(v is not None for v in (self.fee_bps, self.thresholds, self.cooldown, self.treasury_spend))


@cache
def _selector(function: str) -> bytes:
    _, inputs, _ = function_types(PARAMS, function)
    return function_signature_to_4byte_selector(f"{function}({','.join(inputs)})")


def encode_call(function: str, *args: Any) -> bytes:
    """Calldata of ``ProtocolParams.function(*args)``."""
    _, inputs, _ = function_types(PARAMS, function)
    return _selector(function) + abi_encode(list(inputs), list(args))


def decode_call(data: bytes) -> tuple[str, tuple[Any, ...]] | None:
    """``(function, args)`` of ProtocolParams calldata, or None for anything else."""
    for function in (
        "setFeeBps",
        "setTierThresholds",
        "setUnstakeCooldown",
        "setJobPrice",
        "removeJobPrice",
        "approveTreasurySpend",
        "transferOwnership",
        "acceptOwnership",
    ):
        if data[:4] == _selector(function):
            _, inputs, _ = function_types(PARAMS, function)
            return function, tuple(abi_decode(list(inputs), data[4:]))
    return None


def format_usdc(base_units: int) -> str:
    whole, fraction = divmod(base_units, 10**USDC_DECIMALS)
    return f"${whole}.{fraction:0{USDC_DECIMALS}d}"


def parse_usdc(text: str) -> int:
    """USDC base units of a decimal dollar amount ('0.008' or '$0.008' -> 8000); at most 6 decimals, above 0."""
    try:
        return parse_usdc_amount(text.strip().removeprefix("$"))
    except ValueError as exc:
        raise ParamsError(f"price {exc}", field="price") from None


def describe_call(data: bytes, target: str | None = None) -> str:
    """One human line for a call a proposal carries."""
    decoded = decode_call(bytes(data))
    if decoded is None:
        return f"call {target or '?'} with 0x{bytes(data).hex()[:72]}"
    function, args = decoded
    if function == "setFeeBps":
        return f"protocol fee -> {args[0]} bps"
    if function == "setTierThresholds":
        return f"tier thresholds -> VERIFIED {format_bolt(args[0])} BOLT, SENTINEL {format_bolt(args[1])} BOLT"
    if function == "setUnstakeCooldown":
        return f"unstake cooldown -> {args[0]} s"
    if function == "setJobPrice":
        return f"price of {job_type_name(args[0])} -> {format_usdc(args[1])} USDC"
    if function == "removeJobPrice":
        return f"remove job type {job_type_name(args[0])}"
    if function == "approveTreasurySpend":
        from solders.pubkey import Pubkey

        return f"treasury spend of {format_bolt(args[0])} BOLT to {Pubkey.from_bytes(bytes(args[1]))}"
    return f"{function}{args}"


def proposal_description(title: str, lines: Sequence[str]) -> str:
    """The proposal's description (markdown: a title and one bullet per change)."""
    return "# " + title.strip() + "\n\n" + "\n".join(f"- {line}" for line in lines) + "\n"
