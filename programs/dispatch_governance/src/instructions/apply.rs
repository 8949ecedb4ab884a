use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::AccountMeta;

use crate::constants::{CONFIG_SEED, MESSAGE_SEED};
use crate::cpi::{call, SET_FEE, UPDATE_CONFIG};
use crate::errors::GovernanceError;
use crate::events::ParamsApplied;
use crate::instructions::attest::check;
use crate::message::ParamsMessage;
use crate::state::{GovernanceConfig, MessageRecord};

/// Accounts of `apply`.
#[derive(Accounts)]
#[instruction(message: ParamsMessage)]
pub struct Apply<'info> {
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, GovernanceConfig>>,
    #[account(mut, seeds = [MESSAGE_SEED, message.digest().as_ref()], bump = record.bump)]
    pub record: Box<Account<'info, MessageRecord>>,
    /// CHECK: dispatch_staking's config (that program checks it and its admin).
    #[account(mut, owner = config.staking_program @ GovernanceError::WrongTarget)]
    pub staking_config: UncheckedAccount<'info>,
    /// CHECK: the staked mint (dispatch_staking checks it against its config).
    pub mint: UncheckedAccount<'info>,
    /// CHECK: dispatch_settlement's config (that program checks it and its admin).
    #[account(mut, owner = config.settlement_program @ GovernanceError::WrongTarget)]
    pub settlement_config: UncheckedAccount<'info>,
    /// CHECK: the configured dispatch_staking program.
    #[account(executable, address = config.staking_program @ GovernanceError::WrongTarget)]
    pub staking_program: UncheckedAccount<'info>,
    /// CHECK: the configured dispatch_settlement program.
    #[account(executable, address = config.settlement_program @ GovernanceError::WrongTarget)]
    pub settlement_program: UncheckedAccount<'info>,
}

/// Applies an attested message: the threshold of current attesters attested
/// it, it was not applied (replay) and its version is above the applied one
/// (out of order). Sets staking's thresholds and cooldown and settlement's fee
/// by CPI as their admin; the programs check the values against their bounds.
pub fn handler(ctx: Context<Apply>, message: ParamsMessage) -> Result<()> {
    let a = ctx.accounts;
    require!(!a.record.applied, GovernanceError::AlreadyApplied);
    check(&a.config, &message)?;
    let attested = a.record.attesters.iter().filter(|k| a.config.attesters.contains(k)).count();
    require!(attested >= usize::from(a.config.threshold), GovernanceError::BelowThreshold);

    let config_key = a.config.key();
    let seeds: &[&[u8]] = &[CONFIG_SEED, &[a.config.bump]];
    let mut args = Vec::with_capacity(24);
    args.extend_from_slice(&message.verified_threshold.to_le_bytes());
    args.extend_from_slice(&message.sentinel_threshold.to_le_bytes());
    args.extend_from_slice(&message.cooldown_seconds.to_le_bytes());
    call(
        &a.staking_program.to_account_info(),
        UPDATE_CONFIG,
        &args,
        vec![
            AccountMeta::new_readonly(config_key, true),
            AccountMeta::new(a.staking_config.key(), false),
            AccountMeta::new_readonly(a.mint.key(), false),
        ],
        &[a.config.to_account_info(), a.staking_config.to_account_info(), a.mint.to_account_info(), a.staking_program.to_account_info()],
        seeds,
    )?;
    call(
        &a.settlement_program.to_account_info(),
        SET_FEE,
        &message.fee_bps.to_le_bytes(),
        vec![AccountMeta::new_readonly(config_key, true), AccountMeta::new(a.settlement_config.key(), false)],
        &[a.config.to_account_info(), a.settlement_config.to_account_info(), a.settlement_program.to_account_info()],
        seeds,
    )?;
    a.record.applied = true;
    a.config.applied_version = message.params_version;
    emit!(ParamsApplied {
        digest: a.record.digest,
        params_version: message.params_version,
        fee_bps: message.fee_bps,
        verified_threshold: message.verified_threshold,
        sentinel_threshold: message.sentinel_threshold,
        cooldown_seconds: message.cooldown_seconds,
    });
    Ok(())
}
