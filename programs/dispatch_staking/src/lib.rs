//! Dispatch staking: BOLT stake tiers (whitepaper §5.3). Skeleton: only the
//! configuration account exists so far; staking itself comes next.
use anchor_lang::prelude::*;

declare_id!("C2nJwknRPzfDvuDe9zZCZrrGkkpHgb1h21XLPWV33X1");

#[program]
pub mod dispatch_staking {
    use super::*;

    /// Creates the staking configuration with the tier thresholds, in base
    /// units of BOLT. VERIFIED must not exceed SENTINEL.
    pub fn initialize(ctx: Context<Initialize>, verified_min: u64, sentinel_min: u64) -> Result<()> {
        require!(verified_min <= sentinel_min, StakingError::TierThresholdsOutOfOrder);
        let config = &mut ctx.accounts.config;
        config.authority = ctx.accounts.authority.key();
        config.verified_min = verified_min;
        config.sentinel_min = sentinel_min;
        config.bump = ctx.bumps.config;
        msg!("staking initialized: verified {} sentinel {}", verified_min, sentinel_min);
        Ok(())
    }
}

/// Accounts of [`dispatch_staking::initialize`].
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(init, payer = authority, space = 8 + StakingConfig::INIT_SPACE, seeds = [b"config"], bump)]
    pub config: Account<'info, StakingConfig>,
    #[account(mut)]
    pub authority: Signer<'info>,
    pub system_program: Program<'info, System>,
}

/// The program's single configuration account (PDA `["config"]`).
#[account]
#[derive(InitSpace)]
pub struct StakingConfig {
    pub authority: Pubkey,
    pub verified_min: u64,
    pub sentinel_min: u64,
    pub bump: u8,
}

#[error_code]
pub enum StakingError {
    #[msg("The VERIFIED threshold must not exceed the SENTINEL threshold")]
    TierThresholdsOutOfOrder,
}
