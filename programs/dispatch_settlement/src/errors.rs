//! Errors of the settlement program; codes start at 6000 in this order
//! (docs/solana-programs.md).
use anchor_lang::prelude::*;

#[error_code]
pub enum SettlementError {
    /// 6000: the signer is not the config admin.
    #[msg("The signer is not the admin")]
    Unauthorized,
    /// 6001: a fee above `MAX_FEE_BPS`.
    #[msg("The fee exceeds MAX_FEE_BPS (1 000 bps)")]
    FeeTooHigh,
    /// 6002: a settlement of zero.
    #[msg("The amount must be positive")]
    ZeroAmount,
    /// 6003: an empty job id.
    #[msg("The job id is empty")]
    EmptyJobId,
    /// 6004: a job id longer than 64 bytes.
    #[msg("The job id is longer than 64 bytes")]
    JobIdTooLong,
    /// 6005: `job_id_hash` is not `sha256(job_id)`.
    #[msg("job_id_hash is not sha256(job_id)")]
    JobIdHashMismatch,
    /// 6006: this coordinator already settled this job.
    #[msg("The job is already settled")]
    AlreadySettled,
    /// 6007: the coordinator's token account holds less than `amount`.
    #[msg("The coordinator's balance is below the amount")]
    InsufficientBalance,
    /// 6008: a mint or token account of another mint than the config's.
    #[msg("The token mint is not the settlement mint")]
    WrongMint,
    /// 6009: the coordinator's token account belongs to someone else.
    #[msg("The token account is not owned by the coordinator")]
    WrongTokenOwner,
    /// 6010: accept_admin with no proposed admin.
    #[msg("No admin has been proposed")]
    NoPendingAdmin,
    /// 6011: kept for the stable numbering; no instruction returns it since
    /// the totals became saturating `u128`s.
    #[msg("Arithmetic overflow")]
    MathOverflow,
}
