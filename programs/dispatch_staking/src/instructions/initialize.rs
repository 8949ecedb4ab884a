use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::{CONFIG_SEED, VAULT_SEED};
use crate::state::StakingConfig;

/// Accounts of `initialize`: creates the config and the vault of `mint`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The first admin, the program's upgrade authority; pays for both accounts.
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + StakingConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, StakingConfig>,
    /// The staked token; an SPL Token (not Token-2022) mint, so no transfer
    /// fee or hook can make the vault hold less than the books say.
    pub mint: Account<'info, Mint>,
    /// The vault: a token account of `mint` whose authority is itself.
    #[account(
        init,
        payer = admin,
        seeds = [VAULT_SEED],
        bump,
        token::mint = mint,
        token::authority = vault,
        token::token_program = token_program,
    )]
    pub vault: Account<'info, TokenAccount>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
    /// This program; its ProgramData account must be `program_data`.
    #[account(constraint = program.programdata_address()? == Some(program_data.key()))]
    pub program: Program<'info, crate::program::DispatchStaking>,
    /// The program's ProgramData (BPF upgradeable loader): only its upgrade
    /// authority may initialise, so nobody can take a fresh deployment
    /// before the deployer does (Anchor's recommended pattern).
    #[account(constraint = program_data.upgrade_authority_address == Some(admin.key()))]
    pub program_data: Account<'info, ProgramData>,
}

/// Creates the staking config with the tier thresholds (base units) and the
/// unstaking cooldown, and the vault that holds every stake. The bounds are
/// [`StakingConfig::validate`]'s, against the mint's current supply.
pub fn handler(ctx: Context<Initialize>, verified_threshold: u64, sentinel_threshold: u64, cooldown_seconds: i64) -> Result<()> {
    StakingConfig::validate(verified_threshold, sentinel_threshold, cooldown_seconds, ctx.accounts.mint.supply)?;
    let config = &mut ctx.accounts.config;
    config.set_inner(StakingConfig {
        admin: ctx.accounts.admin.key(),
        pending_admin: None,
        mint: ctx.accounts.mint.key(),
        vault: ctx.accounts.vault.key(),
        verified_threshold,
        sentinel_threshold,
        cooldown_seconds,
        total_active: 0,
        total_pending: 0,
        bump: ctx.bumps.config,
        vault_bump: ctx.bumps.vault,
    });
    Ok(())
}
