use anchor_lang::prelude::*;

use crate::constants::{CONFIG_SEED, STAKE_SEED};
use crate::errors::StakingError;
use crate::events::UnstakeCancelled;
use crate::state::{StakeAccount, StakingConfig};

/// Accounts of `cancel_unstake`.
#[derive(Accounts)]
pub struct CancelUnstake<'info> {
    pub worker: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, StakingConfig>,
    #[account(mut, seeds = [STAKE_SEED, worker.key().as_ref()], bump = stake_account.bump)]
    pub stake_account: Account<'info, StakeAccount>,
}

/// Moves all of `pending` back to active and clears the cooldown.
pub fn handler(ctx: Context<CancelUnstake>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    let stake = &mut ctx.accounts.stake_account;
    let amount = stake.pending;
    require!(amount > 0, StakingError::NothingPending);
    stake.active = stake.active.checked_add(amount).ok_or(StakingError::MathOverflow)?;
    stake.pending = 0;
    stake.unlock_at = 0;
    config.total_pending = config.total_pending.checked_sub(amount).ok_or(StakingError::MathOverflow)?;
    config.total_active = config.total_active.checked_add(amount).ok_or(StakingError::MathOverflow)?;

    let (active, tier) = (stake.active, config.tier(stake.active));
    emit!(UnstakeCancelled { worker: ctx.accounts.worker.key(), amount, active, tier });
    Ok(())
}
