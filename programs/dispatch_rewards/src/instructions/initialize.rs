use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::CONFIG_SEED;
use crate::errors::RewardsError;
use crate::events::RewardsInitialized;
use crate::state::RewardsConfig;

/// Accounts of `initialize`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The first admin, the program's upgrade authority; pays for the config.
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + RewardsConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Account<'info, RewardsConfig>,
    /// The worker-rewards vault: the config PDA's associated token account
    /// for `mint`, created beforehand by the Associated Token Account program.
    #[account(
        associated_token::mint = mint,
        associated_token::authority = config,
        associated_token::token_program = token_program,
    )]
    pub vault: Account<'info, TokenAccount>,
    /// BOLT: an SPL Token (not Token-2022) mint.
    pub mint: Account<'info, Mint>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
    /// This program; its ProgramData account must be `program_data`.
    #[account(constraint = program.programdata_address()? == Some(program_data.key()))]
    pub program: Program<'info, crate::program::DispatchRewards>,
    /// The program's ProgramData (BPF upgradeable loader): only its upgrade
    /// authority may initialise, so nobody can take a fresh deployment (and
    /// name their own distributor of the 400M) before the deployer does.
    #[account(constraint = program_data.upgrade_authority_address == Some(admin.key()))]
    pub program_data: Account<'info, ProgramData>,
}

/// Creates the config and records the vault; the curve and epoch 0 start at
/// `start_ts`, epochs last `epoch_seconds`, `distributor` posts roots.
pub fn handler(ctx: Context<Initialize>, start_ts: i64, epoch_seconds: i64, distributor: Pubkey) -> Result<()> {
    require!(epoch_seconds > 0, RewardsError::InvalidEpochLength);
    let admin = ctx.accounts.admin.key();
    let mint = ctx.accounts.mint.key();
    let vault = ctx.accounts.vault.key();
    ctx.accounts.config.set_inner(RewardsConfig {
        admin,
        distributor,
        mint,
        vault,
        start_ts,
        epoch_seconds,
        total_distributed: 0,
        total_claimed: 0,
        epochs_posted: 0,
        bump: ctx.bumps.config,
    });
    emit!(RewardsInitialized { admin, distributor, mint, vault, start_ts, epoch_seconds });
    Ok(())
}
