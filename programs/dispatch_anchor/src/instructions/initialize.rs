use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::state::AnchorConfig;

/// Accounts of `initialize`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The first admin, the program's upgrade authority; pays for the config.
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + AnchorConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, AnchorConfig>,
    pub system_program: Program<'info, System>,
    /// This program; its ProgramData account must be `program_data`.
    #[account(constraint = program.programdata_address()? == Some(program_data.key()))]
    pub program: Program<'info, crate::program::DispatchAnchor>,
    /// The program's ProgramData (BPF upgradeable loader): only its upgrade
    /// authority may initialise, so nobody can take a fresh deployment
    /// before the deployer does (Anchor's recommended pattern).
    #[account(constraint = program_data.upgrade_authority_address == Some(admin.key()))]
    pub program_data: Account<'info, ProgramData>,
}

/// Creates the config with no batches and no anchorers; the signer (the
/// upgrade authority) becomes the admin.
pub fn handler(ctx: Context<Initialize>) -> Result<()> {
    ctx.accounts.config.set_inner(AnchorConfig {
        admin: ctx.accounts.admin.key(),
        pending_admin: None,
        batch_count: 0,
        bump: ctx.bumps.config,
    });
    Ok(())
}
