use anchor_lang::prelude::*;

use crate::constants::{ANCHORER_SEED, CONFIG_SEED};
use crate::errors::ReceiptAnchorError;
use crate::events::AnchorerAdded;
use crate::state::{AnchorConfig, Anchorer};

/// Accounts of `add_anchorer`.
#[derive(Accounts)]
#[instruction(authority: Pubkey)]
pub struct AddAnchorer<'info> {
    /// The admin; pays for the anchorer record.
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ ReceiptAnchorError::Unauthorized)]
    pub config: Account<'info, AnchorConfig>,
    #[account(init, payer = admin, space = 8 + Anchorer::INIT_SPACE, seeds = [ANCHORER_SEED, authority.as_ref()], bump)]
    pub anchorer: Account<'info, Anchorer>,
    pub system_program: Program<'info, System>,
}

/// Allows `authority` to anchor batches (admin only).
pub fn handler(ctx: Context<AddAnchorer>, authority: Pubkey) -> Result<()> {
    ctx.accounts.anchorer.set_inner(Anchorer { authority, bump: ctx.bumps.anchorer });
    emit!(AnchorerAdded { authority });
    Ok(())
}
