use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::state::AnchorConfig;

/// Accounts of `initialize`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The first admin; pays for the config.
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + AnchorConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, AnchorConfig>,
    pub system_program: Program<'info, System>,
}

/// Creates the config with no batches and no anchorers; the signer becomes
/// the admin.
pub fn handler(ctx: Context<Initialize>) -> Result<()> {
    ctx.accounts.config.set_inner(AnchorConfig {
        admin: ctx.accounts.admin.key(),
        pending_admin: None,
        batch_count: 0,
        bump: ctx.bumps.config,
    });
    Ok(())
}
