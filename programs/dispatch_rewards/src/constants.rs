//! Seeds and the emission schedule of the rewards program (whitepaper §5.4).
use anchor_lang::prelude::*;

/// Seed of the [`crate::RewardsConfig`] PDA.
pub const CONFIG_SEED: &[u8] = b"config";
/// Seed prefix of an [`crate::EpochRoot`]: `["epoch", epoch (u64 LE)]`.
pub const EPOCH_SEED: &[u8] = b"epoch";
/// Seed prefix of a [`crate::ClaimRecord`]: `["claim", epoch_root, worker]`
/// (`epoch_root`: the address of the epoch's [`crate::EpochRoot`]).
pub const CLAIM_SEED: &[u8] = b"claim";

/// One BOLT in base units (9 decimals).
pub const BOLT: u64 = 1_000_000_000;
/// A year of the emission curve: 365 days of seconds.
#[constant]
pub const YEAR_SECONDS: i64 = 365 * 24 * 3600;
/// BOLT emitted in each year of the curve, linearly within the year: 200M,
/// 100M, 50M, 25M (halving annually).
pub const YEAR_EMISSIONS: [u64; 4] = [200_000_000 * BOLT, 100_000_000 * BOLT, 50_000_000 * BOLT, 25_000_000 * BOLT];
/// Everything the curve ever releases: 375M BOLT, reached at the end of year 4.
#[constant]
pub const EMISSION_TOTAL: u64 = 375_000_000 * BOLT;
/// The worker-rewards allocation the vault is funded with at genesis: 400M BOLT.
#[constant]
pub const WORKER_REWARDS_ALLOCATION: u64 = 400_000_000 * BOLT;
/// The part of the allocation the curve never emits: 25M BOLT.
#[constant]
pub const RESERVE: u64 = WORKER_REWARDS_ALLOCATION - EMISSION_TOTAL;
