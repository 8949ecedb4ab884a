use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;
use crate::events::ThresholdUpdated;
use crate::state::BridgeConfig;

/// Accounts of `set_threshold` (admin only).
#[derive(Accounts)]
pub struct SetThreshold<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ BridgeError::Unauthorized)]
    pub config: Box<Account<'info, BridgeConfig>>,
}

/// Sets the threshold (admin only): from 1 to the number of attesters.
pub fn handler(ctx: Context<SetThreshold>, threshold: u8) -> Result<()> {
    let config = &mut ctx.accounts.config;
    BridgeConfig::validate_attesters(&config.attesters, threshold)?;
    config.threshold = threshold;
    emit!(ThresholdUpdated { threshold });
    Ok(())
}
