use anchor_lang::prelude::*;

use crate::constants::{CONFIG_SEED, KIND_GOVERNANCE, MESSAGE_SEED, MESSAGE_VERSION};
use crate::errors::GovernanceError;
use crate::events::Attested;
use crate::message::ParamsMessage;
use crate::state::{GovernanceConfig, MessageRecord};

/// Accounts of `attest`.
#[derive(Accounts)]
#[instruction(message: ParamsMessage)]
pub struct Attest<'info> {
    /// A configured attester; the first one pays for the record.
    #[account(mut)]
    pub attester: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.attesters.contains(&attester.key()) @ GovernanceError::UnknownAttester,
    )]
    pub config: Box<Account<'info, GovernanceConfig>>,
    #[account(
        init_if_needed,
        payer = attester,
        space = 8 + MessageRecord::INIT_SPACE,
        seeds = [MESSAGE_SEED, message.digest().as_ref()],
        bump,
    )]
    pub record: Box<Account<'info, MessageRecord>>,
    pub system_program: Program<'info, System>,
}

/// Checks a message against the config and records the signer's attestation.
pub fn check(config: &GovernanceConfig, message: &ParamsMessage) -> Result<()> {
    require!(message.version == MESSAGE_VERSION && message.kind == KIND_GOVERNANCE, GovernanceError::UnsupportedMessage);
    require!(message.destination_chain == config.chain_id, GovernanceError::WrongDestinationChain);
    require!(message.source_chain == config.source_chain, GovernanceError::WrongSourceChain);
    require!(message.source_emitter == config.source_emitter, GovernanceError::WrongSourceEmitter);
    require!(message.params_version > config.applied_version, GovernanceError::StaleVersion);
    Ok(())
}

/// Records the signer's attestation of `message` (from the configured Monad
/// emitter, for this chain, newer than the applied version).
pub fn handler(ctx: Context<Attest>, message: ParamsMessage) -> Result<()> {
    let config = &ctx.accounts.config;
    let record = &mut ctx.accounts.record;
    require!(!record.applied, GovernanceError::AlreadyApplied);
    check(config, &message)?;
    if record.digest == [0u8; 32] {
        record.digest = message.digest();
        record.params_version = message.params_version;
        record.bump = ctx.bumps.record;
    }
    let attester = ctx.accounts.attester.key();
    record.attesters.retain(|a| config.attesters.contains(a));
    require!(!record.attesters.contains(&attester), GovernanceError::DuplicateAttestation);
    record.attesters.push(attester);
    emit!(Attested {
        digest: record.digest,
        attester,
        params_version: message.params_version,
        attestations: record.attesters.len() as u8,
        threshold: config.threshold,
    });
    Ok(())
}
