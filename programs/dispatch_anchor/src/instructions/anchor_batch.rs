use anchor_lang::prelude::*;

use crate::constants::{ANCHORER_SEED, BATCH_SEED, CONFIG_SEED, MAX_URI_LEN};
use crate::errors::ReceiptAnchorError;
use crate::events::BatchAnchored;
use crate::state::{AnchorConfig, Anchorer, Batch};

/// Accounts of `anchor_batch`.
#[derive(Accounts)]
#[instruction(root: [u8; 32])]
pub struct AnchorBatch<'info> {
    /// The anchorer; pays for the batch account.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// CHECK: the PDA `["anchorer", authority]`; it must hold a live
    /// `Anchorer` record (checked here so that a missing one fails with
    /// `NotAnAnchorer`, not Anchor's AccountNotInitialized).
    #[account(
        seeds = [ANCHORER_SEED, authority.key().as_ref()],
        bump,
        constraint = Anchorer::is_registered(&anchorer, &authority.key()) @ ReceiptAnchorError::NotAnAnchorer,
    )]
    pub anchorer: UncheckedAccount<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Account<'info, AnchorConfig>,
    /// The root's batch. `init_if_needed` so that a repeated root fails with
    /// this program's `RootAlreadyAnchored`, not the System program's
    /// "already in use".
    #[account(init_if_needed, payer = authority, space = 8 + Batch::INIT_SPACE, seeds = [BATCH_SEED, root.as_ref()], bump)]
    pub batch: Account<'info, Batch>,
    pub system_program: Program<'info, System>,
}

/// Anchors `root`, the OpenZeppelin StandardMerkleTree root of `leaf_count`
/// receipts published at `uri`, as batch `config.batch_count + 1`.
pub fn handler(ctx: Context<AnchorBatch>, root: [u8; 32], leaf_count: u32, uri: String) -> Result<()> {
    require!(root != [0u8; 32], ReceiptAnchorError::ZeroRoot);
    require!(leaf_count > 0, ReceiptAnchorError::EmptyBatch);
    require!(uri.len() <= MAX_URI_LEN, ReceiptAnchorError::UriTooLong);
    // A fresh batch account is all zeroes; ids start at 1.
    require!(ctx.accounts.batch.batch_id == 0, ReceiptAnchorError::RootAlreadyAnchored);

    let config = &mut ctx.accounts.config;
    let batch_id = config.batch_count.checked_add(1).ok_or(ReceiptAnchorError::MathOverflow)?;
    config.batch_count = batch_id;
    let clock = Clock::get()?;
    let anchorer = ctx.accounts.authority.key();
    ctx.accounts.batch.set_inner(Batch {
        batch_id,
        root,
        leaf_count,
        anchorer,
        slot: clock.slot,
        anchored_at: clock.unix_timestamp,
        bump: ctx.bumps.batch,
    });
    emit!(BatchAnchored { batch_id, root, anchorer, leaf_count, uri, slot: clock.slot });
    Ok(())
}
