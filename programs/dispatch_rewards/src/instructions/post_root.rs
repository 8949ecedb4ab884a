use anchor_lang::prelude::*;
use anchor_lang::system_program::{self, Allocate, Assign, CreateAccount, Transfer};
use anchor_spl::token::TokenAccount;

use crate::constants::{CONFIG_SEED, EPOCH_SEED};
use crate::emission::released;
use crate::errors::RewardsError;
use crate::events::RootPosted;
use crate::state::{EpochRoot, RewardsConfig};

/// Arguments of `post_root`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PostRootArgs {
    pub epoch: u64,
    /// Root of the OpenZeppelin-style tree of `(epoch, worker, amount)` leaves.
    pub root: [u8; 32],
    /// Sum of the tree's amounts.
    pub total: u64,
    /// Number of leaves.
    pub workers: u32,
}

/// Accounts of `post_root`. No `#[instruction]`: the epoch account's seeds
/// depend on the arguments, so the handler checks and creates it (see
/// docs/solana-programs.md on the SBF build).
#[derive(Accounts)]
pub struct PostRoot<'info> {
    /// The distributor; pays for the epoch account.
    #[account(mut)]
    pub distributor: Signer<'info>,
    #[account(
        mut,
        seeds = [CONFIG_SEED],
        bump = config.bump,
        has_one = distributor @ RewardsError::NotDistributor,
    )]
    pub config: Account<'info, RewardsConfig>,
    /// CHECK: the PDA `["epoch", epoch (u64 LE)]`, checked against the
    /// arguments and created by the handler; an existing one means the epoch
    /// was posted.
    #[account(mut)]
    pub epoch_root: UncheckedAccount<'info>,
    #[account(address = config.vault)]
    pub vault: Account<'info, TokenAccount>,
    pub system_program: Program<'info, System>,
}

/// Posts `epoch`'s root of rewards summing to `total` over `workers` leaves,
/// once, after the epoch has ended, and only while `total` fits in what the
/// emission curve has released minus what earlier roots distributed (and
/// the vault holds it).
pub fn handler(ctx: Context<PostRoot>, args: PostRootArgs) -> Result<()> {
    let PostRootArgs { epoch, root, total, workers } = args;
    let epoch_bytes = epoch.to_le_bytes();
    let (expected, bump) = Pubkey::find_program_address(&[EPOCH_SEED, &epoch_bytes], ctx.program_id);
    require_keys_eq!(ctx.accounts.epoch_root.key(), expected, RewardsError::WrongEpochAccount);
    require!(ctx.accounts.epoch_root.owner != ctx.program_id, RewardsError::EpochAlreadyPosted);
    require!(total > 0, RewardsError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    require!(now >= config.epoch_end(epoch)?, RewardsError::EpochNotEnded);
    let released = released(config.start_ts, now);
    let distributed = config.total_distributed.checked_add(total).ok_or(RewardsError::MathOverflow)?;
    require!(distributed <= released, RewardsError::ExceedsReleased);
    // Owed after this root: everything distributed and not yet claimed.
    let owed = distributed - config.total_claimed;
    require!(ctx.accounts.vault.amount >= owed, RewardsError::VaultUnderfunded);
    config.total_distributed = distributed;
    config.epochs_posted = config.epochs_posted.checked_add(1).ok_or(RewardsError::MathOverflow)?;

    create_epoch_account(&ctx, &epoch_bytes, bump)?;
    let state = EpochRoot { epoch, root, total, workers, claimed: 0, posted_at: now, bump };
    let info = ctx.accounts.epoch_root.to_account_info();
    let mut data = info.try_borrow_mut_data()?;
    state.try_serialize(&mut &mut data[..])?;

    emit!(RootPosted { epoch, root, total, workers, released, total_distributed: distributed });
    Ok(())
}

/// Creates the epoch PDA owned by this program, paid by the distributor;
/// lamports someone sent to the address beforehand do not block it.
fn create_epoch_account(ctx: &Context<PostRoot>, epoch_bytes: &[u8; 8], bump: u8) -> Result<()> {
    let space = 8 + EpochRoot::INIT_SPACE;
    let rent = Rent::get()?.minimum_balance(space);
    let bump = [bump];
    let seeds: &[&[u8]] = &[EPOCH_SEED, epoch_bytes, &bump];
    let signer = &[seeds];
    let system = ctx.accounts.system_program.key();
    let payer = ctx.accounts.distributor.to_account_info();
    let target = ctx.accounts.epoch_root.to_account_info();
    let current = target.lamports();
    if current == 0 {
        let accounts = CreateAccount { from: payer, to: target };
        return system_program::create_account(CpiContext::new_with_signer(system, accounts, signer), rent, space as u64, ctx.program_id);
    }
    if current < rent {
        let accounts = Transfer { from: payer, to: target.clone() };
        system_program::transfer(CpiContext::new(system, accounts), rent - current)?;
    }
    let accounts = Allocate { account_to_allocate: target.clone() };
    system_program::allocate(CpiContext::new_with_signer(system, accounts, signer), space as u64)?;
    let accounts = Assign { account_to_assign: target };
    system_program::assign(CpiContext::new_with_signer(system, accounts, signer), ctx.program_id)
}
