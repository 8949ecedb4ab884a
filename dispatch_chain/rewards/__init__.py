"""Worker rewards (whitepaper §5.4): the emission curve, the deterministic
computation of an epoch's rewards from settlement records, the reward tree
(OpenZeppelin-style leaves, the same library as receipts) and claim files.

docs/rewards.md describes eligibility, weights and the curve.
"""

from dispatch_chain.rewards.claims import ClaimFile, read_claim_file, write_claim_files
from dispatch_chain.rewards.emission import (
    EMISSION_TOTAL,
    RESERVE,
    WORKER_REWARDS_ALLOCATION,
    YEAR_EMISSIONS,
    YEAR_SECONDS,
    epoch_budget,
    epoch_window,
    released,
)
from dispatch_chain.rewards.epoch import EpochDistribution, SettledJob, compute_epoch
from dispatch_chain.rewards.errors import RewardsError
from dispatch_chain.rewards.tree import RewardTree, reward_leaf, reward_leaf_values

__all__ = [
    "EMISSION_TOTAL",
    "RESERVE",
    "WORKER_REWARDS_ALLOCATION",
    "YEAR_EMISSIONS",
    "YEAR_SECONDS",
    "ClaimFile",
    "EpochDistribution",
    "RewardTree",
    "RewardsError",
    "SettledJob",
    "compute_epoch",
    "epoch_budget",
    "epoch_window",
    "read_claim_file",
    "released",
    "reward_leaf",
    "reward_leaf_values",
    "write_claim_files",
]
