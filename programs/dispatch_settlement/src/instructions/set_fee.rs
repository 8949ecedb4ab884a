use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::SettlementError;
use crate::events::FeeUpdated;
use crate::state::SettlementConfig;

/// Accounts of `set_fee`.
#[derive(Accounts)]
pub struct SetFee<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ SettlementError::Unauthorized)]
    pub config: Account<'info, SettlementConfig>,
}

/// Sets the burned fee (admin only), at most `MAX_FEE_BPS`.
pub fn handler(ctx: Context<SetFee>, fee_bps: u16) -> Result<()> {
    SettlementConfig::validate(fee_bps)?;
    ctx.accounts.config.fee_bps = fee_bps;
    emit!(FeeUpdated { fee_bps });
    Ok(())
}
