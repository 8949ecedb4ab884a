use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::{CLAIM_SEED, CONFIG_SEED, EPOCH_SEED};
use crate::errors::RewardsError;
use crate::events::RewardClaimed;
use crate::merkle::{process_proof, reward_leaf};
use crate::state::{ClaimRecord, EpochRoot, RewardsConfig};

/// Accounts of `claim`. (No `#[instruction]`: seeds come from accounts only,
/// see docs/solana-programs.md on the SBF build.)
#[derive(Accounts)]
pub struct Claim<'info> {
    /// The worker whose leaf is claimed; pays for the claim record.
    #[account(mut)]
    pub worker: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, RewardsConfig>,
    /// The epoch claimed (its number is in the account).
    #[account(mut, seeds = [EPOCH_SEED, epoch_root.epoch.to_le_bytes().as_ref()], bump = epoch_root.bump)]
    pub epoch_root: Account<'info, EpochRoot>,
    /// `init_if_needed` so that a second claim fails with `AlreadyClaimed`.
    #[account(
        init_if_needed,
        payer = worker,
        space = 8 + ClaimRecord::INIT_SPACE,
        seeds = [CLAIM_SEED, epoch_root.key().as_ref(), worker.key().as_ref()],
        bump,
    )]
    pub claim_record: Account<'info, ClaimRecord>,
    /// The worker's BOLT account, credited `amount`.
    #[account(
        mut,
        constraint = worker_token.mint == config.mint @ RewardsError::WrongMint,
        constraint = worker_token.owner == worker.key() @ RewardsError::WrongTokenOwner,
    )]
    pub worker_token: Account<'info, TokenAccount>,
    #[account(mut, address = config.vault)]
    pub vault: Account<'info, TokenAccount>,
    #[account(address = config.mint @ RewardsError::WrongMint)]
    pub mint: Account<'info, Mint>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

/// Pays the signing worker its `amount` of the epoch when `proof` leads from
/// the leaf `(epoch, worker, amount)` to the epoch's root; once per epoch
/// and worker.
pub fn handler(ctx: Context<Claim>, amount: u64, proof: Vec<[u8; 32]>) -> Result<()> {
    let epoch = ctx.accounts.epoch_root.epoch;
    require!(ctx.accounts.claim_record.worker == Pubkey::default(), RewardsError::AlreadyClaimed);
    let worker = ctx.accounts.worker.key();
    let leaf = reward_leaf(epoch, &worker.to_bytes(), amount);
    require!(process_proof(&leaf, &proof) == ctx.accounts.epoch_root.root, RewardsError::InvalidProof);
    require!(amount > 0, RewardsError::ZeroAmount);

    let epoch_root = &mut ctx.accounts.epoch_root;
    let epoch_claimed = epoch_root.claimed.checked_add(amount).ok_or(RewardsError::MathOverflow)?;
    require!(epoch_claimed <= epoch_root.total, RewardsError::ExceedsEpochTotal);
    epoch_root.claimed = epoch_claimed;
    let config = &mut ctx.accounts.config;
    config.total_claimed = config.total_claimed.checked_add(amount).ok_or(RewardsError::MathOverflow)?;
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.claim_record.set_inner(ClaimRecord { epoch, worker, amount, claimed_at: now, bump: ctx.bumps.claim_record });

    let bump = [ctx.accounts.config.bump];
    let seeds: &[&[u8]] = &[CONFIG_SEED, &bump];
    let accounts = TransferChecked {
        from: ctx.accounts.vault.to_account_info(),
        mint: ctx.accounts.mint.to_account_info(),
        to: ctx.accounts.worker_token.to_account_info(),
        authority: ctx.accounts.config.to_account_info(),
    };
    token_interface::transfer_checked(
        CpiContext::new_with_signer(ctx.accounts.token_program.key(), accounts, &[seeds]),
        amount,
        ctx.accounts.mint.decimals,
    )?;

    emit!(RewardClaimed { epoch, worker, amount, token_account: ctx.accounts.worker_token.key() });
    Ok(())
}
