//! The bridge message v1 (docs/bridge.md): 178 bytes, packed big-endian,
//! `digest = keccak256(bytes)`. The same encoding is written by the Monad
//! BoltBridge and by `dispatch_chain.bridge` in Python; vector tests prove
//! them byte-identical.
use anchor_lang::prelude::*;
use solana_keccak_hasher::hash;

use crate::constants::MESSAGE_LEN;

/// One bridge message, field by field. Chain ids are keccak256 of the
/// chain's CAIP-2 id; `source_bridge`, `sender` and `recipient` are Solana
/// keys or EVM addresses left-padded with 12 zero bytes.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct BridgeMessage {
    pub version: u8,
    pub kind: u8,
    pub source_chain: [u8; 32],
    pub source_bridge: [u8; 32],
    pub sequence: u64,
    pub amount: u64,
    pub sender: [u8; 32],
    pub recipient: [u8; 32],
    pub destination_chain: [u8; 32],
}

impl BridgeMessage {
    /// The 178-byte packed big-endian encoding.
    pub fn encode(&self) -> [u8; MESSAGE_LEN] {
        let mut out = [0u8; MESSAGE_LEN];
        out[0] = self.version;
        out[1] = self.kind;
        out[2..34].copy_from_slice(&self.source_chain);
        out[34..66].copy_from_slice(&self.source_bridge);
        out[66..74].copy_from_slice(&self.sequence.to_be_bytes());
        out[74..82].copy_from_slice(&self.amount.to_be_bytes());
        out[82..114].copy_from_slice(&self.sender);
        out[114..146].copy_from_slice(&self.recipient);
        out[146..178].copy_from_slice(&self.destination_chain);
        out
    }

    /// `keccak256(encode())`, the message's identity on both chains.
    pub fn digest(&self) -> [u8; 32] {
        hash(&self.encode()).to_bytes()
    }
}

/// An EVM address as a 32-byte message field: 12 zero bytes, then the address.
pub fn pad_evm_address(address: &[u8; 20]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(address);
    out
}

/// Whether a 32-byte field is a padded EVM address (12 zero high bytes).
pub fn is_padded_evm_address(field: &[u8; 32]) -> bool {
    field[..12].iter().all(|b| *b == 0)
}
