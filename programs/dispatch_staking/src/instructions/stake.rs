use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::{CONFIG_SEED, STAKE_SEED, VAULT_SEED};
use crate::errors::StakingError;
use crate::events::Staked;
use crate::state::{StakeAccount, StakingConfig};

/// Accounts of `stake`.
#[derive(Accounts)]
pub struct Stake<'info> {
    /// The worker (its ed25519 key); pays for its stake account on first use.
    #[account(mut)]
    pub worker: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, StakingConfig>,
    #[account(
        init_if_needed,
        payer = worker,
        space = 8 + StakeAccount::INIT_SPACE,
        seeds = [STAKE_SEED, worker.key().as_ref()],
        bump,
    )]
    pub stake_account: Account<'info, StakeAccount>,
    /// The worker's BOLT, debited.
    #[account(
        mut,
        constraint = worker_token.mint == config.mint @ StakingError::WrongMint,
        constraint = worker_token.owner == worker.key() @ StakingError::WrongTokenOwner,
    )]
    pub worker_token: Account<'info, TokenAccount>,
    #[account(mut, seeds = [VAULT_SEED], bump = config.vault_bump)]
    pub vault: Account<'info, TokenAccount>,
    #[account(address = config.mint @ StakingError::WrongMint)]
    pub mint: Account<'info, Mint>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Moves `amount` base units from the worker's token account into the vault
/// (`transfer_checked`) and adds them to the worker's active stake, creating
/// its stake account on first use.
pub fn handler(ctx: Context<Stake>, amount: u64) -> Result<()> {
    require!(amount > 0, StakingError::ZeroAmount);
    let worker = ctx.accounts.worker.key();
    let stake = &mut ctx.accounts.stake_account;
    stake.worker = worker;
    stake.bump = ctx.bumps.stake_account;
    stake.active = stake.active.checked_add(amount).ok_or(StakingError::MathOverflow)?;
    let config = &mut ctx.accounts.config;
    config.total_active = config.total_active.checked_add(amount).ok_or(StakingError::MathOverflow)?;

    let accounts = TransferChecked {
        from: ctx.accounts.worker_token.to_account_info(),
        mint: ctx.accounts.mint.to_account_info(),
        to: ctx.accounts.vault.to_account_info(),
        authority: ctx.accounts.worker.to_account_info(),
    };
    token_interface::transfer_checked(CpiContext::new(ctx.accounts.token_program.key(), accounts), amount, ctx.accounts.mint.decimals)?;

    let active = ctx.accounts.stake_account.active;
    let tier = ctx.accounts.config.tier(active);
    emit!(Staked { worker, amount, active, tier });
    Ok(())
}
