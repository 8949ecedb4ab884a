//! Dispatch settlement: BOLT payments with the protocol fee burned
//! (whitepaper §5.1, PROTOCOL_FEE_BPS = 500). Skeleton: the configuration
//! account and a plain `transfer_checked` payment that proves the native
//! Anchor → SPL Token CPI path; the fee split comes next.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};

declare_id!("EAk4oyFRCZEckKGgy268QD7K2MibeaG6oRVJviuK16DZ");

/// Basis-point denominator: 10 000 bps = 100 %.
pub const BPS_DENOMINATOR: u16 = 10_000;

#[program]
pub mod dispatch_settlement {
    use super::*;

    /// Creates the settlement configuration; `fee_bps` is the share of every
    /// settlement that will be burned, at most 10 000.
    pub fn initialize(ctx: Context<Initialize>, fee_bps: u16) -> Result<()> {
        require!(fee_bps <= BPS_DENOMINATOR, SettlementError::FeeTooHigh);
        let config = &mut ctx.accounts.config;
        config.authority = ctx.accounts.authority.key();
        config.fee_bps = fee_bps;
        config.bump = ctx.bumps.config;
        msg!("settlement initialized: fee {} bps", fee_bps);
        Ok(())
    }

    /// Moves `amount` base units from `from` to `to` with SPL Token
    /// `transfer_checked`, signed by `authority`; returns `to`'s new balance.
    pub fn pay(ctx: Context<Pay>, amount: u64) -> Result<u64> {
        require!(amount > 0, SettlementError::ZeroAmount);
        let accounts = TransferChecked {
            from: ctx.accounts.from.to_account_info(),
            mint: ctx.accounts.mint.to_account_info(),
            to: ctx.accounts.to.to_account_info(),
            authority: ctx.accounts.authority.to_account_info(),
        };
        let cpi = CpiContext::new(ctx.accounts.token_program.key(), accounts);
        token_interface::transfer_checked(cpi, amount, ctx.accounts.mint.decimals)?;
        ctx.accounts.to.reload()?;
        msg!("paid {} to {}", amount, ctx.accounts.to.key());
        Ok(ctx.accounts.to.amount)
    }
}

/// Accounts of [`dispatch_settlement::initialize`].
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(init, payer = authority, space = 8 + SettlementConfig::INIT_SPACE, seeds = [b"config"], bump)]
    pub config: Account<'info, SettlementConfig>,
    #[account(mut)]
    pub authority: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// Accounts of [`dispatch_settlement::pay`].
#[derive(Accounts)]
pub struct Pay<'info> {
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(mut, token::mint = mint, token::authority = authority)]
    pub from: InterfaceAccount<'info, TokenAccount>,
    #[account(mut, token::mint = mint)]
    pub to: InterfaceAccount<'info, TokenAccount>,
    pub authority: Signer<'info>,
    pub token_program: Interface<'info, TokenInterface>,
}

/// The program's single configuration account (PDA `["config"]`).
#[account]
#[derive(InitSpace)]
pub struct SettlementConfig {
    pub authority: Pubkey,
    pub fee_bps: u16,
    pub bump: u8,
}

#[error_code]
pub enum SettlementError {
    #[msg("The fee must be at most 10 000 bps")]
    FeeTooHigh,
    #[msg("The amount must be positive")]
    ZeroAmount,
}
