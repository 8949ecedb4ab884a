"""An epoch's inputs read from the chain: dispatch_settlement records and the
stake tiers of their workers (dispatch_staking).

Settlement records are found with one ``getProgramAccounts`` call filtered on
the ``Settlement`` account discriminator; tiers are read in batches by
:class:`~dispatch_chain.solana.staking.TierReader`. Given the same chain
state, two coordinators get the same records, tiers and root.
"""

from __future__ import annotations

import base64

from solana.rpc.types import MemcmpOpts
from solders.pubkey import Pubkey

from dispatch_chain.errors import ChainError
from dispatch_chain.protocol import Tier
from dispatch_chain.rewards.epoch import EpochDistribution, SettledJob, compute_epoch
from dispatch_chain.solana.client import SolanaClient, b58encode
from dispatch_chain.solana.programs import IdlProgram
from dispatch_chain.solana.staking import TierReader


def settlements_on_chain(client: SolanaClient, settlement: IdlProgram) -> list[SettledJob]:
    """Every settlement record of the program, as ``(worker, amount, settled_at)``."""
    discriminator = settlement.discriminator("Settlement")
    try:
        response = client.rpc.get_program_accounts(
            settlement.program_id, encoding="base64", filters=[MemcmpOpts(offset=0, bytes=b58encode(discriminator))]
        )
    except Exception as exc:  # solana-py raises its own RPC and transport errors
        raise ChainError(f"cannot list the settlement records of {settlement.program_id}: {exc}") from exc
    jobs = []
    for keyed in response.value:
        data = keyed.account.data
        record = settlement.decode("Settlement", bytes(data) if not isinstance(data, str) else base64.b64decode(data))
        jobs.append(SettledJob(record.worker, record.amount, record.settled_at))
    return jobs


def sentinels_among(tiers: TierReader, workers: list[Pubkey]) -> set[Pubkey]:
    """The workers whose stake tier is SENTINEL now."""
    return {worker for worker, tier in tiers.tiers(workers).items() if tier is Tier.SENTINEL}


def epoch_from_chain(
    client: SolanaClient,
    settlement: IdlProgram,
    tiers: TierReader,
    epoch: int,
    *,
    start: int,
    epoch_seconds: int,
    budget: int | None = None,
) -> EpochDistribution:
    """``epoch``'s rewards from the settlement records and the current stake tiers."""
    jobs = settlements_on_chain(client, settlement)
    workers = sorted({job.worker for job in jobs}, key=bytes)
    return compute_epoch(
        epoch,
        start=start,
        epoch_seconds=epoch_seconds,
        settlements=jobs,
        sentinels=sentinels_among(tiers, workers),
        budget=budget,
    )
