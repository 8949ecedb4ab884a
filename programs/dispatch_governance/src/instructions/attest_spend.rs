use anchor_lang::prelude::*;

use crate::constants::{CONFIG_SEED, KIND_GOVERNANCE, MESSAGE_VERSION, SPEND_SEED, TREASURY_DELAY};
use crate::errors::GovernanceError;
use crate::events::{Attested, SpendApproved};
use crate::message::SpendMessage;
use crate::state::{GovernanceConfig, SpendRecord};

/// Accounts of `attest_spend`.
#[derive(Accounts)]
#[instruction(message: SpendMessage)]
pub struct AttestSpend<'info> {
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
        space = 8 + SpendRecord::INIT_SPACE,
        seeds = [SPEND_SEED, message.spend_id.to_le_bytes().as_ref()],
        bump,
    )]
    pub record: Box<Account<'info, SpendRecord>>,
    pub system_program: Program<'info, System>,
}

/// Records the signer's attestation of a treasury spend (from the configured
/// emitter, for this chain). The attestation that reaches the threshold
/// approves it: payable `TREASURY_DELAY` seconds from now.
pub fn handler(ctx: Context<AttestSpend>, message: SpendMessage) -> Result<()> {
    let config = &ctx.accounts.config;
    require!(message.version == MESSAGE_VERSION && message.kind == KIND_GOVERNANCE, GovernanceError::UnsupportedMessage);
    require!(message.destination_chain == config.chain_id, GovernanceError::WrongDestinationChain);
    require!(message.source_chain == config.source_chain, GovernanceError::WrongSourceChain);
    require!(message.source_emitter == config.source_emitter, GovernanceError::WrongSourceEmitter);
    require!(message.amount > 0, GovernanceError::ZeroSpend);
    let digest = message.digest();
    let record = &mut ctx.accounts.record;
    if record.digest == [0u8; 32] {
        record.spend_id = message.spend_id;
        record.digest = digest;
        record.amount = message.amount;
        record.recipient = Pubkey::new_from_array(message.recipient);
        record.bump = ctx.bumps.record;
    }
    require!(record.digest == digest, GovernanceError::SpendMismatch);
    require!(!record.paid, GovernanceError::SpendAlreadyPaid);
    let attester = ctx.accounts.attester.key();
    record.attesters.retain(|a| config.attesters.contains(a));
    require!(!record.attesters.contains(&attester), GovernanceError::DuplicateAttestation);
    record.attesters.push(attester);
    let attestations = record.attesters.len() as u8;
    emit!(Attested { digest, attester, params_version: message.spend_id, attestations, threshold: config.threshold });
    if record.payable_at == 0 && attestations >= config.threshold {
        let payable_at = Clock::get()?.unix_timestamp.saturating_add(TREASURY_DELAY);
        record.payable_at = payable_at;
        emit!(SpendApproved { spend_id: record.spend_id, amount: record.amount, recipient: record.recipient, payable_at });
    }
    Ok(())
}
