//! Seeds and message constants of the governance receiver.
use anchor_lang::prelude::*;

/// Seed of the [`crate::GovernanceConfig`] PDA (the staking and settlement admin).
#[constant]
pub const CONFIG_SEED: &[u8] = b"config";
/// Seed prefix of a message record: `["message", digest]`.
#[constant]
pub const MESSAGE_SEED: &[u8] = b"message";
/// Message format version (the bridge message family's).
pub const MESSAGE_VERSION: u8 = 1;
/// Message kind of a governance parameters message (docs/bridge.md reserves 2).
pub const KIND_GOVERNANCE: u8 = 2;
/// Length of the packed encoding of a [`crate::ParamsMessage`].
pub const MESSAGE_LEN: usize = 140;
/// At most this many attesters.
pub const MAX_ATTESTERS: usize = 16;
/// Seed prefix of a treasury spend record: `["spend", spend_id (u64 LE)]`.
#[constant]
pub const SPEND_SEED: &[u8] = b"spend";
/// The treasury's own timelock: an approved spend is payable 6 months (180 days) after the
/// attester threshold approved it here (whitepaper §5.4: "6-month timelock").
#[constant]
pub const TREASURY_DELAY: i64 = 180 * 24 * 3600;
/// Length of the packed encoding of a [`crate::SpendMessage`].
pub const SPEND_MESSAGE_LEN: usize = 146;
