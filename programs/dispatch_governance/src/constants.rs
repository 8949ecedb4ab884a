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
