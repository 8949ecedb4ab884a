use anchor_lang::prelude::*;

use crate::constants::{ANCHORER_SEED, CONFIG_SEED};
use crate::errors::ReceiptAnchorError;
use crate::events::AnchorerRemoved;
use crate::state::{AnchorConfig, Anchorer};

/// Accounts of `remove_anchorer`.
#[derive(Accounts)]
pub struct RemoveAnchorer<'info> {
    /// The admin; receives the record's rent.
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ ReceiptAnchorError::Unauthorized)]
    pub config: Account<'info, AnchorConfig>,
    #[account(mut, close = admin, seeds = [ANCHORER_SEED, anchorer.authority.as_ref()], bump = anchorer.bump)]
    pub anchorer: Account<'info, Anchorer>,
}

/// Removes an anchorer (admin only), closing its record; batches it
/// anchored stay.
pub fn handler(ctx: Context<RemoveAnchorer>) -> Result<()> {
    emit!(AnchorerRemoved { authority: ctx.accounts.anchorer.authority });
    Ok(())
}
