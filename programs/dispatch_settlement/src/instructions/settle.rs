use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{self, BurnChecked, TransferChecked};

use crate::constants::{CONFIG_SEED, MAX_JOB_ID_LEN, SETTLEMENT_SEED};
use crate::errors::SettlementError;
use crate::events::Settled;
use crate::state::{Settlement, SettlementConfig};

/// Accounts of `settle`.
#[derive(Accounts)]
#[instruction(job_id: String, job_id_hash: [u8; 32])]
pub struct Settle<'info> {
    /// The coordinator paying the worker; pays for the record.
    #[account(mut)]
    pub coordinator: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, SettlementConfig>,
    /// The job's record. `init_if_needed` so that a second settlement fails
    /// with this program's `AlreadySettled`, not the System program's
    /// "already in use".
    #[account(
        init_if_needed,
        payer = coordinator,
        space = 8 + Settlement::INIT_SPACE,
        seeds = [SETTLEMENT_SEED, coordinator.key().as_ref(), job_id_hash.as_ref()],
        bump,
    )]
    pub settlement: Account<'info, Settlement>,
    /// The coordinator's BOLT: debited `amount` (`amount - fee` moved, `fee` burned).
    #[account(
        mut,
        constraint = coordinator_token.mint == config.mint @ SettlementError::WrongMint,
        constraint = coordinator_token.owner == coordinator.key() @ SettlementError::WrongTokenOwner,
    )]
    pub coordinator_token: Account<'info, TokenAccount>,
    /// The worker's BOLT: credited `amount - fee`; its owner is the worker.
    #[account(mut, constraint = worker_token.mint == config.mint @ SettlementError::WrongMint)]
    pub worker_token: Account<'info, TokenAccount>,
    /// The mint, writable for the burn.
    #[account(mut, address = config.mint @ SettlementError::WrongMint)]
    pub mint: Account<'info, Mint>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Settles `job_id` for `amount` base units: `fee = amount * fee_bps /
/// 10 000` (rounded down) is burned from the coordinator's account
/// (`burn_checked`) and `amount - fee` moves to the worker's
/// (`transfer_checked`), in this one instruction; the record
/// `["settlement", coordinator, job_id_hash]` makes it happen once.
pub fn handler(ctx: Context<Settle>, job_id: String, job_id_hash: [u8; 32], amount: u64, receipt_hash: [u8; 32]) -> Result<()> {
    require!(!job_id.is_empty(), SettlementError::EmptyJobId);
    require!(job_id.len() <= MAX_JOB_ID_LEN, SettlementError::JobIdTooLong);
    require!(solana_sha256_hasher::hash(job_id.as_bytes()).to_bytes() == job_id_hash, SettlementError::JobIdHashMismatch);
    require!(amount > 0, SettlementError::ZeroAmount);
    // A fresh record is all zeroes; a settled one names its coordinator.
    require!(ctx.accounts.settlement.coordinator == Pubkey::default(), SettlementError::AlreadySettled);
    require!(ctx.accounts.coordinator_token.amount >= amount, SettlementError::InsufficientBalance);

    let config = &mut ctx.accounts.config;
    let fee = config.fee(amount);
    let payout = amount - fee;
    // Statistics only: they saturate rather than ever fail a settlement.
    config.total_settled = config.total_settled.saturating_add(u128::from(amount));
    config.total_burned = config.total_burned.saturating_add(u128::from(fee));

    let clock = Clock::get()?;
    let coordinator = ctx.accounts.coordinator.key();
    let worker = ctx.accounts.worker_token.owner;
    ctx.accounts.settlement.set_inner(Settlement {
        coordinator,
        worker,
        job_id: job_id.clone(),
        amount,
        fee,
        receipt_hash,
        slot: clock.slot,
        settled_at: clock.unix_timestamp,
        bump: ctx.bumps.settlement,
    });

    let token_program = ctx.accounts.token_program.key();
    let decimals = ctx.accounts.mint.decimals;
    if payout > 0 {
        let accounts = TransferChecked {
            from: ctx.accounts.coordinator_token.to_account_info(),
            mint: ctx.accounts.mint.to_account_info(),
            to: ctx.accounts.worker_token.to_account_info(),
            authority: ctx.accounts.coordinator.to_account_info(),
        };
        token_interface::transfer_checked(CpiContext::new(token_program, accounts), payout, decimals)?;
    }
    if fee > 0 {
        let accounts = BurnChecked {
            from: ctx.accounts.coordinator_token.to_account_info(),
            mint: ctx.accounts.mint.to_account_info(),
            authority: ctx.accounts.coordinator.to_account_info(),
        };
        token_interface::burn_checked(CpiContext::new(token_program, accounts), fee, decimals)?;
    }

    emit!(Settled { coordinator, worker, job_id, amount, fee, receipt_hash, slot: clock.slot });
    Ok(())
}
