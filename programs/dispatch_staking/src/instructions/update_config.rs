use anchor_lang::prelude::*;
use anchor_spl::token::Mint;

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
    /// The staked mint, for its current supply (the SENTINEL threshold's bound).
    #[account(address = config.mint @ StakingError::WrongMint)]
    pub mint: Account<'info, Mint>,
}

/// Sets the tier thresholds and the cooldown (admin only), within the bounds
/// of [`StakingConfig::validate`] against the mint's current supply. Tiers are derived
/// from active stake, so new thresholds apply to every worker at once; a
/// pending unstake keeps the `unlock_at` it was given.
pub fn handler(ctx: Context<UpdateConfig>, verified_threshold: u64, sentinel_threshold: u64, cooldown_seconds: i64) -> Result<()> {
    StakingConfig::validate(verified_threshold, sentinel_threshold, cooldown_seconds, ctx.accounts.mint.supply)?;
    let config = &mut ctx.accounts.config;
    config.verified_threshold = verified_threshold;
    config.sentinel_threshold = sentinel_threshold;
    config.cooldown_seconds = cooldown_seconds;
    emit!(ConfigUpdated { verified_threshold, sentinel_threshold, cooldown_seconds });
    Ok(())
}
