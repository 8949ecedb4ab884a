use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::constants::{CONFIG_SEED, CUSTODY_SEED};
use crate::errors::BridgeError;
use crate::events::Initialized;
use crate::program::DispatchBridge;
use crate::state::{BridgeConfig, RateLimit};

/// Arguments of `initialize`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    pub pauser: Pubkey,
    /// keccak256 of this chain's CAIP-2 id.
    pub chain_id: [u8; 32],
    /// keccak256 of the peer chain's CAIP-2 id.
    pub peer_chain_id: [u8; 32],
    /// The peer bridge's EVM address, left-padded with 12 zero bytes.
    pub peer_bridge: [u8; 32],
    pub attesters: Vec<Pubkey>,
    pub threshold: u8,
    pub outbound_capacity: u64,
    pub inbound_capacity: u64,
    pub queue_delay: i64,
}

/// Accounts of `initialize`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// The program's upgrade authority; becomes the admin and pays.
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(init, payer = admin, space = 8 + BridgeConfig::INIT_SPACE, seeds = [CONFIG_SEED], bump)]
    pub config: Box<Account<'info, BridgeConfig>>,
    /// The bridged token (BOLT), an SPL Token mint.
    pub mint: Box<Account<'info, Mint>>,
    /// The custody vault: a token account of `mint` owned by the config PDA.
    #[account(init, payer = admin, seeds = [CUSTODY_SEED], bump, token::mint = mint, token::authority = config)]
    pub custody: Box<Account<'info, TokenAccount>>,
    /// This program, to find its ProgramData.
    #[account(constraint = program.programdata_address()? == Some(program_data.key()) @ BridgeError::Unauthorized)]
    pub program: Program<'info, DispatchBridge>,
    /// Only the upgrade authority initialises: nobody can front-run the
    /// deployment with their own config.
    #[account(constraint = program_data.upgrade_authority_address == Some(admin.key()) @ BridgeError::Unauthorized)]
    pub program_data: Account<'info, ProgramData>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Creates the config and the custody vault; the signer (the upgrade
/// authority) becomes the admin. Both limits start full.
pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    BridgeConfig::validate_attesters(&args.attesters, args.threshold)?;
    BridgeConfig::validate_peer(&args.chain_id, &args.peer_chain_id, &args.peer_bridge)?;
    require!(args.queue_delay >= 0, BridgeError::InvalidLimits);
    let now = Clock::get()?.unix_timestamp;
    let admin = ctx.accounts.admin.key();
    let mint = ctx.accounts.mint.key();
    let custody = ctx.accounts.custody.key();
    ctx.accounts.config.set_inner(BridgeConfig {
        admin,
        pending_admin: None,
        pauser: args.pauser,
        paused: false,
        mint,
        custody,
        chain_id: args.chain_id,
        peer_chain_id: args.peer_chain_id,
        peer_bridge: args.peer_bridge,
        attesters: args.attesters.clone(),
        threshold: args.threshold,
        next_sequence: 0,
        outbound_limit: RateLimit::full(args.outbound_capacity, now),
        inbound_limit: RateLimit::full(args.inbound_capacity, now),
        queue_delay: args.queue_delay,
        bump: ctx.bumps.config,
        custody_bump: ctx.bumps.custody,
    });
    emit!(Initialized {
        admin,
        pauser: args.pauser,
        mint,
        custody,
        chain_id: args.chain_id,
        peer_chain_id: args.peer_chain_id,
        peer_bridge: args.peer_bridge,
        attesters: args.attesters,
        threshold: args.threshold,
    });
    Ok(())
}
