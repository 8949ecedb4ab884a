//! Test helpers for programs whose tests run their real SBF build
//! (dispatch_vesting, dispatch_rewards), included by each test target with
//! `#[path = "../../sbf_test_support.rs"] mod sbf;`.
//!
//! The program is `<name>.so` in `DISPATCH_SBF_DIR`, the SBF build of every
//! program that ./dev setup makes (toolchain/sbf/build-sbf.sh), loaded into
//! the Rust `litesvm` crate beside the real SPL Token program LiteSVM
//! preloads. Events are `emit!` log lines (`Program data: <base64>`).
#![allow(dead_code)]

use std::path::PathBuf;

use anchor_lang::{AccountDeserialize, Event, InstructionData, ToAccountMetas};
use litesvm::types::{FailedTransactionMetadata, TransactionMetadata};
use litesvm::LiteSVM;
use solana_address::Address;
use solana_clock::Clock;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_transaction_error::TransactionError;

#[allow(unused_imports)]
pub use dispatch_svm::testkit::{create_mint, create_token_account, funded, mint_to, send, supply, token_balance, DECIMALS};

/// One BOLT in base units.
pub const BOLT: u64 = 1_000_000_000;

/// The path of program `name`'s SBF build: `<name>.so` in `DISPATCH_SBF_DIR`.
pub fn so_path(name: &str) -> PathBuf {
    let Ok(dir) = std::env::var("DISPATCH_SBF_DIR") else {
        panic!("DISPATCH_SBF_DIR is not set: run the tests through ./dev, whose setup builds the programs to SBF")
    };
    PathBuf::from(dir).join(format!("{name}.so"))
}

/// A new LiteSVM with program `name`'s SBF build at `program_id`.
pub fn svm_with_sbf(program_id: Address, name: &str) -> LiteSVM {
    let path = so_path(name);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read the SBF build of {name} at {} ({e}): rerun ./dev setup", path.display()));
    let mut svm = LiteSVM::new();
    svm.add_program(program_id, &bytes).expect("the SBF program loads");
    svm
}

/// An instruction of `program_id` from Anchor's generated client structs.
pub fn ix(program_id: Address, accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// Sends and expects success, printing the logs otherwise.
pub fn ok(svm: &mut LiteSVM, payer: &Keypair, signers: &[&Keypair], instructions: &[Instruction]) -> TransactionMetadata {
    match send(svm, payer, signers, instructions) {
        Ok(meta) => meta,
        Err(failed) => panic!("transaction failed: {:?}\n{}", failed.err, failed.meta.pretty_logs()),
    }
}

/// Sends and expects instruction 0 to fail with `expected`.
pub fn fails(
    svm: &mut LiteSVM,
    payer: &Keypair,
    signers: &[&Keypair],
    instructions: &[Instruction],
    expected: InstructionError,
) -> FailedTransactionMetadata {
    match send(svm, payer, signers, instructions) {
        Ok(meta) => panic!("expected {expected:?}, the transaction succeeded:\n{}", meta.pretty_logs()),
        Err(failed) => {
            assert_eq!(failed.err, TransactionError::InstructionError(0, expected.clone()), "{}", failed.meta.pretty_logs());
            failed
        }
    }
}

/// The instruction error of a program error code (6000 + n, or Anchor's 2000.. / 3000..).
pub fn custom(code: impl Into<u32>) -> InstructionError {
    InstructionError::Custom(code.into())
}

/// Reads and decodes an Anchor account (discriminator checked).
pub fn account<T: AccountDeserialize>(svm: &LiteSVM, address: &Address) -> T {
    let data = svm.get_account(address).expect("account exists").data;
    T::try_deserialize(&mut data.as_slice()).expect("decodes as the expected account")
}

/// The events of type `T` the transaction logged with `emit!`.
pub fn events<T: Event>(meta: &TransactionMetadata) -> Vec<T> {
    use anchor_lang::__private::base64::{engine::general_purpose::STANDARD, Engine};
    meta.logs
        .iter()
        .filter_map(|line| line.strip_prefix("Program data: "))
        .filter_map(|b64| STANDARD.decode(b64).ok())
        .filter_map(|data| {
            let body = data.strip_prefix(T::DISCRIMINATOR)?;
            Some(T::try_from_slice(body).expect("event decodes"))
        })
        .collect()
}

/// The single event of type `T` the transaction logged.
pub fn event<T: Event>(meta: &TransactionMetadata) -> T {
    let mut all = events::<T>(meta);
    assert_eq!(all.len(), 1, "expected exactly one event:\n{}", meta.pretty_logs());
    all.remove(0)
}

/// Sets the Clock sysvar's unix time (and moves the slot forward by one).
pub fn set_time(svm: &mut LiteSVM, unix_timestamp: i64) {
    let mut clock = svm.get_sysvar::<Clock>();
    clock.slot += 1;
    clock.unix_timestamp = unix_timestamp;
    svm.set_sysvar(&clock);
}

/// The PDA of `seeds` under `program_id`.
pub fn pda(seeds: &[&[u8]], program_id: &Address) -> Address {
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

/// The SBF build of program `name` (see [`so_path`]).
pub fn sbf_bytes(name: &str) -> Vec<u8> {
    std::fs::read(so_path(name)).expect("the SBF build exists (see svm_with_sbf)")
}
