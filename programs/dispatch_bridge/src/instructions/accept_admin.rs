use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;
use crate::events::AdminAccepted;
use crate::state::BridgeConfig;

/// Accounts of `accept_admin`.
#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    /// The proposed admin, signing to take the role.
    pub new_admin: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.pending_admin.is_some() @ BridgeError::NoPendingAdmin,
        constraint = config.pending_admin == Some(new_admin.key()) @ BridgeError::Unauthorized,
    )]
    pub config: Box<Account<'info, BridgeConfig>>,
}

/// The proposed admin takes the role; the proposal is cleared.
pub fn handler(ctx: Context<AcceptAdmin>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.admin = ctx.accounts.new_admin.key();
    config.pending_admin = None;
    emit!(AdminAccepted { admin: config.admin });
    Ok(())
}
