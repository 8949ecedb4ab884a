//! Accounts of the governance receiver.
use anchor_lang::prelude::*;

use crate::constants::MAX_ATTESTERS;
use crate::errors::GovernanceError;

/// The receiver's configuration, PDA `["config"]`: also the admin of
/// dispatch_staking and dispatch_settlement once they handed the role over.
#[account]
#[derive(InitSpace)]
pub struct GovernanceConfig {
    /// keccak256 of this cluster's CAIP-2 id.
    pub chain_id: [u8; 32],
    /// keccak256 of the Monad chain's CAIP-2 id.
    pub source_chain: [u8; 32],
    /// The ProtocolParams address, left-padded with 12 zero bytes.
    pub source_emitter: [u8; 32],
    #[max_len(MAX_ATTESTERS)]
    pub attesters: Vec<Pubkey>,
    pub threshold: u8,
    /// The params version last applied (0: none).
    pub applied_version: u64,
    pub staking_program: Pubkey,
    pub settlement_program: Pubkey,
    /// The treasury vault (this config's associated token account) and its mint (BOLT).
    pub treasury: Pubkey,
    pub treasury_mint: Pubkey,
    pub bump: u8,
}

impl GovernanceConfig {
    /// 1..=MAX_ATTESTERS distinct non-default keys, `1 <= threshold <= len`.
    pub fn validate_attesters(attesters: &[Pubkey], threshold: u8) -> Result<()> {
        require!(!attesters.is_empty() && attesters.len() <= MAX_ATTESTERS, GovernanceError::InvalidAttesters);
        for (i, attester) in attesters.iter().enumerate() {
            require!(*attester != Pubkey::default(), GovernanceError::InvalidAttesters);
            require!(!attesters[..i].contains(attester), GovernanceError::InvalidAttesters);
        }
        require!(threshold >= 1 && usize::from(threshold) <= attesters.len(), GovernanceError::InvalidThreshold);
        Ok(())
    }
}

/// The record of one message digest, PDA `["message", digest]`.
#[account]
#[derive(InitSpace)]
pub struct MessageRecord {
    pub digest: [u8; 32],
    pub params_version: u64,
    #[max_len(MAX_ATTESTERS)]
    pub attesters: Vec<Pubkey>,
    pub applied: bool,
    pub bump: u8,
}

/// A treasury spend, PDA `["spend", spend_id (u64 LE)]`.
#[account]
#[derive(InitSpace)]
pub struct SpendRecord {
    pub spend_id: u64,
    pub digest: [u8; 32],
    pub amount: u64,
    pub recipient: Pubkey,
    #[max_len(MAX_ATTESTERS)]
    pub attesters: Vec<Pubkey>,
    /// 0 until the threshold approves it, then approval time + TREASURY_DELAY.
    pub payable_at: i64,
    pub paid: bool,
    pub bump: u8,
}
