"""The governed protocol parameters as Python values, and their defaults (whitepaper §4.1, §5).

``ProtocolParams`` on Monad holds the fee, the tier thresholds, the unstaking
cooldown and the job price table; this module is their typed Python form, the
encoding of job type names (left-aligned ASCII in a ``bytes32``) and the
bounds the contract enforces, so bad input is refused before a proposal is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.protocol import BOLT, BOLT_SUPPLY, PRICING_USD, PROTOCOL_FEE_BPS, STAKE_REQUIREMENTS, Tier

#: The hard cap of the burned fee (ProtocolParams.MAX_FEE_BPS = dispatch_settlement's MAX_FEE_BPS).
MAX_FEE_BPS = 1_000
#: The longest unstaking cooldown (ProtocolParams.MAX_COOLDOWN = dispatch_staking's MAX_COOLDOWN_SECONDS).
MAX_COOLDOWN_SECONDS = 90 * 24 * 3600
#: The unstaking cooldown the Solana staking program is initialised with (dispatch_chain/solana/deploy.py).
DEFAULT_COOLDOWN_SECONDS = 7 * 24 * 3600
#: The most rows the price table holds (ProtocolParams.MAX_JOB_TYPES).
MAX_JOB_TYPES = 32
#: USDC has 6 decimals.
USDC_DECIMALS = 6
U64_MAX = 2**64 - 1


class ParamsError(DispatchChainError, ValueError):
    """A parameter value is outside what ProtocolParams accepts; ``field`` names it."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def job_type_word(name: str) -> bytes:
    """The ``bytes32`` of a job type name: its ASCII, left-aligned, zero-padded ('FAST_LLM')."""
    raw = name.encode("ascii", errors="replace")
    if not name or len(raw) > 32 or not name.isascii() or not name.isprintable() or "\0" in name:
        raise ParamsError(f"job type {name!r} must be 1-32 printable ASCII characters", field="job_type")
    return raw.ljust(32, b"\0")


def job_type_name(word: bytes) -> str:
    """The name of a job type ``bytes32`` (inverse of :func:`job_type_word`)."""
    return bytes(word).rstrip(b"\0").decode("ascii", errors="replace")


def usdc_base_units(dollars: float) -> int:
    """USDC base units of a dollar price, exactly for the whitepaper's prices ($0.010 -> 10000)."""
    return round(dollars * 10**USDC_DECIMALS)


#: The whitepaper's price table (§4.1) as job type -> USDC base units: FAST_LLM $0.010, ...
DEFAULT_PRICES: MappingProxyType[str, int] = MappingProxyType(
    {f"{policy}_{job_class}": usdc_base_units(usd) for (policy, job_class), usd in PRICING_USD.items()}
)


@dataclass(frozen=True)
class ProtocolParamSet:
    """The whole parameter set at one version (what ``ProtocolParams.params()`` returns)."""

    version: int
    fee_bps: int
    verified_threshold: int
    sentinel_threshold: int
    unstake_cooldown: int
    prices: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "fee_bps": self.fee_bps,
            "verified_threshold": str(self.verified_threshold),
            "sentinel_threshold": str(self.sentinel_threshold),
            "unstake_cooldown": self.unstake_cooldown,
            "prices": dict(self.prices),
        }

    def tier_for_stake(self, active_stake: int) -> Tier:
        """The tier of an active stake under these thresholds."""
        if active_stake >= self.sentinel_threshold:
            return Tier.SENTINEL
        if active_stake >= self.verified_threshold:
            return Tier.VERIFIED
        return Tier.OPEN


#: The parameters a fresh deployment starts with (the whitepaper's values, version 0).
DEFAULT_PARAMS = ProtocolParamSet(
    version=0,
    fee_bps=PROTOCOL_FEE_BPS,
    verified_threshold=STAKE_REQUIREMENTS[Tier.VERIFIED],
    sentinel_threshold=STAKE_REQUIREMENTS[Tier.SENTINEL],
    unstake_cooldown=DEFAULT_COOLDOWN_SECONDS,
    prices=DEFAULT_PRICES,
)


def check_fee_bps(fee_bps: int) -> int:
    if not 0 <= fee_bps <= MAX_FEE_BPS:
        raise ParamsError(f"fee {fee_bps} bps is outside 0..{MAX_FEE_BPS} (the hard cap)", field="fee_bps")
    return fee_bps


def check_thresholds(verified: int, sentinel: int) -> tuple[int, int]:
    if not 0 < verified <= sentinel:
        raise ParamsError(f"thresholds need 0 < VERIFIED <= SENTINEL, got {verified}, {sentinel}", field="thresholds")
    if sentinel > BOLT_SUPPLY:
        raise ParamsError(f"SENTINEL {sentinel / BOLT:g} BOLT exceeds BOLT's supply", field="thresholds")
    return verified, sentinel


def check_cooldown(seconds: int) -> int:
    if not 0 <= seconds <= MAX_COOLDOWN_SECONDS:
        raise ParamsError(f"cooldown {seconds} s is outside 0..{MAX_COOLDOWN_SECONDS} (90 days)", field="cooldown")
    return seconds


def check_price(job_type: str, price: int) -> tuple[bytes, int]:
    word = job_type_word(job_type)
    if not 0 < price <= U64_MAX:
        raise ParamsError(f"price of {job_type} must be 1..2^64-1 USDC base units, got {price}", field="price")
    return word, price
