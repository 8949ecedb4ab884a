//! The governance parameters message (kind 2), packed big-endian,
//! `digest = keccak256(bytes)`; the Python encoder is
//! `dispatch_chain.governance.message` (docs/governance.md).
//!
//! ```text
//! offset size field
//!      0    1 version            1
//!      1    1 kind               2
//!      2   32 source_chain       keccak256(CAIP-2 id of Monad)
//!     34   32 source_emitter     ProtocolParams address, left-padded with 12 zero bytes
//!     66    8 params_version     ProtocolParams.version() of this set
//!     74    2 fee_bps
//!     76    8 verified_threshold
//!     84    8 sentinel_threshold
//!     92   16 cooldown_seconds   (i64, 8 bytes) then 8 zero bytes reserved
//!    108   32 destination_chain  keccak256(CAIP-2 id of this Solana cluster)
//! ```
use anchor_lang::prelude::*;
use solana_keccak_hasher::hash;

use crate::constants::{MESSAGE_LEN, SPEND_MESSAGE_LEN};

/// One governance parameters message, field by field.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct ParamsMessage {
    pub version: u8,
    pub kind: u8,
    pub source_chain: [u8; 32],
    pub source_emitter: [u8; 32],
    pub params_version: u64,
    pub fee_bps: u16,
    pub verified_threshold: u64,
    pub sentinel_threshold: u64,
    pub cooldown_seconds: i64,
    pub destination_chain: [u8; 32],
}

impl ParamsMessage {
    /// The 140-byte packed big-endian encoding.
    pub fn encode(&self) -> [u8; MESSAGE_LEN] {
        let mut out = [0u8; MESSAGE_LEN];
        out[0] = self.version;
        out[1] = self.kind;
        out[2..34].copy_from_slice(&self.source_chain);
        out[34..66].copy_from_slice(&self.source_emitter);
        out[66..74].copy_from_slice(&self.params_version.to_be_bytes());
        out[74..76].copy_from_slice(&self.fee_bps.to_be_bytes());
        out[76..84].copy_from_slice(&self.verified_threshold.to_be_bytes());
        out[84..92].copy_from_slice(&self.sentinel_threshold.to_be_bytes());
        out[92..100].copy_from_slice(&self.cooldown_seconds.to_be_bytes());
        out[108..140].copy_from_slice(&self.destination_chain);
        out
    }

    /// `keccak256(encode())`, the message's identity.
    pub fn digest(&self) -> [u8; 32] {
        hash(&self.encode()).to_bytes()
    }
}

/// A treasury spend approved on Monad (`TreasurySpendApproved`), kind 2 as well
/// (146 bytes, so never the same bytes as a parameters message):
///
/// ```text
/// offset size field
///      0    1 version            1
///      1    1 kind               2
///      2   32 source_chain
///     34   32 source_emitter     ProtocolParams, left-padded
///     66    8 spend_id           ProtocolParams' spend sequence (from 1)
///     74    8 amount             BOLT base units
///     82   32 recipient          Solana owner pubkey of the receiving token account
///    114   32 destination_chain
/// ```
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct SpendMessage {
    pub version: u8,
    pub kind: u8,
    pub source_chain: [u8; 32],
    pub source_emitter: [u8; 32],
    pub spend_id: u64,
    pub amount: u64,
    pub recipient: [u8; 32],
    pub destination_chain: [u8; 32],
}

impl SpendMessage {
    /// The 146-byte packed big-endian encoding.
    pub fn encode(&self) -> [u8; SPEND_MESSAGE_LEN] {
        let mut out = [0u8; SPEND_MESSAGE_LEN];
        out[0] = self.version;
        out[1] = self.kind;
        out[2..34].copy_from_slice(&self.source_chain);
        out[34..66].copy_from_slice(&self.source_emitter);
        out[66..74].copy_from_slice(&self.spend_id.to_be_bytes());
        out[74..82].copy_from_slice(&self.amount.to_be_bytes());
        out[82..114].copy_from_slice(&self.recipient);
        out[114..146].copy_from_slice(&self.destination_chain);
        out
    }

    /// `keccak256(encode())`.
    pub fn digest(&self) -> [u8; 32] {
        hash(&self.encode()).to_bytes()
    }
}
