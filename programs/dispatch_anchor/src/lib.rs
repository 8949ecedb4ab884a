//! Dispatch receipt anchoring on Solana: batch Merkle roots of receipts
//! (DESIGN.md, "Receipt Merkle tree"). Skeleton: only the configuration
//! account exists so far; anchoring itself comes next.
use anchor_lang::prelude::*;

declare_id!("98TsTgPnwocZQT95MuPoPiwbv6YD4VCfhQm5TvB2HGag");

#[program]
pub mod dispatch_anchor {
    use super::*;

    /// Creates the anchoring configuration; `max_batch_size` bounds the
    /// receipts one batch root may cover and must be positive.
    pub fn initialize(ctx: Context<Initialize>, max_batch_size: u32) -> Result<()> {
        require!(max_batch_size > 0, AnchorProgramError::EmptyBatchLimit);
        let config = &mut ctx.accounts.config;
        config.authority = ctx.accounts.authority.key();
        config.max_batch_size = max_batch_size;
        config.bump = ctx.bumps.config;
        msg!("anchor initialized: max batch {}", max_batch_size);
        Ok(())
    }
}

/// Accounts of [`dispatch_anchor::initialize`].
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(init, payer = authority, space = 8 + AnchorConfig::INIT_SPACE, seeds = [b"config"], bump)]
    pub config: Account<'info, AnchorConfig>,
    #[account(mut)]
    pub authority: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// The program's single configuration account (PDA `["config"]`).
#[account]
#[derive(InitSpace)]
pub struct AnchorConfig {
    pub authority: Pubkey,
    pub max_batch_size: u32,
    pub bump: u8,
}

#[error_code]
pub enum AnchorProgramError {
    #[msg("The batch size limit must be positive")]
    EmptyBatchLimit,
}
