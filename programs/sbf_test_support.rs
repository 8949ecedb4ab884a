//! Test helpers for dispatch_vesting and dispatch_rewards beyond
//! `test_support.rs` (which their tests include as well, for `ok`, `fails`,
//! `event`, `set_time`, `pda` and the SPL Token setup): a LiteSVM with a
//! program's SBF build (`<name>.so` in `DISPATCH_SBF_DIR`, read by
//! `dispatch_svm::sbf_program`) loaded as a plain program, and the
//! Associated Token Account helpers. Included with
//! `#[path = "../../sbf_test_support.rs"] mod sbf;`.
#![allow(dead_code)]

use litesvm::LiteSVM;
use solana_address::Address;
use solana_instruction::Instruction;

/// A new LiteSVM with program `name`'s SBF build at `program_id`.
pub fn svm_with_sbf(program_id: Address, name: &str) -> LiteSVM {
    let mut svm = LiteSVM::new();
    svm.add_program(program_id, &dispatch_svm::sbf_program(name)).expect("the SBF program loads");
    svm
}

/// The PDA of `seeds` under `program_id`.
fn pda(seeds: &[&[u8]], program_id: &Address) -> Address {
    Address::find_program_address(seeds, program_id).0
}

/// The Associated Token Account program (LiteSVM preloads its SBF binary).
pub const ATA_PROGRAM: Address = Address::from_str_const("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/// The associated token account of `owner` for `mint` (SPL Token).
pub fn ata(owner: &Address, mint: &Address) -> Address {
    pda(&[owner.as_ref(), spl_token_interface::ID.as_ref(), mint.as_ref()], &ATA_PROGRAM)
}

/// The Associated Token Account program's `CreateIdempotent` for `owner`'s
/// account of `mint`, paid by `payer`.
pub fn create_ata_ix(payer: &Address, owner: &Address, mint: &Address) -> Instruction {
    use solana_instruction::AccountMeta;
    Instruction {
        program_id: ATA_PROGRAM,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(ata(owner, mint), false),
            AccountMeta::new_readonly(*owner, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(Address::new_from_array([0; 32]), false),
            AccountMeta::new_readonly(spl_token_interface::ID, false),
        ],
        data: vec![1],
    }
}
