use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, Token, TokenAccount, TransferChecked};

use crate::constants::{CONFIG_SEED, SPEND_SEED};
use crate::errors::GovernanceError;
use crate::events::SpendPaid;
use crate::state::{GovernanceConfig, SpendRecord};

/// Accounts of `pay_spend`.
#[derive(Accounts)]
#[instruction(spend_id: u64)]
pub struct PaySpend<'info> {
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, GovernanceConfig>>,
    #[account(mut, seeds = [SPEND_SEED, spend_id.to_le_bytes().as_ref()], bump = record.bump)]
    pub record: Box<Account<'info, SpendRecord>>,
    #[account(mut, address = config.treasury @ GovernanceError::WrongTarget)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    #[account(address = config.treasury_mint @ GovernanceError::WrongTarget)]
    pub mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        token::mint = mint,
        constraint = recipient_token.owner == record.recipient @ GovernanceError::WrongRecipient,
    )]
    pub recipient_token: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

/// Pays an approved spend once `now >= payable_at`, exactly once.
pub fn handler(ctx: Context<PaySpend>, _spend_id: u64) -> Result<()> {
    let record = &mut ctx.accounts.record;
    require!(record.payable_at != 0, GovernanceError::SpendNotApproved);
    require!(!record.paid, GovernanceError::SpendAlreadyPaid);
    require!(Clock::get()?.unix_timestamp >= record.payable_at, GovernanceError::SpendNotDue);
    record.paid = true;
    let bump = [ctx.accounts.config.bump];
    let seeds: &[&[u8]] = &[CONFIG_SEED, &bump];
    let transfer = TransferChecked {
        from: ctx.accounts.treasury.to_account_info(),
        mint: ctx.accounts.mint.to_account_info(),
        to: ctx.accounts.recipient_token.to_account_info(),
        authority: ctx.accounts.config.to_account_info(),
    };
    token::transfer_checked(
        CpiContext::new_with_signer(ctx.accounts.token_program.key(), transfer, &[seeds]),
        record.amount,
        ctx.accounts.mint.decimals,
    )?;
    emit!(SpendPaid { spend_id: record.spend_id, amount: record.amount, recipient: record.recipient });
    Ok(())
}
