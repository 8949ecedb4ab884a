//! Events of the anchoring program, emitted with `emit!`: a `Program data:`
//! log line (base64 of the event's discriminator and Borsh encoding).
use anchor_lang::prelude::*;

/// `anchorer` anchored `root` as batch `batch_id`.
#[event]
pub struct BatchAnchored {
    pub batch_id: u64,
    pub root: [u8; 32],
    pub anchorer: Pubkey,
    pub leaf_count: u32,
    /// Where the batch's receipts are published (not stored on chain).
    pub uri: String,
    pub slot: u64,
}

/// The admin allowed `authority` to anchor.
#[event]
pub struct AnchorerAdded {
    pub authority: Pubkey,
}

/// The admin removed `authority` from the anchorers.
#[event]
pub struct AnchorerRemoved {
    pub authority: Pubkey,
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
