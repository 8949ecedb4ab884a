use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::StakingError;
use crate::events::ConfigUpdated;
use crate::state::StakingConfig;

/// Accounts of `update_config`.
#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ StakingError::Unauthorized)]
    pub config: Account<'info, StakingConfig>,
}

/// Sets the tier thresholds and the cooldown (admin only). Tiers are derived
/// from active stake, so new thresholds apply to every worker at once; a
/// pending unstake keeps the `unlock_at` it was given.
pub fn handler(ctx: Context<UpdateConfig>, verified_threshold: u64, sentinel_threshold: u64, cooldown_seconds: i64) -> Result<()> {
    StakingConfig::validate(verified_threshold, sentinel_threshold, cooldown_seconds)?;
    let config = &mut ctx.accounts.config;
    config.verified_threshold = verified_threshold;
    config.sentinel_threshold = sentinel_threshold;
    config.cooldown_seconds = cooldown_seconds;
    emit!(ConfigUpdated { verified_threshold, sentinel_threshold, cooldown_seconds });
    Ok(())
}
