use anchor_lang::prelude::*;

use crate::constants::{CONFIG_SEED, STAKE_SEED};
use crate::errors::StakingError;
use crate::events::UnstakeRequested;
use crate::state::{StakeAccount, StakingConfig};

/// Accounts of `request_unstake`.
#[derive(Accounts)]
pub struct RequestUnstake<'info> {
    pub worker: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, StakingConfig>,
    #[account(mut, seeds = [STAKE_SEED, worker.key().as_ref()], bump = stake_account.bump)]
    pub stake_account: Account<'info, StakeAccount>,
}

/// Moves `amount` from active to pending and (re)starts the cooldown:
/// `unlock_at = now + cooldown_seconds`, for all of `pending`. The tier
/// drops at once.
pub fn handler(ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
    require!(amount > 0, StakingError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let stake = &mut ctx.accounts.stake_account;
    require!(amount <= stake.active, StakingError::InsufficientStake);
    let unlock_at = now.checked_add(config.cooldown_seconds).ok_or(StakingError::MathOverflow)?;
    stake.active -= amount;
    stake.pending = stake.pending.checked_add(amount).ok_or(StakingError::MathOverflow)?;
    stake.unlock_at = unlock_at;
    config.total_active = config.total_active.checked_sub(amount).ok_or(StakingError::MathOverflow)?;
    config.total_pending = config.total_pending.checked_add(amount).ok_or(StakingError::MathOverflow)?;

    let (active, pending, tier) = (stake.active, stake.pending, config.tier(stake.active));
    emit!(UnstakeRequested { worker: ctx.accounts.worker.key(), amount, active, pending, unlock_at, tier });
    Ok(())
}
