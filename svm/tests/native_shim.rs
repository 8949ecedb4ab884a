//! The native shim against the real SPL Token program: a tiny test-only
//! native program (below) CPIs into SPL Token and the System program, into
//! another native program, reads sysvars, logs and sets return data.

mod common;

use common::*;
use dispatch_svm::{add_native_program, new_svm, warp_clock, LiteSVM};
use solana_account_info::AccountInfo;
use solana_address::Address;
use solana_instruction::{AccountMeta, Instruction};
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_program_error::{ProgramError, ProgramResult};
use solana_signer::Signer;
use solana_sysvar::Sysvar;
use solana_transaction_error::TransactionError;

const PROGRAM: Address = Address::new_from_array([7; 32]);
const CALLEE: Address = Address::new_from_array([8; 32]);
const TOKEN: Address = spl_token_interface::ID;

const OP_TRANSFER: u8 = 0;
const OP_BURN_WITH_PDA: u8 = 1;
const OP_SYSVARS: u8 = 2;
const OP_CREATE_PDA: u8 = 3;
const OP_PANIC: u8 = 4;
const OP_CALL_NATIVE: u8 = 5;
const OP_WRITE_FOREIGN: u8 = 6;

/// The test program. Registered at PROGRAM and, as a plain callee, at CALLEE.
fn entry(program_id: &Address, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    if *program_id == CALLEE {
        // Callee: stores data[0] in the account and returns it doubled.
        accounts[0].try_borrow_mut_data()?[0] = data[0];
        solana_cpi::set_return_data(&[data[0].wrapping_mul(2)]);
        solana_msg::msg!("callee stored {}", data[0]);
        return Ok(());
    }
    let (&op, rest) = data.split_first().ok_or(ProgramError::InvalidInstructionData)?;
    let amount = rest.get(..8).map(|b| u64::from_le_bytes(b.try_into().unwrap())).unwrap_or(0);
    match op {
        OP_TRANSFER => {
            let [source, dest, authority, _token] = accounts else { return Err(ProgramError::NotEnoughAccountKeys) };
            let ix = spl_token_interface::instruction::transfer(&TOKEN, source.key, dest.key, authority.key, &[], amount)?;
            solana_invoke::invoke(&ix, accounts)
        }
        OP_BURN_WITH_PDA => {
            let [vault, mint, vault_authority, _token] = accounts else { return Err(ProgramError::NotEnoughAccountKeys) };
            let bump = rest[8];
            let ix = spl_token_interface::instruction::burn(&TOKEN, vault.key, mint.key, vault_authority.key, &[], amount)?;
            solana_invoke::invoke_signed(&ix, accounts, &[&[b"vault", &[bump]]])
        }
        OP_SYSVARS => {
            let clock = solana_clock::Clock::get()?;
            let rent = solana_rent::Rent::get()?;
            solana_msg::msg!("clock {} {}", clock.slot, clock.unix_timestamp);
            solana_sysvar::program_stubs::sol_log_data(&[b"hello", b"world"]);
            solana_sysvar::program_stubs::sol_set_return_data(&clock.slot.to_le_bytes());
            let mut record = accounts[0].try_borrow_mut_data()?;
            record[..8].copy_from_slice(&clock.slot.to_le_bytes());
            record[8..16].copy_from_slice(&clock.unix_timestamp.to_le_bytes());
            record[16..24].copy_from_slice(&rent.minimum_balance(100).to_le_bytes());
            Ok(())
        }
        OP_CREATE_PDA => {
            let [payer, record, _system] = accounts else { return Err(ProgramError::NotEnoughAccountKeys) };
            let bump = rest[0];
            let lamports = solana_rent::Rent::get()?.minimum_balance(24);
            let ix = solana_system_interface::instruction::create_account(payer.key, record.key, lamports, 24, program_id);
            solana_invoke::invoke_signed(&ix, accounts, &[&[b"record", &[bump]]])?;
            record.try_borrow_mut_data()?.copy_from_slice(&[0xAB; 24]);
            Ok(())
        }
        OP_PANIC => panic!("deliberate"),
        OP_CALL_NATIVE => {
            let ix = Instruction::new_with_bytes(CALLEE, &[21], vec![AccountMeta::new(*accounts[0].key, false)]);
            // solana-cpi's own invoke (the workspace's drop-in), not solana-invoke.
            solana_cpi::invoke(&ix, accounts)?;
            let (from, returned) = solana_cpi::get_return_data().ok_or(ProgramError::InvalidAccountData)?;
            solana_msg::msg!("callee {} returned {:?}", from, returned);
            Ok(())
        }
        OP_WRITE_FOREIGN => {
            accounts[0].try_borrow_mut_data()?[0] = 1;
            Ok(())
        }
        _ => Err(ProgramError::InvalidInstructionData),
    }
}

