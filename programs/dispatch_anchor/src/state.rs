//! Accounts of the anchoring program.
use anchor_lang::prelude::*;

/// The program's configuration, PDA `["config"]`. Only `admin` manages the
/// anchorer allowlist; the role moves only by `propose_admin` + `accept_admin`.
#[account]
#[derive(InitSpace)]
pub struct AnchorConfig {
    pub admin: Pubkey,
    pub pending_admin: Option<Pubkey>,
    /// Batches anchored so far; the last batch's id.
    pub batch_count: u64,
    pub bump: u8,
}

/// An allowed anchorer, PDA `["anchorer", authority]`; closed on removal.
#[account]
#[derive(InitSpace)]
pub struct Anchorer {
    pub authority: Pubkey,
    pub bump: u8,
}

impl Anchorer {
    /// Whether `info` (already checked to be the PDA of `authority`) holds
    /// a live anchorer record of this program for `authority`.
    pub fn is_registered(info: &AccountInfo, authority: &Pubkey) -> bool {
        if info.owner != &crate::ID {
            return false;
        }
        let Ok(data) = info.try_borrow_data() else { return false };
        Anchorer::try_deserialize(&mut &data[..]).is_ok_and(|anchorer| anchorer.authority == *authority)
    }
}

/// One anchored batch root, PDA `["batch", root]`: a root is anchored once.
#[account]
#[derive(InitSpace)]
pub struct Batch {
    /// 1, 2, ... in anchoring order (0 only before initialisation).
    pub batch_id: u64,
    /// The OpenZeppelin StandardMerkleTree root of the batch's receipts.
    pub root: [u8; 32],
    pub leaf_count: u32,
    /// The authority that anchored it.
    pub anchorer: Pubkey,
    pub slot: u64,
    pub anchored_at: i64,
    pub bump: u8,
}
