//! Accounts of the settlement program.
use anchor_lang::prelude::*;

use crate::constants::{BPS_DENOMINATOR, MAX_FEE_BPS, MAX_JOB_ID_LEN};
use crate::errors::SettlementError;

/// The program's configuration, PDA `["config"]`. Only `admin` changes the
/// fee (never above `MAX_FEE_BPS`); the role moves only by `propose_admin` +
/// `accept_admin`.
#[account]
#[derive(InitSpace)]
pub struct SettlementConfig {
    pub admin: Pubkey,
    pub pending_admin: Option<Pubkey>,
    /// The settlement token (BOLT).
    pub mint: Pubkey,
    /// The share of every settlement that is burned, in basis points.
    pub fee_bps: u16,
    /// Sum of every settled `amount` (fee included). A `u128` added with
    /// saturation: the same tokens settle again and again, so the lifetime
    /// volume can pass `u64::MAX` (18x the supply), and a statistic must
    /// never make `settle` fail.
    pub total_settled: u128,
    /// Sum of every burned fee (at most the supply; `u128` and saturating
    /// for the same reason).
    pub total_burned: u128,
    pub bump: u8,
}

impl SettlementConfig {
    /// Checks `fee_bps <= MAX_FEE_BPS`.
    pub fn validate(fee_bps: u16) -> Result<()> {
        require!(fee_bps <= MAX_FEE_BPS, SettlementError::FeeTooHigh);
        Ok(())
    }

    /// The fee on `amount`: `amount * fee_bps / 10 000`, rounded down.
    pub fn fee(&self, amount: u64) -> u64 {
        // At most amount * 1_000 / 10_000 < amount: always fits in u64.
        (u128::from(amount) * u128::from(self.fee_bps) / u128::from(BPS_DENOMINATOR)) as u64
    }
}

/// The record of one settled job, PDA
/// `["settlement", coordinator, sha256(job_id)]`; its existence makes a
/// second settlement of the job by the same coordinator fail.
#[account]
#[derive(InitSpace)]
pub struct Settlement {
    pub coordinator: Pubkey,
    /// The owner of the credited token account.
    pub worker: Pubkey,
    #[max_len(MAX_JOB_ID_LEN)]
    pub job_id: String,
    /// The amount settled, fee included.
    pub amount: u64,
    /// The part of `amount` that was burned.
    pub fee: u64,
    /// The receipt this payment settles (sha256 of its canonical JSON).
    pub receipt_hash: [u8; 32],
    pub slot: u64,
    pub settled_at: i64,
    pub bump: u8,
}
