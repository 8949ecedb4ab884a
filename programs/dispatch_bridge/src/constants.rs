//! Seeds, sizes and limits of the bridge program.
use anchor_lang::prelude::*;

/// Seed of the [`crate::BridgeConfig`] PDA.
pub const CONFIG_SEED: &[u8] = b"config";
/// Seed of the custody vault: the SPL token account of the mint whose
/// authority is the config PDA.
pub const CUSTODY_SEED: &[u8] = b"custody";
/// Seed prefix of an [`crate::OutboundMessage`]: `["outbound", sequence as u64 LE]`.
pub const OUTBOUND_SEED: &[u8] = b"outbound";
/// Seed prefix of an [`crate::InboundMessage`]: `["inbound", digest]`.
pub const INBOUND_SEED: &[u8] = b"inbound";

/// The message version this program speaks (docs/bridge.md).
#[constant]
pub const MESSAGE_VERSION: u8 = 1;
/// Message kind 1: a token transfer (2 is reserved for governance).
#[constant]
pub const KIND_TOKEN_TRANSFER: u8 = 1;
/// Length of the packed big-endian message.
pub const MESSAGE_LEN: usize = 178;

/// The most attesters a config holds (the inbound record's list and the
/// config's list are sized for it).
pub const MAX_ATTESTERS: usize = 8;
/// The refill period of a rate limit: an empty limit is full again after
/// this many seconds (linear refill).
#[constant]
pub const RATE_LIMIT_PERIOD: i64 = 24 * 60 * 60;
