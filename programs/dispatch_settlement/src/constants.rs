//! Seeds and limits of the settlement program.
use anchor_lang::prelude::*;

/// Seed of the [`crate::SettlementConfig`] PDA.
pub const CONFIG_SEED: &[u8] = b"config";
/// Seed prefix of a [`crate::Settlement`] record:
/// `["settlement", coordinator, sha256(job_id)]`.
pub const SETTLEMENT_SEED: &[u8] = b"settlement";

/// Basis-point denominator: 10 000 bps = 100 %.
pub const BPS_DENOMINATOR: u64 = 10_000;
/// The hard cap on the burned fee (10 %); no admin can exceed it.
#[constant]
pub const MAX_FEE_BPS: u16 = 1_000;
/// The fee of the whitepaper (§5.2, `PROTOCOL_FEE_BPS`), what deployments
/// initialise with.
pub const PROTOCOL_FEE_BPS: u16 = 500;
/// The longest job id a record holds, in bytes.
pub const MAX_JOB_ID_LEN: usize = 64;
