//! Errors of the vesting program; codes start at 6000 in this order
//! (docs/solana-programs.md).
use anchor_lang::prelude::*;

#[error_code]
pub enum VestingError {
    /// 6000: not `start <= cliff <= end`.
    #[msg("The schedule must satisfy start <= cliff <= end")]
    InvalidSchedule,
    /// 6001: a schedule of zero tokens.
    #[msg("The amount must be positive")]
    ZeroAmount,
    /// 6002: the signer is not the schedule's beneficiary.
    #[msg("The signer is not the beneficiary")]
    NotBeneficiary,
    /// 6003: nothing has vested beyond what was already claimed.
    #[msg("Nothing to claim at this time")]
    NothingToClaim,
    /// 6004: revoke on a schedule created without a revocation authority (a lock).
    #[msg("The schedule is not revocable")]
    NotRevocable,
    /// 6005: the signer is not the schedule's revocation authority.
    #[msg("The signer is not the revocation authority")]
    NotRevokeAuthority,
    /// 6006: the schedule was already revoked.
    #[msg("The schedule is already revoked")]
    AlreadyRevoked,
    /// 6007: a mint or token account of another mint than the schedule's.
    #[msg("The token mint is not the schedule's mint")]
    WrongMint,
    /// 6008: the funding token account is not the creator's.
    #[msg("The token account is not owned by the signer")]
    WrongTokenOwner,
    /// 6009: an arithmetic overflow.
    #[msg("Arithmetic overflow")]
    MathOverflow,
}
