//! Errors of the governance receiver; codes start at 6000 in this order.
use anchor_lang::prelude::*;

#[error_code]
pub enum GovernanceError {
    /// 6000: the signer is not the upgrade authority (initialize).
    #[msg("The signer is not authorized")]
    Unauthorized,
    /// 6001: an empty, oversized or duplicated attester set, or a default key.
    #[msg("Invalid attester set")]
    InvalidAttesters,
    /// 6002: a threshold of 0 or above the number of attesters.
    #[msg("Invalid threshold")]
    InvalidThreshold,
    /// 6003: the signer is not a configured attester.
    #[msg("The signer is not an attester")]
    UnknownAttester,
    /// 6004: not version 1, kind 2.
    #[msg("Unsupported message version or kind")]
    UnsupportedMessage,
    /// 6005: the message is for another chain.
    #[msg("The message is for another chain")]
    WrongDestinationChain,
    /// 6006: the message does not come from the configured Monad chain.
    #[msg("The message comes from another chain")]
    WrongSourceChain,
    /// 6007: the message does not come from the configured emitter (ProtocolParams).
    #[msg("The message comes from another emitter")]
    WrongSourceEmitter,
    /// 6008: the message's version is not above the last applied one (stale or out of order).
    #[msg("The parameters version is not newer than the applied one")]
    StaleVersion,
    /// 6009: the message was already applied (a replay).
    #[msg("The message was already applied")]
    AlreadyApplied,
    /// 6010: this attester already attested the message.
    #[msg("Duplicate attestation")]
    DuplicateAttestation,
    /// 6011: fewer attesters than the threshold attested the message.
    #[msg("The attestation threshold is not reached")]
    BelowThreshold,
    /// 6012: an account that is not the configured staking or settlement program or config.
    #[msg("Wrong program or config account")]
    WrongTarget,
    /// 6013: a spend of zero.
    #[msg("A treasury spend must be above zero")]
    ZeroSpend,
    /// 6014: a spend id already recorded with another amount or recipient.
    #[msg("This spend id was recorded with other terms")]
    SpendMismatch,
    /// 6015: the spend has not reached the attester threshold.
    #[msg("The spend is not approved")]
    SpendNotApproved,
    /// 6016: the spend's 6-month delay has not passed.
    #[msg("The spend's treasury delay has not passed")]
    SpendNotDue,
    /// 6017: the spend was paid already.
    #[msg("The spend was paid already")]
    SpendAlreadyPaid,
    /// 6018: the receiving token account is not the spend recipient's.
    #[msg("The token account does not belong to the spend's recipient")]
    WrongRecipient,
}
