//! Test helpers for programs whose tests run their real SBF build
//! (dispatch_vesting, dispatch_rewards), included by each test target with
//! `#[path = "../../sbf_test_support.rs"] mod sbf;`.
//!
//! The program is the `.so` that `/work/shared/sbf/build-sbf.sh` (the
//! upstream-nightly SBF recipe) writes to
//! `$CARGO_TARGET_DIR/sbf-solana-upstream/release/lib<name>.so`, loaded into
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

/// The path of program `name`'s SBF build: `$<NAME>_SO` (e.g.
/// `DISPATCH_VESTING_SO`) when set, else
/// `$CARGO_TARGET_DIR/sbf-solana-upstream/release/lib<name>.so` (the
/// workspace's `target/` without CARGO_TARGET_DIR).
pub fn so_path(name: &str) -> PathBuf {
    if let Ok(path) = std::env::var(format!("{}_SO", name.to_uppercase())) {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("sbf-solana-upstream/release").join(format!("lib{name}.so"))
}

/// A new LiteSVM with program `name`'s SBF build at `program_id`.
pub fn svm_with_sbf(program_id: Address, name: &str) -> LiteSVM {
    let path = so_path(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the SBF build of {name} at {} ({e}): build it first with \
             `SBF_EXTRA_RUSTFLAGS=\"-C link-arg=--llvm-args=-inline-threshold=100000\" \
             /work/shared/sbf/build-sbf.sh . -p {name}` (same CARGO_TARGET_DIR), or set {}_SO",
            path.display(),
            name.to_uppercase()
        )
    });
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
pub fn fails(svm: &mut LiteSVM, payer: &Keypair, signers: &[&Keypair], instructions: &[Instruction], expected: InstructionError) -> FailedTransactionMetadata {
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

/// Stores at a positive offset from the frame pointer r10 in the `.text` of
/// an SBF ELF: how upstream LLVM passes call arguments beyond the fifth.
/// On SBPF v0 (stack frames separated by gaps) such a store faults, so a
/// program build must have none.
pub fn stack_argument_stores(elf: &[u8]) -> usize {
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    assert_eq!(&elf[..4], b"\x7fELF", "an ELF file");
    let (shoff, shentsize, shnum, shstrndx) = (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
    let section = |i: usize| shoff + i * shentsize;
    let names = u64_at(section(shstrndx) + 24);
    let text = (0..shnum)
        .map(section)
        .find(|&h| elf[names + u32_at(h)..].starts_with(b".text\0"))
        .expect("a .text section");
    let (offset, size) = (u64_at(text + 24), u64_at(text + 32));
    let code = &elf[offset..offset + size];
    let mut count = 0;
    let mut i = 0;
    while i + 8 <= code.len() {
        let (opcode, dst) = (code[i], code[i + 1] & 0x0f);
        let off = i16::from_le_bytes([code[i + 2], code[i + 3]]);
        // st / stx of 1, 2, 4, 8 bytes
        if matches!(opcode, 0x62 | 0x6a | 0x72 | 0x7a | 0x63 | 0x6b | 0x73 | 0x7b) && dst == 10 && off > 0 {
            count += 1;
        }
        // lddw takes two slots
        i += if opcode == 0x18 { 16 } else { 8 };
    }
    count
}
