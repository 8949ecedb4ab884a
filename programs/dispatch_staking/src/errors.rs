//! Errors of the staking program; codes start at 6000 in this order
//! (docs/solana-programs.md).
use anchor_lang::prelude::*;

#[error_code]
pub enum StakingError {
    /// 6000: the signer is not the config admin.
    #[msg("The signer is not the admin")]
    Unauthorized,
    /// 6001: thresholds must satisfy `0 < verified <= sentinel`.
    #[msg("Thresholds must satisfy 0 < verified <= sentinel")]
    InvalidThresholds,
    /// 6002: a negative cooldown.
    #[msg("The cooldown must not be negative")]
    InvalidCooldown,
    /// 6003: stake or unstake of zero.
    #[msg("The amount must be positive")]
    ZeroAmount,
    /// 6004: unstaking more than the active stake.
    #[msg("The amount exceeds the active stake")]
    InsufficientStake,
    /// 6005: cancel or withdraw with nothing pending.
    #[msg("Nothing is pending")]
    NothingPending,
    /// 6006: withdraw before `unlock_at`.
    #[msg("The cooldown has not elapsed")]
    CooldownNotElapsed,
    /// 6007: a mint or token account of another mint than the config's.
    #[msg("The token mint is not the staking mint")]
    WrongMint,
    /// 6008: the worker's token account belongs to someone else.
    #[msg("The token account is not owned by the worker")]
    WrongTokenOwner,
    /// 6009: accept_admin with no proposed admin.
    #[msg("No admin has been proposed")]
    NoPendingAdmin,
    /// 6010: an amount or time computation overflowed.
    #[msg("Arithmetic overflow")]
    MathOverflow,
    /// 6011: a cooldown above `MAX_COOLDOWN_SECONDS` (90 days).
    #[msg("The cooldown exceeds MAX_COOLDOWN_SECONDS (90 days)")]
    CooldownTooLong,
    /// 6012: a SENTINEL threshold above the mint's supply (no worker could reach it).
    #[msg("The SENTINEL threshold exceeds the mint's supply")]
    ThresholdAboveSupply,
}
