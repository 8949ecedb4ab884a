//! Events of the settlement program, emitted with `emit!`: a `Program data:`
//! log line (base64 of the event's discriminator and Borsh encoding).
use anchor_lang::prelude::*;

/// `coordinator` settled `job_id`: `amount - fee` went to `worker`'s token
/// account and `fee` was burned.
#[event]
pub struct Settled {
    pub coordinator: Pubkey,
    /// The owner of the credited token account.
    pub worker: Pubkey,
    pub job_id: String,
    pub amount: u64,
    pub fee: u64,
    pub receipt_hash: [u8; 32],
    pub slot: u64,
}

/// The admin set the fee.
#[event]
pub struct FeeUpdated {
    pub fee_bps: u16,
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
