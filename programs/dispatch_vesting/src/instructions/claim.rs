use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::SCHEDULE_SEED;
use crate::errors::VestingError;
use crate::events::Claimed;
use crate::state::VestingSchedule;

/// Accounts of `claim`.
#[derive(Accounts)]
pub struct Claim<'info> {
    pub beneficiary: Signer<'info>,
    #[account(
        mut,
        seeds = [SCHEDULE_SEED, schedule.creator.as_ref(), schedule.id.as_ref()],
        bump = schedule.bump,
        constraint = schedule.beneficiary == beneficiary.key() @ VestingError::NotBeneficiary,
    )]
    pub schedule: Account<'info, VestingSchedule>,
    #[account(mut, address = schedule.vault)]
    pub vault: Account<'info, TokenAccount>,
    /// Any token account of the schedule's mint, chosen by the beneficiary.
    #[account(mut, constraint = destination.mint == schedule.mint @ VestingError::WrongMint)]
    pub destination: Account<'info, TokenAccount>,
    #[account(address = schedule.mint @ VestingError::WrongMint)]
    pub mint: Account<'info, Mint>,
    pub token_program: Program<'info, Token>,
}

/// Pays the beneficiary everything vested at the current clock and not yet
/// claimed (rounded down, never more); fails with `NothingToClaim` when
/// that is zero.
pub fn handler(ctx: Context<Claim>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let schedule = &mut ctx.accounts.schedule;
    let amount = schedule.claimable_at(now);
    require!(amount > 0, VestingError::NothingToClaim);
    schedule.claimed = schedule.claimed.checked_add(amount).ok_or(VestingError::MathOverflow)?;
    let claimed = schedule.claimed;

    let creator = schedule.creator;
    let id = schedule.id;
    let bump = [schedule.bump];
    let seeds: &[&[u8]] = &[SCHEDULE_SEED, creator.as_ref(), id.as_ref(), &bump];
    let accounts = TransferChecked {
        from: ctx.accounts.vault.to_account_info(),
        mint: ctx.accounts.mint.to_account_info(),
        to: ctx.accounts.destination.to_account_info(),
        authority: ctx.accounts.schedule.to_account_info(),
    };
    token_interface::transfer_checked(
        CpiContext::new_with_signer(ctx.accounts.token_program.key(), accounts, &[seeds]),
        amount,
        ctx.accounts.mint.decimals,
    )?;

    emit!(Claimed {
        schedule: ctx.accounts.schedule.key(),
        beneficiary: ctx.accounts.beneficiary.key(),
        amount,
        claimed,
        unix_timestamp: now,
    });
    Ok(())
}
