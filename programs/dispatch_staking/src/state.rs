//! Accounts of the staking program.
use anchor_lang::prelude::*;

use crate::constants::{MAX_COOLDOWN_SECONDS, TIER_OPEN, TIER_SENTINEL, TIER_VERIFIED};
use crate::errors::StakingError;

/// The program's configuration, PDA `["config"]`. Only `admin` changes the
/// parameters; the role moves only by `propose_admin` + `accept_admin`.
#[account]
#[derive(InitSpace)]
pub struct StakingConfig {
    /// The only key that may change parameters.
    pub admin: Pubkey,
    /// The proposed next admin, until it accepts.
    pub pending_admin: Option<Pubkey>,
    /// The staked token (BOLT, 9 decimals).
    pub mint: Pubkey,
    /// The vault token account (PDA `["vault"]`, its own authority).
    pub vault: Pubkey,
    /// Active stake (base units) from which a worker is VERIFIED.
    pub verified_threshold: u64,
    /// Active stake (base units) from which a worker is SENTINEL.
    pub sentinel_threshold: u64,
    /// Seconds between `request_unstake` and `withdraw`.
    pub cooldown_seconds: i64,
    /// Sum of every worker's active stake.
    pub total_active: u64,
    /// Sum of every worker's pending (unstaking) amount.
    pub total_pending: u64,
    pub bump: u8,
    pub vault_bump: u8,
}

impl StakingConfig {
    /// The parameters' bounds, each with its own error:
    /// `0 < verified <= sentinel` (`InvalidThresholds`), `sentinel <= supply`
    /// of the staked mint (`ThresholdAboveSupply`), `cooldown >= 0`
    /// (`InvalidCooldown`) and `cooldown <= MAX_COOLDOWN_SECONDS`
    /// (`CooldownTooLong`).
    pub fn validate(verified_threshold: u64, sentinel_threshold: u64, cooldown_seconds: i64, supply: u64) -> Result<()> {
        require!(verified_threshold > 0 && verified_threshold <= sentinel_threshold, StakingError::InvalidThresholds);
        require!(sentinel_threshold <= supply, StakingError::ThresholdAboveSupply);
        require!(cooldown_seconds >= 0, StakingError::InvalidCooldown);
        require!(cooldown_seconds <= MAX_COOLDOWN_SECONDS, StakingError::CooldownTooLong);
        Ok(())
    }

    /// The tier of an active stake: 2 SENTINEL, 1 VERIFIED, 0 OPEN.
    pub fn tier(&self, active: u64) -> u8 {
        if active >= self.sentinel_threshold {
            TIER_SENTINEL
        } else if active >= self.verified_threshold {
            TIER_VERIFIED
        } else {
            TIER_OPEN
        }
    }
}

/// One worker's stake, PDA `["stake", worker]`. `worker` is the worker's
/// ed25519 key, which is also its Solana address.
#[account]
#[derive(InitSpace)]
pub struct StakeAccount {
    pub worker: Pubkey,
    /// Stake that counts for the tier.
    pub active: u64,
    /// Stake leaving, withdrawable from `unlock_at`.
    pub pending: u64,
    /// Unix time from which `pending` may be withdrawn (0 when none).
    pub unlock_at: i64,
    pub bump: u8,
}
