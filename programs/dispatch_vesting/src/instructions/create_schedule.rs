use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::SCHEDULE_SEED;
use crate::errors::VestingError;
use crate::events::ScheduleCreated;
use crate::state::VestingSchedule;

/// Arguments of `create_schedule`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct CreateScheduleArgs {
    pub beneficiary: Pubkey,
    /// Tokens moved from the creator's account into the vault.
    pub total: u64,
    pub start_ts: i64,
    pub cliff_ts: i64,
    pub end_ts: i64,
    /// Who may revoke the unvested part; `None` makes the schedule a lock.
    pub revoke_authority: Option<Pubkey>,
}

/// Accounts of `create_schedule`. (No `#[instruction]`: seeds come from
/// accounts only, see docs/solana-programs.md on the SBF build.)
#[derive(Accounts)]
pub struct CreateSchedule<'info> {
    /// Funds the schedule from `source` and pays for its accounts.
    #[account(mut)]
    pub creator: Signer<'info>,
    /// CHECK: any address that names the schedule among the creator's (never
    /// read or written; e.g. a hash of a label); part of the schedule's seeds.
    pub schedule_id: UncheckedAccount<'info>,
    #[account(
        init,
        payer = creator,
        space = 8 + VestingSchedule::INIT_SPACE,
        seeds = [SCHEDULE_SEED, creator.key().as_ref(), schedule_id.key().as_ref()],
        bump,
    )]
    pub schedule: Account<'info, VestingSchedule>,
    /// The schedule's vault: the associated token account of the schedule
    /// PDA for `mint`, created beforehand by the Associated Token Account
    /// program (only the schedule can move its tokens).
    #[account(
        mut,
        associated_token::mint = mint,
        associated_token::authority = schedule,
        associated_token::token_program = token_program,
    )]
    pub vault: Account<'info, TokenAccount>,
    /// The creator's tokens: debited `total`.
    #[account(
        mut,
        constraint = source.mint == mint.key() @ VestingError::WrongMint,
        constraint = source.owner == creator.key() @ VestingError::WrongTokenOwner,
    )]
    pub source: Account<'info, TokenAccount>,
    /// An SPL Token (not Token-2022) mint: no transfer fee changes what the vault holds.
    pub mint: Account<'info, Mint>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Creates the schedule and moves `total` into its vault.
pub fn handler(ctx: Context<CreateSchedule>, args: CreateScheduleArgs) -> Result<()> {
    require!(args.total > 0, VestingError::ZeroAmount);
    require!(VestingSchedule::valid_times(args.start_ts, args.cliff_ts, args.end_ts), VestingError::InvalidSchedule);

    let schedule_key = ctx.accounts.schedule.key();
    let creator = ctx.accounts.creator.key();
    let mint = ctx.accounts.mint.key();
    let id = ctx.accounts.schedule_id.key();
    ctx.accounts.schedule.set_inner(VestingSchedule {
        creator,
        id,
        beneficiary: args.beneficiary,
        mint,
        vault: ctx.accounts.vault.key(),
        revoke_authority: args.revoke_authority,
        start_ts: args.start_ts,
        cliff_ts: args.cliff_ts,
        end_ts: args.end_ts,
        total: args.total,
        claimed: 0,
        revoked_at: None,
        revoked_amount: 0,
        bump: ctx.bumps.schedule,
    });

    let accounts = TransferChecked {
        from: ctx.accounts.source.to_account_info(),
        mint: ctx.accounts.mint.to_account_info(),
        to: ctx.accounts.vault.to_account_info(),
        authority: ctx.accounts.creator.to_account_info(),
    };
    token_interface::transfer_checked(CpiContext::new(ctx.accounts.token_program.key(), accounts), args.total, ctx.accounts.mint.decimals)?;

    emit!(ScheduleCreated {
        schedule: schedule_key,
        creator,
        id,
        beneficiary: args.beneficiary,
        mint,
        total: args.total,
        start_ts: args.start_ts,
        cliff_ts: args.cliff_ts,
        end_ts: args.end_ts,
        revoke_authority: args.revoke_authority,
    });
    Ok(())
}
