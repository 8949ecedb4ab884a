//! Releasing BOLT from custody, shared by `attest` (threshold reached
//! within the inbound limit) and `complete_queued`.
use anchor_lang::prelude::*;
use anchor_spl::associated_token::{self, Create};
use anchor_spl::token_interface::{self, TransferChecked};

use crate::constants::CONFIG_SEED;
use crate::errors::BridgeError;

/// The accounts a release touches (the instruction also lists the
/// Associated Token program, which the creation CPI calls).
pub struct Release<'info> {
    pub payer: AccountInfo<'info>,
    pub config: AccountInfo<'info>,
    pub config_bump: u8,
    pub custody: AccountInfo<'info>,
    pub custody_amount: u64,
    pub mint: AccountInfo<'info>,
    pub decimals: u8,
    pub recipient: AccountInfo<'info>,
    pub recipient_token: AccountInfo<'info>,
    pub token_program: AccountInfo<'info>,
    pub system_program: AccountInfo<'info>,
}

/// Moves `amount` from custody to the recipient's associated token
/// account, creating it first (paid by `payer`) when it does not exist.
pub fn release(accounts: Release<'_>, amount: u64) -> Result<()> {
    require!(accounts.custody_amount >= amount, BridgeError::InsufficientCustody);
    if accounts.recipient_token.data_is_empty() {
        let create = Create {
            payer: accounts.payer,
            associated_token: accounts.recipient_token.clone(),
            authority: accounts.recipient,
            mint: accounts.mint.clone(),
            system_program: accounts.system_program,
            token_program: accounts.token_program.clone(),
        };
        associated_token::create_idempotent(CpiContext::new(associated_token::ID, create))?;
    }
    let transfer =
        TransferChecked { from: accounts.custody, mint: accounts.mint, to: accounts.recipient_token, authority: accounts.config };
    let bump = [accounts.config_bump];
    let seeds: &[&[u8]] = &[CONFIG_SEED, &bump];
    let signer = &[seeds];
    token_interface::transfer_checked(
        CpiContext::new_with_signer(accounts.token_program.key(), transfer, signer),
        amount,
        accounts.decimals,
    )
}
