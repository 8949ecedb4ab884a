use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::{CONFIG_SEED, STAKE_SEED, VAULT_SEED};
use crate::errors::StakingError;
use crate::events::Withdrawn;
use crate::state::{StakeAccount, StakingConfig};

/// Accounts of `withdraw`.
#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub worker: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, StakingConfig>,
    #[account(mut, seeds = [STAKE_SEED, worker.key().as_ref()], bump = stake_account.bump)]
    pub stake_account: Account<'info, StakeAccount>,
    /// The worker's BOLT, credited.
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
}

/// Pays all of `pending` from the vault to the worker once
/// `now >= unlock_at` (`transfer_checked`, signed by the vault PDA).
pub fn handler(ctx: Context<Withdraw>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let stake = &mut ctx.accounts.stake_account;
    let amount = stake.pending;
    require!(amount > 0, StakingError::NothingPending);
    require!(now >= stake.unlock_at, StakingError::CooldownNotElapsed);
    stake.pending = 0;
    stake.unlock_at = 0;
    config.total_pending = config.total_pending.checked_sub(amount).ok_or(StakingError::MathOverflow)?;

    let seeds: &[&[u8]] = &[VAULT_SEED, &[config.vault_bump]];
    let accounts = TransferChecked {
        from: ctx.accounts.vault.to_account_info(),
        mint: ctx.accounts.mint.to_account_info(),
        to: ctx.accounts.worker_token.to_account_info(),
        authority: ctx.accounts.vault.to_account_info(),
    };
    token_interface::transfer_checked(
        CpiContext::new_with_signer(ctx.accounts.token_program.key(), accounts, &[seeds]),
        amount,
        ctx.accounts.mint.decimals,
    )?;

    emit!(Withdrawn { worker: ctx.accounts.worker.key(), amount });
    Ok(())
}
