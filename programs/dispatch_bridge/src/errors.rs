//! Errors of the bridge program; codes start at 6000 in this order
//! (docs/solana-programs.md, docs/bridge-solana.md).
use anchor_lang::prelude::*;

#[error_code]
pub enum BridgeError {
    /// 6000: the signer lacks the role (admin, pauser or upgrade authority).
    #[msg("The signer is not authorized")]
    Unauthorized,
    /// 6001: accept_admin with no proposed admin.
    #[msg("No admin has been proposed")]
    NoPendingAdmin,
    /// 6002: the bridge is paused.
    #[msg("The bridge is paused")]
    Paused,
    /// 6003: an amount of zero.
    #[msg("The amount must be positive")]
    ZeroAmount,
    /// 6004: an EVM recipient of zero, a Solana recipient of zero, or a
    /// recipient token account that is not the recipient's associated one.
    #[msg("The recipient is malformed")]
    MalformedRecipient,
    /// 6005: the sender's token balance is below the amount.
    #[msg("The balance is below the amount")]
    InsufficientBalance,
    /// 6006: the outbound rate limit has less capacity than the amount now.
    #[msg("The amount exceeds the current outbound capacity")]
    RateLimited,
    /// 6007: a message version other than 1.
    #[msg("Unsupported message version")]
    UnsupportedVersion,
    /// 6008: a message kind other than 1 (token transfer).
    #[msg("Unsupported message kind")]
    UnsupportedKind,
    /// 6009: the message's destination chain is not this chain.
    #[msg("The message is for another chain")]
    WrongChain,
    /// 6010: the message's source chain is not the configured peer chain.
    #[msg("The message comes from another chain than the peer")]
    WrongSourceChain,
    /// 6011: the message's source bridge is not the configured peer bridge.
    #[msg("The message comes from another bridge than the peer")]
    WrongSourceBridge,
    /// 6012: the signer is not a configured attester.
    #[msg("The signer is not a configured attester")]
    UnknownAttester,
    /// 6013: this attester already attested this message.
    #[msg("This attester already attested this message")]
    DuplicateAttestation,
    /// 6014: the message was already released.
    #[msg("The message was already executed")]
    AlreadyExecuted,
    /// 6015: fewer distinct current attesters than the threshold attested
    /// (complete_queued after the admin removed attesters of a queued message).
    #[msg("Fewer attestations than the threshold")]
    InsufficientAttestations,
    /// 6016: complete_queued of a message that is not queued.
    #[msg("The message is not queued")]
    NotQueued,
    /// 6017: complete_queued before the queue delay has passed.
    #[msg("The queue delay has not passed yet")]
    NotDue,
    /// 6018: custody holds less than the amount to release.
    #[msg("Custody holds less than the amount")]
    InsufficientCustody,
    /// 6019: attesters empty, over MAX_ATTESTERS, duplicated or the default key.
    #[msg("Invalid attester set")]
    InvalidAttesters,
    /// 6020: a threshold of 0 or above the number of attesters.
    #[msg("Invalid threshold")]
    InvalidThreshold,
    /// 6021: a negative queue delay.
    #[msg("Invalid rate limit parameters")]
    InvalidLimits,
    /// 6022: the peer is malformed: an EVM bridge address must be 12 zero
    /// bytes then 20 non-zero-in-total bytes, and the chains must differ.
    #[msg("Invalid peer chain or bridge")]
    InvalidPeer,
    /// 6023: a mint or token account of another mint than the config's.
    #[msg("The token mint is not the bridge mint")]
    WrongMint,
    /// 6024: the sender's token account belongs to someone else.
    #[msg("The token account is not owned by the signer")]
    WrongTokenOwner,
    /// 6025: a counter overflowed.
    #[msg("Arithmetic overflow")]
    MathOverflow,
}
