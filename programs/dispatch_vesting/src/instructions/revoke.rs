use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::SCHEDULE_SEED;
use crate::errors::VestingError;
use crate::events::Revoked;
use crate::state::VestingSchedule;

/// Accounts of `revoke`.
#[derive(Accounts)]
pub struct Revoke<'info> {
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [SCHEDULE_SEED, schedule.creator.as_ref(), schedule.id.as_ref()],
        bump = schedule.bump,
    )]
    pub schedule: Account<'info, VestingSchedule>,
    #[account(mut, address = schedule.vault)]
    pub vault: Account<'info, TokenAccount>,
    /// Receives the unvested part: any token account of the schedule's mint.
    #[account(mut, constraint = destination.mint == schedule.mint @ VestingError::WrongMint)]
    pub destination: Account<'info, TokenAccount>,
    #[account(address = schedule.mint @ VestingError::WrongMint)]
    pub mint: Account<'info, Mint>,
    pub token_program: Program<'info, Token>,
}

/// The revocation authority stops vesting at the current clock and takes
/// back exactly the unvested part `total - vested(now)`; what has vested
/// stays claimable by the beneficiary. Locks (no authority) cannot be revoked.
pub fn handler(ctx: Context<Revoke>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let schedule = &mut ctx.accounts.schedule;
    let authority = schedule.revoke_authority.ok_or(VestingError::NotRevocable)?;
    require_keys_eq!(authority, ctx.accounts.authority.key(), VestingError::NotRevokeAuthority);
    require!(schedule.revoked_at.is_none(), VestingError::AlreadyRevoked);
    let vested = schedule.vested_at(now);
    let amount = schedule.total - vested;
    schedule.revoked_at = Some(now);
    schedule.revoked_amount = amount;

    if amount > 0 {
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
    }

    emit!(Revoked { schedule: ctx.accounts.schedule.key(), authority, amount, vested, unix_timestamp: now });
    Ok(())
}
