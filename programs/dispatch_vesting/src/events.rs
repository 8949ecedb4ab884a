//! Events of the vesting program, emitted with `emit!` (a `Program data:`
//! log line of the event's discriminator and Borsh encoding).
use anchor_lang::prelude::*;

/// A schedule was created and funded with `total`.
#[event]
pub struct ScheduleCreated {
    pub schedule: Pubkey,
    pub creator: Pubkey,
    pub id: Pubkey,
    pub beneficiary: Pubkey,
    pub mint: Pubkey,
    pub total: u64,
    pub start_ts: i64,
    pub cliff_ts: i64,
    pub end_ts: i64,
    pub revoke_authority: Option<Pubkey>,
}

/// The beneficiary claimed `amount` (the whole vested part not yet claimed).
#[event]
pub struct Claimed {
    pub schedule: Pubkey,
    pub beneficiary: Pubkey,
    pub amount: u64,
    /// The schedule's claimed total after this claim.
    pub claimed: u64,
    pub unix_timestamp: i64,
}

/// The revocation authority took back the unvested part `amount`.
#[event]
pub struct Revoked {
    pub schedule: Pubkey,
    pub authority: Pubkey,
    pub amount: u64,
    /// What the beneficiary keeps (vested at revocation).
    pub vested: u64,
    pub unix_timestamp: i64,
}

/// The beneficiary handed the schedule to `new_beneficiary`.
#[event]
pub struct BeneficiaryChanged {
    pub schedule: Pubkey,
    pub old_beneficiary: Pubkey,
    pub new_beneficiary: Pubkey,
}
