//! Accounts of the rewards program.
use anchor_lang::prelude::*;

use crate::errors::RewardsError;

/// The program's configuration, PDA `["config"]`; authority of the vault.
#[account]
#[derive(InitSpace)]
pub struct RewardsConfig {
    /// Changes the distributor (governance takes this role over).
    pub admin: Pubkey,
    /// The only key that posts epoch roots (the coordinator).
    pub distributor: Pubkey,
    /// BOLT.
    pub mint: Pubkey,
    /// The worker-rewards vault (the config PDA's associated token account),
    /// funded with 400M at genesis.
    pub vault: Pubkey,
    /// Start of the emission curve and of epoch 0.
    pub start_ts: i64,
    /// Epoch `n` covers `[start_ts + n * epoch_seconds, start_ts + (n + 1) * epoch_seconds)`.
    pub epoch_seconds: i64,
    /// Sum of every posted root's total; never above the curve's release.
    pub total_distributed: u64,
    /// Sum of every claim paid.
    pub total_claimed: u64,
    /// Number of epochs posted.
    pub epochs_posted: u64,
    pub bump: u8,
}

impl RewardsConfig {
    /// The end of `epoch` (exclusive), or `MathOverflow`.
    pub fn epoch_end(&self, epoch: u64) -> Result<i64> {
        let end = i128::from(self.start_ts) + (i128::from(epoch) + 1) * i128::from(self.epoch_seconds);
        i64::try_from(end).map_err(|_| error!(RewardsError::MathOverflow))
    }
}

/// One epoch's root, PDA `["epoch", epoch (u64 LE)]`.
#[account]
#[derive(InitSpace)]
pub struct EpochRoot {
    pub epoch: u64,
    /// Root of the OpenZeppelin-style tree of `(epoch, worker, amount)` leaves.
    pub root: [u8; 32],
    /// Sum of the tree's amounts.
    pub total: u64,
    /// Number of leaves.
    pub workers: u32,
    /// Paid so far.
    pub claimed: u64,
    pub posted_at: i64,
    pub bump: u8,
}

/// The record of one worker's claim of one epoch, PDA
/// `["claim", epoch_root, worker]`; its existence makes a second claim fail.
#[account]
#[derive(InitSpace)]
pub struct ClaimRecord {
    pub epoch: u64,
    pub worker: Pubkey,
    pub amount: u64,
    pub claimed_at: i64,
    pub bump: u8,
}
