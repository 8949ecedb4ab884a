//! Events of the governance receiver (`emit!`, "Program data:" logs).
use anchor_lang::prelude::*;

/// The config was created.
#[event]
pub struct Initialized {
    pub source_chain: [u8; 32],
    pub source_emitter: [u8; 32],
    pub attesters: Vec<Pubkey>,
    pub threshold: u8,
}

/// The receiver took the admin role of staking and settlement.
#[event]
pub struct AdminsAccepted {
    pub staking: Pubkey,
    pub settlement: Pubkey,
}

/// An attester attested a message.
#[event]
pub struct Attested {
    pub digest: [u8; 32],
    pub attester: Pubkey,
    pub params_version: u64,
    pub attestations: u8,
    pub threshold: u8,
}

/// A message was applied to staking and settlement.
#[event]
pub struct ParamsApplied {
    pub digest: [u8; 32],
    pub params_version: u64,
    pub fee_bps: u16,
    pub verified_threshold: u64,
    pub sentinel_threshold: u64,
    pub cooldown_seconds: i64,
}

/// A treasury spend reached the attester threshold; payable from `payable_at`.
#[event]
pub struct SpendApproved {
    pub spend_id: u64,
    pub amount: u64,
    pub recipient: Pubkey,
    pub payable_at: i64,
}

/// A treasury spend was paid.
#[event]
pub struct SpendPaid {
    pub spend_id: u64,
    pub amount: u64,
    pub recipient: Pubkey,
}
