"""Protocol constants from the whitepaper (§3, §5, §6), in one place.

These mirror ``packages/protocol/src/types.ts`` of the TypeScript coordinator.
On chain, the parameters that matter economically (fee bps, tier thresholds)
live in program/contract configs and change only through governance; these
are the values those configs are initialised with and the values the
off-chain scoring uses.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import IntEnum

#: 5 % of every BOLT settlement is burned.
PROTOCOL_FEE_BPS = 500
BPS_DENOMINATOR = 10_000

#: BOLT: an SPL token with a fixed supply, never minted after distribution.
BOLT_DECIMALS = 9
BOLT_SUPPLY_TOKENS = 1_000_000_000
BOLT = 10**BOLT_DECIMALS  # base units per token
BOLT_SUPPLY = BOLT_SUPPLY_TOKENS * BOLT

#: Liveness (§6.6).
HEARTBEAT_TIMEOUT_S = 30.0
PRUNE_INTERVAL_S = 10.0
#: Heartbeat freshness starts losing points after this age (§3.3).
STALENESS_GRACE_S = 10.0

#: ERC-8004 feedback (§4.2, §6.4): scores out of 100, as int128 with 2 decimals.
FEEDBACK_SUCCESS = 80
FEEDBACK_FAILURE = 20
FEEDBACK_DECIMALS = 2
FEEDBACK_TAG1 = "dispatch-compute"
FEEDBACK_TAG2 = "COMPUTE"


class Tier(IntEnum):
    """Stake tiers (§5.3): OPEN 0 BOLT, VERIFIED 100, SENTINEL 1,000."""

    OPEN = 0
    VERIFIED = 1
    SENTINEL = 2

    @property
    def threshold(self) -> int:
        """Minimum active stake, in BOLT base units."""
        return STAKE_REQUIREMENTS[self]

    @property
    def match_bonus(self) -> int:
        return STAKE_PRIORITY[self]

    @property
    def rep_multiplier(self) -> float:
        return REP_MULTIPLIER[self]


STAKE_REQUIREMENTS = {Tier.OPEN: 0, Tier.VERIFIED: 100 * BOLT, Tier.SENTINEL: 1_000 * BOLT}
STAKE_PRIORITY = {Tier.OPEN: 0, Tier.VERIFIED: 5, Tier.SENTINEL: 10}
REP_MULTIPLIER = {Tier.OPEN: 1.0, Tier.VERIFIED: 1.5, Tier.SENTINEL: 2.0}


def tier_for_stake(active_stake: int, *, verified: int | None = None, sentinel: int | None = None) -> Tier:
    """The tier of an active stake (base units); thresholds default to the whitepaper's."""
    verified = STAKE_REQUIREMENTS[Tier.VERIFIED] if verified is None else verified
    sentinel = STAKE_REQUIREMENTS[Tier.SENTINEL] if sentinel is None else sentinel
    if active_stake >= sentinel:
        return Tier.SENTINEL
    if active_stake >= verified:
        return Tier.VERIFIED
    return Tier.OPEN


def format_bolt(base_units: int) -> str:
    """Exact decimal text of a BOLT amount (no float rounding): 7765000000 -> '7.765000000'."""
    sign = "-" if base_units < 0 else ""
    whole, fraction = divmod(abs(base_units), BOLT)
    return f"{sign}{whole:,}.{fraction:09d}"


#: The largest amount an SPL token instruction carries (u64 base units), about 18.4 billion BOLT.
MAX_BASE_UNITS = 2**64 - 1


def parse_bolt(text: str) -> int:
    """Base units of a decimal BOLT amount, exactly: '99.999999999' -> 99999999999.

    Raises ValueError for anything but a non-negative decimal with at most 9
    fractional digits (no exponent, no float rounding) of at most
    :data:`MAX_BASE_UNITS` base units (2^64 - 1, what a token instruction carries).
    """
    if not isinstance(text, str):
        raise ValueError(f"a BOLT amount is decimal text, got {type(text).__name__}")
    if len(text) > 64:
        raise ValueError(f"{text[:24]!r}... is not a BOLT amount (too long)")
    value = text.strip().replace("_", "").replace(",", "")
    whole, dot, fraction = value.partition(".")
    digits = (whole + fraction).isascii() and (whole + fraction).isdigit()
    if not digits or (dot and fraction and not fraction.isdigit()):
        raise ValueError(f"{text!r} is not a BOLT amount (a decimal number such as 100 or 0.5)")
    if len(fraction) > BOLT_DECIMALS:
        raise ValueError(f"{text!r} has more than {BOLT_DECIMALS} decimals, BOLT's precision")
    amount = int(whole or "0") * BOLT + int(fraction.ljust(BOLT_DECIMALS, "0") or "0")
    if amount > MAX_BASE_UNITS:
        raise ValueError(
            f"{text!r} is more than {format_bolt(MAX_BASE_UNITS)} BOLT (2^64 - 1 base units, the most"
            " a token instruction carries)"
        )
    return amount


#: USDC's decimals, the same on Monad and Solana: job prices and payments are in its base units.
USDC_DECIMALS = 6


def parse_usdc(text: str, *, allow_zero: bool = False) -> int:
    """Base units of a decimal USDC amount, exactly: '0.008' -> 8000.

    Raises ValueError unless ``text`` is a finite decimal with at most 6
    fractional digits, above 0 (or 0 too, with ``allow_zero``).
    """
    shown = repr(text) if len(text) <= 40 else f"{text[:40]!r}..."
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{shown} is not a USDC amount (a decimal such as 0.008)") from None
    units = value * 10**USDC_DECIMALS
    if not value.is_finite() or units != units.to_integral_value() or units < 0 or (units == 0 and not allow_zero):
        kind = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"{shown}: {kind} amount with at most {USDC_DECIMALS} decimals")
    return int(units)


def protocol_fee(amount: int, fee_bps: int = PROTOCOL_FEE_BPS) -> int:
    """The burned part of a settlement of ``amount`` base units (rounded down, as on chain)."""
    return amount * fee_bps // BPS_DENOMINATOR


#: Job prices in USDC (§4.1): (policy, job class) -> dollars.
PRICING_USD = {
    ("FAST", "LLM"): 0.010,
    ("FAST", "TASK"): 0.003,
    ("CHEAP", "LLM"): 0.005,
    ("CHEAP", "TASK"): 0.001,
}

#: Token distribution (§5.4): allocation name -> share of the supply, in percent.
DISTRIBUTION: tuple[tuple[str, int], ...] = (
    ("worker_rewards", 40),  # 4-year emission, halving annually
    ("team", 15),  # 1-year cliff, 3-year linear vest
    ("treasury", 15),  # governed by holders: a spend is paid 6 months after its approval
    ("community", 10),  # early adopters, testnet participants
    ("liquidity", 10),  # DEX pool seeding, 1-year lock
    ("hackathon", 5),  # testnet faucet, developer incentives
    ("partners", 5),  # x402, Solana, ERC-8004 ecosystem partners
)
assert sum(share for _, share in DISTRIBUTION) == 100

#: Worker-reward emission (§5.4), in whole BOLT: 200M, 100M, 50M, 25M, then 25M in reserve.
WORKER_REWARD_EMISSION = (200_000_000, 100_000_000, 50_000_000, 25_000_000)
WORKER_REWARD_RESERVE = 25_000_000
