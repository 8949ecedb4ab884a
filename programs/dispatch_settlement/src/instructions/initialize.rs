use anchor_lang::prelude::*;
use anchor_spl::token::Mint;

use crate::constants::CONFIG_SEED;
use crate::state::SettlementConfig;

/// Accounts of `initialize`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The first admin, the program's upgrade authority; pays for the config.
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + SettlementConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, SettlementConfig>,
    /// The settlement token; an SPL Token (not Token-2022) mint, so no
    /// transfer fee or hook changes what the worker receives.
    pub mint: Account<'info, Mint>,
    pub system_program: Program<'info, System>,
    /// This program; its ProgramData account must be `program_data`.
    #[account(constraint = program.programdata_address()? == Some(program_data.key()))]
    pub program: Program<'info, crate::program::DispatchSettlement>,
    /// The program's ProgramData (BPF upgradeable loader): only its upgrade
    /// authority may initialise, so nobody can take a fresh deployment
    /// before the deployer does (Anchor's recommended pattern).
    #[account(constraint = program_data.upgrade_authority_address == Some(admin.key()))]
    pub program_data: Account<'info, ProgramData>,
}

/// Creates the settlement config for `mint` with the burned fee `fee_bps`
/// (at most `MAX_FEE_BPS`); the signer (the upgrade authority) becomes the
/// admin.
pub fn handler(ctx: Context<Initialize>, fee_bps: u16) -> Result<()> {
    SettlementConfig::validate(fee_bps)?;
    ctx.accounts.config.set_inner(SettlementConfig {
        admin: ctx.accounts.admin.key(),
        pending_admin: None,
        mint: ctx.accounts.mint.key(),
        fee_bps,
        total_settled: 0,
        total_burned: 0,
        bump: ctx.bumps.config,
    });
    Ok(())
}
