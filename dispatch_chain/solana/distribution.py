"""The BOLT distribution as the chain holds it now (``dispatch-chain bolt distribution``).

Per whitepaper category: allocated, released (vested, or emitted by the
rewards curve, or paid out of the treasury by governance spends, or all of it
for the free categories), claimed out of the vaults, and still locked, from
the mint, the rewards config, the governance treasury vault and its spend
records, and the genesis schedules the manifest records
(:mod:`dispatch_chain.solana.tokenomics`), at the Clock of the chain. Besides the bookkeeping, the vaults' token
balances are read, so the report shows that what sits in vaults plus what
circulates is the supply, which is 1B minus what settlement burned.
"""

from __future__ import annotations

from dataclasses import dataclass

from solders.pubkey import Pubkey

from dispatch_chain.deployments import SolanaDeployment
from dispatch_chain.errors import ConfigError
from dispatch_chain.governance.solana import GovernanceReceiver
from dispatch_chain.protocol import BOLT_SUPPLY, DISTRIBUTION
from dispatch_chain.rewards.program import RewardsClient
from dispatch_chain.solana.bolt import BoltError, read_mint, token_balance
from dispatch_chain.solana.genesis import CategoryRow, distribution_table
from dispatch_chain.solana.tokenomics import chain_now
from dispatch_chain.solana.vesting import VestingClient, VestingSchedule


@dataclass(frozen=True, slots=True)
class Distribution:
    now: int
    rows: list[CategoryRow]
    supply: int  # the mint's supply now
    in_vaults: int  # token balances of the rewards vault, the treasury vault and every genesis schedule's vault

    @property
    def burned(self) -> int:
        return BOLT_SUPPLY - self.supply

    @property
    def circulating(self) -> int:
        return self.supply - self.in_vaults

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.now,
            "categories": [
                {
                    "category": r.category,
                    "allocated": str(r.allocated),
                    "released": str(r.released),
                    "claimed": str(r.claimed),
                    "locked": str(r.locked),
                }
                for r in self.rows
            ],
            "total_allocated": str(sum(r.allocated for r in self.rows)),
            "supply": str(self.supply),
            "burned": str(self.burned),
            "in_vaults": str(self.in_vaults),
            "circulating": str(self.circulating),
        }


def read_distribution(
    deployment: SolanaDeployment, rewards: RewardsClient, vesting: VestingClient, governance: GovernanceReceiver
) -> Distribution:
    """Read everything the table needs from the chain, at the chain's current time.

    The treasury row: released (and claimed) = the spends paid out of its vault, locked = the rest,
    which the vault must hold (tokens sent to it on top count in ``in_vaults`` only).
    """
    client = rewards.client
    mint = Pubkey.from_string(deployment.account("bolt_mint"))
    info = read_mint(client, mint)
    if info is None:
        raise BoltError(f"no BOLT mint at {mint}")
    config = rewards.config()
    schedules: dict[str, list[VestingSchedule]] = {}
    for name, address in sorted(deployment.accounts.items()):
        if name.startswith("schedule."):
            category = name.split(".")[1]
            schedules.setdefault(category, []).append(vesting.schedule_at(Pubkey.from_string(address)))
    if not schedules:
        raise ConfigError("the manifest records no genesis schedules: create BOLT with create-bolt first")
    treasury = governance.treasury_address(mint)
    if deployment.accounts.get("allocation.treasury") != str(treasury):
        raise ConfigError(
            f"the manifest records treasury vault {deployment.accounts.get('allocation.treasury')},"
            f" not {treasury} (dispatch_governance {governance.program.program_id}): recreate BOLT with create-bolt"
        )
    paid = governance.paid_out()
    now = chain_now(client)
    rows = distribution_table(
        now=now,
        rewards_start=config.start_ts,
        rewards_claimed=config.total_claimed,
        treasury_paid=paid,
        schedules=schedules,
    )
    locked = next(r.locked for r in rows if r.category == "treasury")
    held = token_balance(client, treasury) or 0
    if held < locked:
        raise BoltError(f"the treasury vault {treasury} holds {held}, less than the {locked} not paid out")
    vaults = [config.vault, treasury] + [s.vault for group in schedules.values() for s in group]
    in_vaults = sum(token_balance(client, v) or 0 for v in vaults)
    assert [r.category for r in rows] == [name for name, _ in DISTRIBUTION]
    return Distribution(now, rows, info.supply, in_vaults)
