use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;
use crate::events::PauserUpdated;
use crate::state::BridgeConfig;

/// Accounts of `set_pauser` (admin only).
#[derive(Accounts)]
pub struct SetPauser<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ BridgeError::Unauthorized)]
    pub config: Box<Account<'info, BridgeConfig>>,
}

/// Sets the pauser (admin only).
pub fn handler(ctx: Context<SetPauser>, pauser: Pubkey) -> Result<()> {
    ctx.accounts.config.pauser = pauser;
    emit!(PauserUpdated { pauser });
    Ok(())
}
