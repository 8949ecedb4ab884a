use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::RewardsError;
use crate::events::DistributorChanged;
use crate::state::RewardsConfig;

/// Accounts of `set_distributor`.
#[derive(Accounts)]
pub struct SetDistributor<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ RewardsError::Unauthorized)]
    pub config: Account<'info, RewardsConfig>,
}

/// Admin only: `new_distributor` posts the roots from now on.
pub fn handler(ctx: Context<SetDistributor>, new_distributor: Pubkey) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let old_distributor = config.distributor;
    config.distributor = new_distributor;
    emit!(DistributorChanged { old_distributor, new_distributor });
    Ok(())
}
