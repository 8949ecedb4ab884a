"""The genesis schedules of BOLT (whitepaper §5.4) in dispatch_vesting.

After ``create_bolt`` has minted the allocations, the ones the whitepaper
vests or locks move into schedules, each with its own vault:

- team and advisors (150M): one schedule per beneficiary from a file, a
  1-year cliff then 3 years linear (nothing at the cliff), revocable for the
  unvested part by the revocation authority named (e.g. the DAO admin);
- liquidity (100M): a 1-year lock, not revocable.

Worker rewards (400M) need no schedule: ``create_bolt`` mints them straight
into the dispatch_rewards vault by naming the rewards config PDA as the
owner (the vault is its associated token account). The treasury (150M)
needs none either: it is minted into the dispatch_governance treasury vault,
the receiver config PDA's associated token account, which exists before the
receiver is initialised; only ``pay_spend`` moves it, for a spend passed on
Monad and attested, 180 days after its approval (docs/governance.md). Community, hackathon and
partners (200M) go to the accounts named. :func:`genesis_allocations` lists
all of it for ``create_bolt``; each scheduled allocation is one transaction
(:class:`ScheduleAllocation`: mint to the creator, create the schedule), so
a crash never leaves tokens minted but not scheduled.

The team file (``--team-file``) is JSON, a list of grants whose amounts add
up to exactly 150,000,000 BOLT::

    [{"label": "alice", "beneficiary": "<base58 address>", "amount": "100000000000000000"}, ...]

``amount`` is in base units (10^-9 BOLT), a positive integer or a string of
digits (JSON numbers that large lose precision in some tools); labels are
distinct, 1 to 64 characters (they name the schedules, so a rerun finds
them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spl.token.instructions as token_ix
from solders.instruction import Instruction
from solders.pubkey import Pubkey

from dispatch_chain.errors import ConfigError, DispatchChainError
from dispatch_chain.protocol import BOLT_DECIMALS, BOLT_SUPPLY, DISTRIBUTION
from dispatch_chain.rewards.emission import released as emitted
from dispatch_chain.solana.bolt import Allocation, BoltError, associated_token_account, mint_instruction
from dispatch_chain.solana.client import SolanaClient
from dispatch_chain.solana.vesting import VestingClient, VestingSchedule, schedule_id

YEAR = 365 * 24 * 3600
TEAM_CLIFF = YEAR
TEAM_LINEAR = 3 * YEAR
LIQUIDITY_LOCK = YEAR
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


class TeamFileError(DispatchChainError):
    """The team file is missing, not JSON, or a grant in it is malformed (the message names which)."""


def _grant(index: int, row: Any) -> Grant:
    where = f"grant {index}"
    if not isinstance(row, dict):
        raise TeamFileError(f"{where}: expected an object with label, beneficiary and amount, got {row!r:.80}")
    unknown = set(row) - {"label", "beneficiary", "amount"}
    missing = {"label", "beneficiary", "amount"} - set(row)
    if unknown or missing:
        raise TeamFileError(f"{where}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    label = row["label"]
    if not isinstance(label, str) or not 1 <= len(label) <= 64:
        raise TeamFileError(f"{where}: label must be a string of 1 to 64 characters")
    try:
        beneficiary = Pubkey.from_string(str(row["beneficiary"]))
    except ValueError:
        raise TeamFileError(
            f"{where} ({label}): beneficiary {row['beneficiary']!r:.64} is not a Solana address"
        ) from None
    amount = row["amount"]
    digits = isinstance(amount, str) and amount.isascii() and amount.isdigit() and len(amount) <= 20
    if not (isinstance(amount, int) and not isinstance(amount, bool)) and not digits:
        raise TeamFileError(f"{where} ({label}): amount {amount!r:.40} is not a whole number of base units")
    if not 0 < int(amount) < 2**64:
        raise TeamFileError(f"{where} ({label}): amount must be positive and below 2^64 base units")
    return Grant(label, beneficiary, int(amount))


def read_team_file(path: Path) -> list[Grant]:
    """The grants of a team file (format: this module's docstring), checked: TeamFileError otherwise."""
    try:
        rows = json.loads(Path(path).read_text())
    except OSError as exc:
        raise TeamFileError(f"cannot read the team file {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise TeamFileError(f"the team file {path} is not JSON: {exc}") from exc
    if not isinstance(rows, list) or not rows:
        raise TeamFileError(f"the team file {path} must be a non-empty JSON list of grants")
    grants = [_grant(i, row) for i, row in enumerate(rows)]
    try:
        check_team(grants)
    except ConfigError as exc:
        raise TeamFileError(f"the team file {path}: {exc}") from None
    return grants


def check_team(grants: list[Grant]) -> None:
    labels = [g.label for g in grants]
    if len(set(labels)) != len(labels):
        raise ConfigError("team grants need distinct labels")
    if any(g.amount <= 0 for g in grants):
        raise ConfigError("every team grant must be positive")
    if sum(g.amount for g in grants) != ALLOCATION["team"]:
        total = sum(g.amount for g in grants)
        raise ConfigError(
            f"team grants add up to {total / 10**BOLT_DECIMALS:,.9f} BOLT,"
            f" not {ALLOCATION['team'] // 10**BOLT_DECIMALS:,}"
        )


def genesis_schedules(
    genesis_ts: int,
    team: list[Grant],
    *,
    liquidity_beneficiary: Pubkey,
    team_revoke_authority: Pubkey | None,
) -> list[ScheduleSpec]:
    """The schedules of the team and liquidity allocations, starting at ``genesis_ts``."""
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
class ScheduleAllocation:
    """A scheduled allocation for ``create_bolt``: one transaction mints ``spec.total`` to the creator's
    (the payer's) token account and moves it into the schedule's vault with ``create_schedule``."""

    spec: ScheduleSpec
    vesting: VestingClient
    creator: Pubkey

    @property
    def name(self) -> str:
        return self.spec.label

    @property
    def amount(self) -> int:
        return self.spec.total

    @property
    def address(self) -> Pubkey:
        return self.vesting.schedule_address(self.creator, schedule_id(self.spec.label))

    def placed(self, client: SolanaClient, mint: Pubkey) -> bool:
        account = client.account(self.address)
        if account is None or account.holds_only_lamports:
            return False
        found = self.vesting.decode(self.address, account.data)
        spec = self.spec
        # Reruns happen only during genesis (create_bolt stops once the mint authority is gone), so a
        # schedule of other terms or another beneficiary means the inputs changed between runs.
        asked = (mint, spec.beneficiary, spec.total, spec.start_ts, spec.cliff_ts, spec.end_ts, spec.revoke_authority)
        f = found
        if (f.mint, f.beneficiary, f.total, f.start_ts, f.cliff_ts, f.end_ts, f.revoke_authority) != asked:
            raise BoltError(f"schedule {spec.label} at {self.address} exists but is not as asked: {found}")
        return True

    def instructions(self, payer: Pubkey, mint: Pubkey) -> list[Instruction]:
        staging = associated_token_account(payer, mint)
        return [
            token_ix.create_idempotent_associated_token_account(payer, payer, mint),
            mint_instruction(payer, mint, staging, self.spec.total),
            *schedule_instructions(self.vesting, payer, mint, self.spec),
        ]

    def describe(self, mint: Pubkey) -> str:
        s = self.spec
        kind = "lock" if s.revoke_authority is None else "vesting"
        return (
            f"{s.label}: {s.total / 10**BOLT_DECIMALS:,.9g} BOLT into {kind} schedule {self.address}"
            f" (beneficiary {s.beneficiary}, cliff {s.cliff_ts}, end {s.end_ts})"
        )


def genesis_allocations(
    specs: list[ScheduleSpec],
    *,
    vesting: VestingClient,
    creator: Pubkey,
    rewards_config: Pubkey,
    treasury_config: Pubkey,
    owners: dict[str, Pubkey],
) -> list[Allocation | ScheduleAllocation]:
    """Everything ``create_bolt`` places, in the whitepaper's order: worker rewards into the rewards
    vault (``rewards_config``'s associated token account), the treasury into the governance vault
    (``treasury_config``'s, the receiver config PDA), the scheduled categories (``specs``) through
    ``creator``, the others to ``owners`` (community, hackathon, partners)."""
    placed: list[Allocation | ScheduleAllocation] = []
    for category, _ in DISTRIBUTION:
        group = [s for s in specs if s.category == category]
        if category == "worker_rewards":
            placed.append(Allocation(category, rewards_config, ALLOCATION[category]))
        elif category == "treasury":
            placed.append(Allocation(category, treasury_config, ALLOCATION[category]))
        elif group:
            placed += [ScheduleAllocation(s, vesting, creator) for s in group]
        elif category in owners:
            placed.append(Allocation(category, owners[category], ALLOCATION[category]))
        else:
            raise ConfigError(f"no schedule and no owner for the {category} allocation")
    return placed


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """One row of the distribution table; ``released + locked == allocated``."""

    category: str
    allocated: int
    released: int  # vested (schedules), emitted (worker rewards), or all of it (free allocations)
    claimed: int  # paid out of the vaults (free allocations: all of it)
    locked: int  # not vested / not emitted yet


def distribution_table(
    *,
    now: int,
    rewards_start: int,
    rewards_claimed: int,
    treasury_paid: int,
    schedules: dict[str, list[VestingSchedule]],
) -> list[CategoryRow]:
    """The whitepaper's categories at ``now``: worker rewards from the emission curve, the treasury
    from the spends paid out of its vault (``treasury_paid``; the rest is locked there), the
    scheduled categories from their schedules (a revoked part counts as released back), the rest
    as free."""
    rows = []
    for category, _ in DISTRIBUTION:
        allocated = ALLOCATION[category]
        if category == "worker_rewards":
            out = emitted(rewards_start, now)
            rows.append(CategoryRow(category, allocated, out, rewards_claimed, allocated - out))
        elif category == "treasury":
            if not 0 <= treasury_paid <= allocated:
                raise ConfigError(f"treasury spends paid {treasury_paid}, outside 0..{allocated}")
            rows.append(CategoryRow(category, allocated, treasury_paid, treasury_paid, allocated - treasury_paid))
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
