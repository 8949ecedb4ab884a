//! Errors of the rewards program; codes start at 6000 in this order
//! (docs/solana-programs.md).
use anchor_lang::prelude::*;

#[error_code]
pub enum RewardsError {
    /// 6000: the signer is not the config admin.
    #[msg("The signer is not the admin")]
    Unauthorized,
    /// 6001: the signer is not the distributor.
    #[msg("The signer is not the distributor")]
    NotDistributor,
    /// 6002: an epoch length of zero or less.
    #[msg("The epoch length must be positive")]
    InvalidEpochLength,
    /// 6003: a root whose total is zero.
    #[msg("The amount must be positive")]
    ZeroAmount,
    /// 6004: a root for an epoch that has not ended at the current clock.
    #[msg("The epoch has not ended")]
    EpochNotEnded,
    /// 6005: a second root for the same epoch.
    #[msg("The epoch's root is already posted")]
    EpochAlreadyPosted,
    /// 6006: the root's total exceeds what the curve has released minus what was already distributed.
    #[msg("The total exceeds the released and undistributed emission")]
    ExceedsReleased,
    /// 6007: the vault holds less than the distributed, unclaimed rewards plus this root's total.
    #[msg("The vault holds less than the rewards it owes")]
    VaultUnderfunded,
    /// 6008: the proof does not lead from (epoch, signer, amount) to the epoch's root.
    #[msg("The Merkle proof does not match the epoch's root")]
    InvalidProof,
    /// 6009: the worker already claimed this epoch.
    #[msg("The reward of this epoch is already claimed")]
    AlreadyClaimed,
    /// 6010: claims would exceed the epoch's posted total.
    #[msg("The claims exceed the epoch's total")]
    ExceedsEpochTotal,
    /// 6011: a mint or token account of another mint than the config's.
    #[msg("The token mint is not the rewards mint")]
    WrongMint,
    /// 6012: the credited token account is not the worker's.
    #[msg("The token account is not owned by the worker")]
    WrongTokenOwner,
    /// 6013: an arithmetic overflow.
    #[msg("Arithmetic overflow")]
    MathOverflow,
    /// 6014: the epoch account is not the PDA `["epoch", epoch]` of the posted epoch.
    #[msg("The epoch account is not the epoch's PDA")]
    WrongEpochAccount,
}
