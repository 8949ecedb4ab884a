"""Governance roles, the contracts the timelock administers, and the governor's settings profiles."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dispatch_chain.hashing import keccak256
from dispatch_chain.protocol import BOLT

PROPOSER_ROLE = keccak256(b"PROPOSER_ROLE")
EXECUTOR_ROLE = keccak256(b"EXECUTOR_ROLE")
CANCELLER_ROLE = keccak256(b"CANCELLER_ROLE")
DEFAULT_ADMIN_ROLE = bytes(32)

#: The contracts whose default admin becomes the timelock (ProtocolParams is owned by it from birth).
GOVERNED_CONTRACTS = ("ReceiptAnchor", "BoltBridge")

DAY = 86_400


@dataclass(frozen=True)
class GovernanceProfile:
    """The governor's constructor parameters and the timelock delay (docs/governance.md)."""

    voting_delay: int
    voting_period: int
    timelock_delay: int
    execution_window: int
    quorum_percent: int
    proposal_threshold: int  # wBOLT base units

    @classmethod
    def defaults(cls, *, local: bool) -> GovernanceProfile:
        """Public networks: 1 day, 7 days, 2 days, 14 days, 4 %, 1 000 wBOLT. Local: seconds, 1 wBOLT."""
        if local:
            return cls(
                voting_delay=2,
                voting_period=30,
                timelock_delay=10,
                execution_window=600,
                quorum_percent=4,
                proposal_threshold=BOLT,
            )
        return cls(
            voting_delay=DAY,
            voting_period=7 * DAY,
            timelock_delay=2 * DAY,
            execution_window=14 * DAY,
            quorum_percent=4,
            proposal_threshold=1_000 * BOLT,
        )

    def with_changes(self, **changes: int | None) -> GovernanceProfile:
        """This profile with every change that is not None."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def describe(self) -> str:
        return (
            f"voting delay {self.voting_delay} s, period {self.voting_period} s, timelock {self.timelock_delay} s, "
            f"window {self.execution_window} s, quorum {self.quorum_percent} %, "
            f"proposal threshold {self.proposal_threshold / BOLT:g} wBOLT"
        )
