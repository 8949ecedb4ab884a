//! Events of the bridge program, emitted with `emit!` (`sol_log_data`: a
//! `Program data: <base64>` log line of the 8-byte discriminator and the
//! Borsh-encoded event).
use anchor_lang::prelude::*;

use crate::message::BridgeMessage;
use crate::state::RateLimit;

/// The bridge was initialised by the program's upgrade authority.
#[event]
pub struct Initialized {
    pub admin: Pubkey,
    pub pauser: Pubkey,
    pub mint: Pubkey,
    pub custody: Pubkey,
    pub chain_id: [u8; 32],
    pub peer_chain_id: [u8; 32],
    pub peer_bridge: [u8; 32],
    pub attesters: Vec<Pubkey>,
    pub threshold: u8,
}

/// `amount` BOLT moved into custody; the message (digest `digest`) is for
/// the peer's attesters.
#[event]
pub struct Locked {
    pub message: BridgeMessage,
    pub digest: [u8; 32],
    pub slot: u64,
}

/// `attester` attested the inbound message `digest`; `attestations` of the
/// current attesters count towards `threshold`.
#[event]
pub struct Attested {
    pub digest: [u8; 32],
    pub attester: Pubkey,
    pub attestations: u8,
    pub threshold: u8,
}

/// The inbound message `digest` reached the threshold over the inbound
/// limit and waits until `release_after`.
#[event]
pub struct Queued {
    pub digest: [u8; 32],
    pub amount: u64,
    pub release_after: i64,
}

/// `amount` BOLT left custody for `recipient`'s associated token account.
#[event]
pub struct Released {
    pub digest: [u8; 32],
    pub sequence: u64,
    pub recipient: Pubkey,
    pub amount: u64,
    /// Whether it waited in the queue (released by `complete_queued`).
    pub from_queue: bool,
}

/// `by` (the pauser or the admin) paused the bridge.
#[event]
pub struct BridgePaused {
    pub by: Pubkey,
}

/// The admin unpaused the bridge.
#[event]
pub struct BridgeUnpaused {
    pub by: Pubkey,
}

/// The admin set the attesters (and the threshold, unchanged or not).
#[event]
pub struct AttestersUpdated {
    pub attesters: Vec<Pubkey>,
    pub threshold: u8,
}

/// The admin set the threshold.
#[event]
pub struct ThresholdUpdated {
    pub threshold: u8,
}

/// The admin set the rate limits and the queue delay.
#[event]
pub struct LimitsUpdated {
    pub outbound: RateLimit,
    pub inbound: RateLimit,
    pub queue_delay: i64,
}

/// The admin set the pauser.
#[event]
pub struct PauserUpdated {
    pub pauser: Pubkey,
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