fn svm() -> LiteSVM {
    let mut svm = new_svm();
    add_native_program(&mut svm, PROGRAM, entry);
    add_native_program(&mut svm, CALLEE, entry);
    svm
}

fn op(op: u8, amount: u64, extra: &[u8]) -> Vec<u8> {
    let mut data = vec![op];
    data.extend_from_slice(&amount.to_le_bytes());
    data.extend_from_slice(extra);
    data
}

/// A program-owned account of `len` zero bytes.
fn program_account(svm: &mut LiteSVM, len: usize) -> Address {
    let address = Address::new_unique();
    let lamports = svm.minimum_balance_for_rent_exemption(len);
    svm.set_account(address, solana_account::Account { lamports, data: vec![0; len], owner: PROGRAM, executable: false, rent_epoch: 0 }).unwrap();
    address
}

fn has_log(logs: &[String], wanted: &str) -> bool {
    logs.iter().any(|line| line == wanted)
}

#[test]
fn transfer_cpi_moves_tokens_and_logs_like_the_runtime() {
    let mut svm = svm();
    let payer = funded(&mut svm);
    let mint = create_mint(&mut svm, &payer, &payer.pubkey());
    let source = create_token_account(&mut svm, &payer, &mint, &payer.pubkey());
    let dest = create_token_account(&mut svm, &payer, &mint, &Address::new_unique());
    mint_to(&mut svm, &payer, &mint, &source, 1_000);

    let ix = Instruction::new_with_bytes(PROGRAM, &op(OP_TRANSFER, 400, &[]), vec![
        AccountMeta::new(source, false),
        AccountMeta::new(dest, false),
        AccountMeta::new_readonly(payer.pubkey(), true),
        AccountMeta::new_readonly(TOKEN, false),
    ]);
    let meta = send(&mut svm, &payer, &[], &[ix]).expect("transfer succeeds");

    assert_eq!(token_balance(&svm, &source), 600);
    assert_eq!(token_balance(&svm, &dest), 400);
    let logs = &meta.logs;
    assert_eq!(logs.first().unwrap(), &format!("Program {PROGRAM} invoke [1]"));
    assert!(has_log(logs, &format!("Program {TOKEN} invoke [2]")), "{logs:#?}");
    assert!(logs.iter().any(|l| l.starts_with(&format!("Program {TOKEN} consumed "))), "{logs:#?}");
    assert!(logs.iter().any(|l| l.starts_with(&format!("Program {PROGRAM} consumed "))), "{logs:#?}");
    assert!(has_log(logs, &format!("Program {TOKEN} success")), "{logs:#?}");
    assert_eq!(logs.last().unwrap(), &format!("Program {PROGRAM} success"));
    // The SPL Token program is metered; the native part adds its fixed charge.
    assert!(meta.compute_units_consumed > dispatch_svm::NATIVE_INSTRUCTION_COMPUTE_UNITS, "{}", meta.compute_units_consumed);
}

