//! Events of the rewards program, emitted with `emit!` (a `Program data:`
//! log line of the event's discriminator and Borsh encoding).
use anchor_lang::prelude::*;

/// The rewards program was initialised.
#[event]
pub struct RewardsInitialized {
    pub admin: Pubkey,
    pub distributor: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub start_ts: i64,
    pub epoch_seconds: i64,
}

/// The admin named a new distributor.
#[event]
pub struct DistributorChanged {
    pub old_distributor: Pubkey,
    pub new_distributor: Pubkey,
}

/// The distributor posted `epoch`'s root of `total` for `workers` workers.
#[event]
pub struct RootPosted {
    pub epoch: u64,
    pub root: [u8; 32],
    pub total: u64,
    pub workers: u32,
    /// Released by the curve when posted.
    pub released: u64,
    /// Sum of every posted total, this one included.
    pub total_distributed: u64,
}

/// `worker` claimed `amount` of `epoch`.
#[event]
pub struct RewardClaimed {
    pub epoch: u64,
    pub worker: Pubkey,
    pub amount: u64,
    /// The account credited.
    pub token_account: Pubkey,
}
