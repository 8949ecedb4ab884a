use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;
use crate::events::BridgeUnpaused;
use crate::state::BridgeConfig;

/// Accounts of `unpause` (admin only).
#[derive(Accounts)]
pub struct Unpause<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ BridgeError::Unauthorized)]
    pub config: Box<Account<'info, BridgeConfig>>,
}

/// Unpauses the bridge (admin only; the pauser cannot).
pub fn handler(ctx: Context<Unpause>) -> Result<()> {
    ctx.accounts.config.paused = false;
    emit!(BridgeUnpaused { by: ctx.accounts.admin.key() });
    Ok(())
}
