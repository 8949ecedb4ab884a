use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;
use crate::events::BridgePaused;
use crate::state::BridgeConfig;

/// Accounts of `pause`.
#[derive(Accounts)]
pub struct Pause<'info> {
    /// The pauser or the admin.
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = authority.key() == config.pauser || authority.key() == config.admin @ BridgeError::Unauthorized,
    )]
    pub config: Box<Account<'info, BridgeConfig>>,
}

/// Pauses the bridge (pauser or admin): lock, attest and complete_queued
/// fail with `Paused` until the admin unpauses. Pausing a paused bridge is
/// a no-op that still succeeds.
pub fn handler(ctx: Context<Pause>) -> Result<()> {
    ctx.accounts.config.paused = true;
    emit!(BridgePaused { by: ctx.accounts.authority.key() });
    Ok(())
}
