//! Events of the staking program, emitted with `emit!`: a `Program data:`
//! log line (base64 of the event's discriminator and Borsh encoding).
//! `tier` is 0 OPEN, 1 VERIFIED, 2 SENTINEL.
use anchor_lang::prelude::*;

/// `worker` staked `amount`; `active` is its new active stake.
#[event]
pub struct Staked {
    pub worker: Pubkey,
    pub amount: u64,
    pub active: u64,
    pub tier: u8,
}

/// `worker` moved `amount` from active to pending; withdrawable at `unlock_at`.
#[event]
pub struct UnstakeRequested {
    pub worker: Pubkey,
    pub amount: u64,
    pub active: u64,
    pub pending: u64,
    pub unlock_at: i64,
    pub tier: u8,
}

/// `worker` moved its pending `amount` back to active.
#[event]
pub struct UnstakeCancelled {
    pub worker: Pubkey,
    pub amount: u64,
    pub active: u64,
    pub tier: u8,
}

/// `worker` withdrew `amount` from the vault after the cooldown.
#[event]
pub struct Withdrawn {
    pub worker: Pubkey,
    pub amount: u64,
}

/// The admin changed the thresholds or the cooldown.
#[event]
pub struct ConfigUpdated {
    pub verified_threshold: u64,
    pub sentinel_threshold: u64,
    pub cooldown_seconds: i64,
}

/// `admin` proposed `pending_admin` as its successor.
#[event]
pub struct AdminProposed {
    pub admin: Pubkey,
    pub pending_admin: Pubkey,
}

/// `admin` accepted the role and is now the admin.
#[event]
pub struct AdminAccepted {
    pub admin: Pubkey,
}