#[test]
fn burn_signed_by_a_pda_reduces_supply() {
    let mut svm = svm();
    let payer = funded(&mut svm);
    let mint = create_mint(&mut svm, &payer, &payer.pubkey());
    let (vault_authority, bump) = Address::find_program_address(&[b"vault"], &PROGRAM);
    let vault = create_token_account(&mut svm, &payer, &mint, &vault_authority);
    mint_to(&mut svm, &payer, &mint, &vault, 500);

    let burn = |amount: u64, bump: u8| {
        Instruction::new_with_bytes(PROGRAM, &op(OP_BURN_WITH_PDA, amount, &[bump]), vec![
            AccountMeta::new(vault, false),
            AccountMeta::new(mint, false),
            AccountMeta::new_readonly(vault_authority, false),
            AccountMeta::new_readonly(TOKEN, false),
        ])
    };
    send(&mut svm, &payer, &[], &[burn(25, bump)]).expect("PDA-signed burn succeeds");
    assert_eq!(token_balance(&svm, &vault), 475);
    assert_eq!(supply(&svm, &mint), 475);

    // Seeds of another valid PDA sign for that address, not the vault's
    // authority: the runtime refuses the signature.
    let other_bump = (0..bump).rev().find(|b| Address::create_program_address(&[b"vault", &[*b]], &PROGRAM).is_ok()).expect("another bump");
    let err = send(&mut svm, &payer, &[], &[burn(25, other_bump)]).expect_err("wrong seeds");
    assert_eq!(err.err, TransactionError::InstructionError(0, InstructionError::PrivilegeEscalation));
    assert!(has_log(&err.meta.logs, &format!("{vault_authority}'s signer privilege escalated")), "{:#?}", err.meta.logs);
    assert_eq!(supply(&svm, &mint), 475);
}

#[test]
fn failing_cpi_fails_the_transaction_with_the_callee_error() {
    let mut svm = svm();
    let payer = funded(&mut svm);
    let mint = create_mint(&mut svm, &payer, &payer.pubkey());
    let source = create_token_account(&mut svm, &payer, &mint, &payer.pubkey());
    let dest = create_token_account(&mut svm, &payer, &mint, &payer.pubkey());
    mint_to(&mut svm, &payer, &mint, &source, 10);

    let ix = Instruction::new_with_bytes(PROGRAM, &op(OP_TRANSFER, 11, &[]), vec![
        AccountMeta::new(source, false),
        AccountMeta::new(dest, false),
        AccountMeta::new_readonly(payer.pubkey(), true),
        AccountMeta::new_readonly(TOKEN, false),
    ]);
    let err = send(&mut svm, &payer, &[], &[ix]).expect_err("insufficient funds");
    // spl_token::error::TokenError::InsufficientFunds = 1
    assert_eq!(err.err, TransactionError::InstructionError(0, InstructionError::Custom(1)));
    let logs = &err.meta.logs;
    assert!(has_log(logs, &format!("Program {TOKEN} failed: custom program error: 0x1")), "{logs:#?}");
    assert_eq!(logs.last().unwrap(), &format!("Program {PROGRAM} failed: custom program error: 0x1"));
    assert_eq!(token_balance(&svm, &source), 10);
    assert_eq!(token_balance(&svm, &dest), 0);
}

#[test]
fn sysvars_logs_data_and_return_data_reach_the_transaction() {
    let mut svm = svm();
    let payer = funded(&mut svm);
    warp_clock(&mut svm, 1234, 1_700_000_000);
    let record = program_account(&mut svm, 24);

    let ix = Instruction::new_with_bytes(PROGRAM, &[OP_SYSVARS], vec![AccountMeta::new(record, false)]);
    let meta = send(&mut svm, &payer, &[], &[ix]).expect("sysvars");

    let data = svm.get_account(&record).unwrap().data;
    assert_eq!(u64::from_le_bytes(data[..8].try_into().unwrap()), 1234);
    assert_eq!(i64::from_le_bytes(data[8..16].try_into().unwrap()), 1_700_000_000);
    assert_eq!(u64::from_le_bytes(data[16..24].try_into().unwrap()), svm.minimum_balance_for_rent_exemption(100));
    assert!(has_log(&meta.logs, "Program log: clock 1234 1700000000"), "{:#?}", meta.logs);
    assert!(has_log(&meta.logs, "Program data: aGVsbG8= d29ybGQ="), "{:#?}", meta.logs);
    assert_eq!(meta.return_data.program_id, PROGRAM);
    assert_eq!(meta.return_data.data, 1234u64.to_le_bytes());
}

