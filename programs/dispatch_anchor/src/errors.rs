//! Errors of the anchoring program; codes start at 6000 in this order
//! (docs/solana-programs.md). Not `AnchorError`: that is anchor-lang's own type.
use anchor_lang::prelude::*;

#[error_code]
pub enum ReceiptAnchorError {
    /// 6000: the signer is not the config admin.
    #[msg("The signer is not the admin")]
    Unauthorized,
    /// 6001: an all-zero root.
    #[msg("The root is zero")]
    ZeroRoot,
    /// 6002: a batch of no leaves.
    #[msg("The batch has no leaves")]
    EmptyBatch,
    /// 6003: a URI longer than 200 bytes.
    #[msg("The URI is longer than 200 bytes")]
    UriTooLong,
    /// 6004: this root has a batch already.
    #[msg("The root is already anchored")]
    RootAlreadyAnchored,
    /// 6005: the signer is not on the anchorer allowlist.
    #[msg("The signer is not an anchorer")]
    NotAnAnchorer,
    /// 6006: the proof does not lead from the leaf to the batch's root.
    #[msg("The proof does not match the batch root")]
    InvalidProof,
    /// 6007: the batch account does not hold the given batch id.
    #[msg("The batch account does not hold this batch id")]
    WrongBatch,
    /// 6008: a proof of more than 32 levels.
    #[msg("The proof has more than 32 levels")]
    ProofTooLong,
    /// 6009: accept_admin with no proposed admin.
    #[msg("No admin has been proposed")]
    NoPendingAdmin,
    /// 6010: the batch counter overflowed.
    #[msg("Arithmetic overflow")]
    MathOverflow,
}
