"""Posting an epoch to dispatch_rewards from the chain's own settlement records.

:func:`post_epoch` reads the rewards config (start, epoch length), computes
the epoch from the settlement records and current SENTINEL tiers on chain
(:func:`dispatch_chain.rewards.source.epoch_from_chain`), writes the claim
files, then posts the root. The program refuses a total above what the
curve has released minus what was already distributed: that surfaces as
:class:`dispatch_chain.solana.errors.ExceedsReleased`. A root already posted
for the epoch is not posted again: the same root is reported as posted, a
different one raises :class:`EpochPostedDifferently`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from solders.keypair import Keypair

from dispatch_chain.rewards.claims import write_claim_files
from dispatch_chain.rewards.epoch import EpochDistribution
from dispatch_chain.rewards.errors import RewardsError
from dispatch_chain.rewards.program import RewardsClient
from dispatch_chain.rewards.source import epoch_from_chain
from dispatch_chain.rewards.tree import RewardTree
from dispatch_chain.solana.programs import IdlProgram
from dispatch_chain.solana.staking import TierReader


class NothingToPost(RewardsError):
    """No SENTINEL worker settled anything in the epoch: there is no root to post."""


class EpochPostedDifferently(RewardsError):
    """The epoch's root on chain is not the one computed here (other records, or another distributor)."""


@dataclass(frozen=True, slots=True)
class PostedEpoch:
    distribution: EpochDistribution
    tree: RewardTree
    claims: Path  # the folder of claim files
    signature: str | None  # None: the same root was already on chain


def post_epoch(
    rewards: RewardsClient,
    distributor: Keypair,
    settlement: IdlProgram,
    tiers: TierReader,
    epoch: int,
    *,
    out: Path,
    budget: int | None = None,
) -> PostedEpoch:
    """Compute ``epoch`` from chain data, write its claim files under ``out``, post its root.

    ``budget`` (default: what the curve releases during the epoch) caps the total.
    """
    config = rewards.config()
    distribution = epoch_from_chain(
        rewards.client,
        settlement,
        tiers,
        epoch,
        start=config.start_ts,
        epoch_seconds=config.epoch_seconds,
        budget=budget,
    )
    if not distribution.rewards:
        raise NothingToPost(
            f"epoch {epoch}: no SENTINEL worker settled BOLT in [{distribution.begin}, {distribution.end})"
        )
    tree = RewardTree(epoch, distribution.rewards)
    claims = write_claim_files(out, tree, rewards.rewards.program.program_id)
    posted = rewards.epoch_root(epoch)
    if posted is not None:
        if (posted.root, posted.total) != (tree.root, tree.total):
            raise EpochPostedDifferently(
                f"epoch {epoch} is posted with root 0x{posted.root.hex()} (total {posted.total}),"
                f" not 0x{tree.root.hex()} (total {tree.total})"
            )
        return PostedEpoch(distribution, tree, claims, None)
    signature = rewards.post(distributor, epoch=epoch, root=tree.root, total=tree.total, workers=len(tree.rewards))
    return PostedEpoch(distribution, tree, claims, signature)
