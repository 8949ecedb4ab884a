//! Seeds, tier numbers and limits of the staking program.
use anchor_lang::prelude::*;

/// Seed of the [`crate::StakingConfig`] PDA.
pub const CONFIG_SEED: &[u8] = b"config";
/// Seed of the vault token account PDA (its own authority).
pub const VAULT_SEED: &[u8] = b"vault";
/// Seed prefix of a worker's [`crate::StakeAccount`] PDA: `["stake", worker]`.
pub const STAKE_SEED: &[u8] = b"stake";

/// OPEN: any worker, no stake (whitepaper §5.3).
pub const TIER_OPEN: u8 = 0;
/// VERIFIED: active stake at least `verified_threshold` (100 BOLT at launch).
pub const TIER_VERIFIED: u8 = 1;
/// SENTINEL: active stake at least `sentinel_threshold` (1,000 BOLT at launch).
pub const TIER_SENTINEL: u8 = 2;

/// The longest unstaking cooldown `initialize` and `update_config` accept:
/// 90 days. A longer one would let an admin lock every stake for as long as
/// it likes (`i64::MAX` never unlocks).
#[constant]
pub const MAX_COOLDOWN_SECONDS: i64 = 90 * 24 * 3600;
