//! Hand-built CPIs into dispatch_staking and dispatch_settlement (Anchor
//! instruction data: the 8-byte discriminator `sha256("global:<name>")[..8]`,
//! then the borsh arguments), signed by the config PDA as their admin. The
//! discriminators are checked against those crates in the tests.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed;

/// `dispatch_staking::update_config(verified, sentinel, cooldown)`.
pub const UPDATE_CONFIG: [u8; 8] = [29, 158, 252, 191, 10, 83, 219, 99];
/// `dispatch_settlement::set_fee(fee_bps)`.
pub const SET_FEE: [u8; 8] = [18, 154, 24, 18, 237, 214, 19, 80];
/// `accept_admin()` of either program.
pub const ACCEPT_ADMIN: [u8; 8] = [112, 42, 45, 90, 116, 181, 13, 170];

/// Calls `program` with `discriminator` + `args`, the accounts `metas`, signed by the config PDA.
pub fn call<'info>(
    program: &AccountInfo<'info>,
    discriminator: [u8; 8],
    args: &[u8],
    metas: Vec<AccountMeta>,
    infos: &[AccountInfo<'info>],
    signer_seeds: &[&[u8]],
) -> Result<()> {
    let mut data = discriminator.to_vec();
    data.extend_from_slice(args);
    let instruction = Instruction { program_id: program.key(), accounts: metas, data };
    invoke_signed(&instruction, infos, &[signer_seeds])?;
    Ok(())
}
