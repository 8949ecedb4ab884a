use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;
use crate::events::LimitsUpdated;
use crate::state::BridgeConfig;

/// Accounts of `set_limits` (admin only).
#[derive(Accounts)]
pub struct SetLimits<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ BridgeError::Unauthorized)]
    pub config: Box<Account<'info, BridgeConfig>>,
}

/// Sets both capacities (per 24 h) and the inbound queue delay (admin
/// only). The available level of each limit moves by the capacity change.
pub fn handler(ctx: Context<SetLimits>, outbound_capacity: u64, inbound_capacity: u64, queue_delay: i64) -> Result<()> {
    require!(queue_delay >= 0, BridgeError::InvalidLimits);
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    config.outbound_limit.set_capacity(outbound_capacity, now);
    config.inbound_limit.set_capacity(inbound_capacity, now);
    config.queue_delay = queue_delay;
    emit!(LimitsUpdated { outbound: config.outbound_limit, inbound: config.inbound_limit, queue_delay });
    Ok(())
}
