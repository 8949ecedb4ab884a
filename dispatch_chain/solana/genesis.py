"""The genesis schedules of BOLT (whitepaper §5.4) in dispatch_vesting.

After ``create_bolt`` has minted the allocations, the ones the whitepaper
vests or locks move into schedules, each with its own vault:

- team and advisors (150M): one schedule per beneficiary from a file, a
  1-year cliff then 3 years linear (nothing at the cliff), revocable for the
  unvested part by the revocation authority named (e.g. the DAO admin);
- liquidity (100M): a 1-year lock, not revocable;
- treasury (150M): a 6-month timelock, not revocable, whose beneficiary is
  the treasury admin until governance takes the role over with
  ``set_beneficiary``.

Worker rewards (400M) need no schedule: ``create_bolt`` mints them straight
into the dispatch_rewards vault by naming the rewards config PDA as the
owner (the vault is its associated token account). Community, hackathon and
partners (200M) go to the accounts named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from solders.instruction import Instruction
from solders.pubkey import Pubkey

from dispatch_chain.errors import ConfigError
from dispatch_chain.protocol import BOLT_SUPPLY, DISTRIBUTION
from dispatch_chain.rewards.emission import released as emitted
from dispatch_chain.solana.vesting import VestingClient, VestingSchedule, schedule_id

YEAR = 365 * 24 * 3600
TEAM_CLIFF = YEAR
TEAM_LINEAR = 3 * YEAR
LIQUIDITY_LOCK = YEAR
TREASURY_TIMELOCK = YEAR // 2
ALLOCATION = {name: BOLT_SUPPLY * share // 100 for name, share in DISTRIBUTION}


@dataclass(frozen=True, slots=True)
class Grant:
    """One team or advisor grant."""

    label: str
    beneficiary: Pubkey
    amount: int


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    category: str
    label: str
    beneficiary: Pubkey
    total: int
    start_ts: int
    cliff_ts: int
    end_ts: int
    revoke_authority: Pubkey | None


def read_team_file(path: Path) -> list[Grant]:
    """``[{"label": ..., "beneficiary": <base58>, "amount": <base units>}, ...]`` adding up to 150M BOLT."""
    try:
        rows = json.loads(Path(path).read_text())
        grants = [Grant(str(r["label"]), Pubkey.from_string(r["beneficiary"]), int(r["amount"])) for r in rows]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the team file {path}: {exc}") from exc
    check_team(grants)
    return grants


def check_team(grants: list[Grant]) -> None:
    labels = [g.label for g in grants]
    if len(set(labels)) != len(labels):
        raise ConfigError("team grants need distinct labels")
    if any(g.amount <= 0 for g in grants):
        raise ConfigError("every team grant must be positive")
    if sum(g.amount for g in grants) != ALLOCATION["team"]:
        raise ConfigError(f"team grants add up to {sum(g.amount for g in grants)}, not {ALLOCATION['team']}")


def genesis_schedules(
    genesis_ts: int,
    team: list[Grant],
    *,
    liquidity_beneficiary: Pubkey,
    treasury_admin: Pubkey,
    team_revoke_authority: Pubkey | None,
) -> list[ScheduleSpec]:
    """The schedules of the team, liquidity and treasury allocations, starting at ``genesis_ts``."""
    check_team(team)
    cliff = genesis_ts + TEAM_CLIFF
    specs = [
        ScheduleSpec(
            "team", f"team:{g.label}", g.beneficiary, g.amount, cliff, cliff, cliff + TEAM_LINEAR, team_revoke_authority
        )
        for g in team
    ]
    unlock = genesis_ts + LIQUIDITY_LOCK
    specs.append(
        ScheduleSpec(
            "liquidity", "liquidity", liquidity_beneficiary, ALLOCATION["liquidity"], unlock, unlock, unlock, None
        )
    )
    unlock = genesis_ts + TREASURY_TIMELOCK
    specs.append(
        ScheduleSpec("treasury", "treasury", treasury_admin, ALLOCATION["treasury"], unlock, unlock, unlock, None)
    )
    return specs


def schedule_instructions(
    vesting: VestingClient, creator: Pubkey, mint: Pubkey, spec: ScheduleSpec
) -> list[Instruction]:
    """One schedule's vault and ``create_schedule``, funded from ``creator``'s BOLT account."""
    return vesting.create_schedule_instructions(
        creator,
        schedule_id(spec.label),
        mint=mint,
        beneficiary=spec.beneficiary,
        total=spec.total,
        start_ts=spec.start_ts,
        cliff_ts=spec.cliff_ts,
        end_ts=spec.end_ts,
        revoke_authority=spec.revoke_authority,
    )


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """One row of the distribution table; ``released + locked == allocated``."""

    category: str
    allocated: int
    released: int  # vested (schedules), emitted (worker rewards), or all of it (free allocations)
    claimed: int  # paid out of the vaults (free allocations: all of it)
    locked: int  # not vested / not emitted yet


def distribution_table(
    *, now: int, rewards_start: int, rewards_claimed: int, schedules: dict[str, list[VestingSchedule]]
) -> list[CategoryRow]:
    """The whitepaper's categories at ``now``: worker rewards from the emission curve, the scheduled
    categories from their schedules (a revoked part counts as released back), the rest as free."""
    rows = []
    for category, _ in DISTRIBUTION:
        allocated = ALLOCATION[category]
        if category == "worker_rewards":
            out = emitted(rewards_start, now)
            rows.append(CategoryRow(category, allocated, out, rewards_claimed, allocated - out))
        elif category in schedules:
            group = schedules[category]
            if sum(s.total for s in group) != allocated:
                raise ConfigError(f"the {category} schedules hold {sum(s.total for s in group)}, not {allocated}")
            released = sum(s.vested_at(now) + s.revoked_amount for s in group)
            rows.append(
                CategoryRow(
                    category, allocated, released, sum(s.claimed for s in group), sum(s.unvested_at(now) for s in group)
                )
            )
        else:
            rows.append(CategoryRow(category, allocated, allocated, allocated, 0))
    return rows