#[test]
fn system_create_account_signed_by_a_pda_then_written() {
    let mut svm = svm();
    let payer = funded(&mut svm);
    let (record, bump) = Address::find_program_address(&[b"record"], &PROGRAM);
    let ix = Instruction::new_with_bytes(PROGRAM, &op(OP_CREATE_PDA, 0, &[])[..1].iter().chain(&[bump]).copied().collect::<Vec<_>>(), vec![
        AccountMeta::new(payer.pubkey(), true),
        AccountMeta::new(record, false),
        AccountMeta::new_readonly(solana_sdk_ids::system_program::ID, false),
    ]);
    send(&mut svm, &payer, &[], &[ix]).expect("create PDA account");
    let account = svm.get_account(&record).expect("created");
    assert_eq!(account.owner, PROGRAM);
    assert_eq!(account.data, vec![0xAB; 24]);
    assert_eq!(account.lamports, svm.minimum_balance_for_rent_exemption(24));
}

#[test]
fn native_program_calls_native_program_and_reads_its_return_data() {
    let mut svm = svm();
    let payer = funded(&mut svm);
    let slot = Address::new_unique();
    svm.set_account(slot, solana_account::Account { lamports: 1_000_000, data: vec![0; 1], owner: CALLEE, executable: false, rent_epoch: 0 }).unwrap();
    let ix = Instruction::new_with_bytes(PROGRAM, &[OP_CALL_NATIVE], vec![
        AccountMeta::new(slot, false),
        AccountMeta::new_readonly(CALLEE, false),
    ]);
    let meta = send(&mut svm, &payer, &[], &[ix]).expect("native to native");
    assert_eq!(svm.get_account(&slot).unwrap().data, vec![21]);
    assert!(has_log(&meta.logs, &format!("Program {CALLEE} invoke [2]")), "{:#?}", meta.logs);
    assert!(has_log(&meta.logs, "Program log: callee stored 21"), "{:#?}", meta.logs);
    assert!(has_log(&meta.logs, &format!("Program return: {CALLEE} Kg==")), "{:#?}", meta.logs);
    assert!(has_log(&meta.logs, &format!("Program log: callee {CALLEE} returned [42]")), "{:#?}", meta.logs);
}

#[test]
fn runtime_checks_apply_to_native_writes_and_panics_fail_cleanly() {
    let mut svm = svm();
    let payer = funded(&mut svm);
    let foreign = Address::new_unique();
    svm.set_account(foreign, solana_account::Account { lamports: 1_000_000, data: vec![0; 4], owner: solana_sdk_ids::system_program::ID, executable: false, rent_epoch: 0 }).unwrap();
    let write = Instruction::new_with_bytes(PROGRAM, &[OP_WRITE_FOREIGN], vec![AccountMeta::new(foreign, false)]);
    let err = send(&mut svm, &payer, &[], &[write]).expect_err("not the owner");
    assert_eq!(err.err, TransactionError::InstructionError(0, InstructionError::ExternalAccountDataModified));
    assert_eq!(svm.get_account(&foreign).unwrap().data, vec![0; 4]);

    let panic = Instruction::new_with_bytes(PROGRAM, &[OP_PANIC], vec![]);
    let err = send(&mut svm, &payer, &[], &[panic]).expect_err("panics");
    assert_eq!(err.err, TransactionError::InstructionError(0, InstructionError::ProgramFailedToComplete));
    assert!(err.meta.logs.iter().any(|l| l.contains("deliberate")), "{:#?}", err.meta.logs);

    let _unused = Keypair::new();
}
