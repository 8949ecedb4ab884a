use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::AccountMeta;

use crate::constants::CONFIG_SEED;
use crate::cpi::{call, ACCEPT_ADMIN};
use crate::errors::GovernanceError;
use crate::events::AdminsAccepted;
use crate::state::GovernanceConfig;

/// Accounts of `accept_admins`.
#[derive(Accounts)]
pub struct AcceptAdmins<'info> {
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, GovernanceConfig>>,
    /// CHECK: dispatch_staking's config; that program checks it (PDA, pending admin).
    #[account(mut, owner = config.staking_program @ GovernanceError::WrongTarget)]
    pub staking_config: UncheckedAccount<'info>,
    /// CHECK: dispatch_settlement's config; that program checks it.
    #[account(mut, owner = config.settlement_program @ GovernanceError::WrongTarget)]
    pub settlement_config: UncheckedAccount<'info>,
    /// CHECK: the configured dispatch_staking program.
    #[account(executable, address = config.staking_program @ GovernanceError::WrongTarget)]
    pub staking_program: UncheckedAccount<'info>,
    /// CHECK: the configured dispatch_settlement program.
    #[account(executable, address = config.settlement_program @ GovernanceError::WrongTarget)]
    pub settlement_program: UncheckedAccount<'info>,
}

/// Accepts the admin role both programs proposed to the config PDA
/// (`accept_admin` of each, signed by the PDA); anyone may call.
pub fn handler(ctx: Context<AcceptAdmins>) -> Result<()> {
    let a = &ctx.accounts;
    let config_key = a.config.key();
    let seeds: &[&[u8]] = &[CONFIG_SEED, &[a.config.bump]];
    for (program, target) in [(&a.staking_program, &a.staking_config), (&a.settlement_program, &a.settlement_config)] {
        call(
            &program.to_account_info(),
            ACCEPT_ADMIN,
            &[],
            vec![AccountMeta::new_readonly(config_key, true), AccountMeta::new(target.key(), false)],
            &[a.config.to_account_info(), target.to_account_info(), program.to_account_info()],
            seeds,
        )?;
    }
    emit!(AdminsAccepted { staking: a.staking_program.key(), settlement: a.settlement_program.key() });
    Ok(())
}
