use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::CONFIG_SEED;
use crate::errors::GovernanceError;
use crate::events::Initialized;
use crate::program::DispatchGovernance;
use crate::state::GovernanceConfig;

/// Arguments of `initialize`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    /// keccak256 of this cluster's CAIP-2 id.
    pub chain_id: [u8; 32],
    /// keccak256 of the Monad chain's CAIP-2 id.
    pub source_chain: [u8; 32],
    /// The ProtocolParams address, left-padded with 12 zero bytes.
    pub source_emitter: [u8; 32],
    pub attesters: Vec<Pubkey>,
    pub threshold: u8,
    pub staking_program: Pubkey,
    pub settlement_program: Pubkey,
}

/// Accounts of `initialize`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The program's upgrade authority; pays.
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(init, payer = authority, space = 8 + GovernanceConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Box<Account<'info, GovernanceConfig>>,
    #[account(constraint = program.programdata_address()? == Some(program_data.key()) @ GovernanceError::Unauthorized)]
    pub program: Program<'info, DispatchGovernance>,
    /// Only the upgrade authority initialises: nobody can front-run the deployment.
    #[account(constraint = program_data.upgrade_authority_address == Some(authority.key()) @ GovernanceError::Unauthorized)]
    pub program_data: Account<'info, ProgramData>,
    /// The treasury's token (BOLT).
    pub mint: Box<Account<'info, Mint>>,
    /// The treasury vault: the config PDA's associated token account for `mint`, created (and
    /// funded by genesis) beforehand through the Associated Token Account program. Its only
    /// authority is the config PDA, so it moves only through `pay_spend`.
    #[account(
        associated_token::mint = mint,
        associated_token::authority = config,
        associated_token::token_program = token_program,
    )]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Creates the config and records the treasury vault. No admin key remains: the attesters and the source
/// are fixed (a new set means a new deployment, itself a governance act).
pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    GovernanceConfig::validate_attesters(&args.attesters, args.threshold)?;
    require!(args.source_emitter[..12].iter().all(|b| *b == 0), GovernanceError::WrongSourceEmitter);
    let config = &mut ctx.accounts.config;
    config.set_inner(GovernanceConfig {
        chain_id: args.chain_id,
        source_chain: args.source_chain,
        source_emitter: args.source_emitter,
        attesters: args.attesters.clone(),
        threshold: args.threshold,
        applied_version: 0,
        staking_program: args.staking_program,
        settlement_program: args.settlement_program,
        treasury: ctx.accounts.treasury.key(),
        treasury_mint: ctx.accounts.mint.key(),
        bump: ctx.bumps.config,
    });
    emit!(Initialized {
        source_chain: args.source_chain,
        source_emitter: args.source_emitter,
        attesters: args.attesters,
        threshold: args.threshold,
    });
    Ok(())
}
