use anchor_lang::prelude::*;

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;
use crate::events::AttestersUpdated;
use crate::state::BridgeConfig;

/// Accounts of `set_attesters` (admin only).
#[derive(Accounts)]
pub struct SetAttesters<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump, has_one = admin @ BridgeError::Unauthorized)]
    pub config: Box<Account<'info, BridgeConfig>>,
}

/// Replaces the attester set (admin only): 1 to 8 distinct keys, at least
/// the current threshold. Attestations already recorded by keys that are
/// no longer attesters stop counting.
pub fn handler(ctx: Context<SetAttesters>, attesters: Vec<Pubkey>) -> Result<()> {
    let config = &mut ctx.accounts.config;
    BridgeConfig::validate_attesters(&attesters, config.threshold)?;
    config.attesters = attesters.clone();
    emit!(AttestersUpdated { attesters, threshold: config.threshold });
    Ok(())
}
