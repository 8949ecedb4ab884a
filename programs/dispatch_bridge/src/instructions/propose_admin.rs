use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;
use crate::events::AdminProposed;
use crate::state::BridgeConfig;

/// Accounts of `propose_admin` (admin only).
#[derive(Accounts)]
pub struct ProposeAdmin<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ BridgeError::Unauthorized)]
    pub config: Box<Account<'info, BridgeConfig>>,
}

/// Proposes `new_admin` as the next admin (admin only); nothing changes
/// until `new_admin` accepts. A later proposal replaces an earlier one.
pub fn handler(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
    ctx.accounts.config.pending_admin = Some(new_admin);
    emit!(AdminProposed { admin: ctx.accounts.admin.key(), pending_admin: new_admin });
    Ok(())
}
