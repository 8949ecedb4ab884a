//! A real Anchor program (dispatch_settlement) running natively: Anchor's
//! dispatch and account validation, `init` through a System CPI, custom
//! errors with Anchor's logs, and `settle`, whose SPL Token
//! `transfer_checked` and `burn_checked` CPIs run in the real SBF program,
//! plus its event as a self-CPI (`emit_cpi!`).

mod common;

use anchor_lang::{InstructionData, ToAccountMetas};
use common::*;
use dispatch_settlement::{accounts, instruction, SettlementConfig};
use dispatch_svm::{add_native_program, new_svm, LiteSVM};
use solana_address::Address;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;

const PROGRAM: Address = dispatch_settlement::ID;
const TOKEN: Address = spl_token_interface::ID;
const SYSTEM: Address = solana_sdk_ids::system_program::ID;

fn svm() -> LiteSVM {
    let mut svm = new_svm();
    add_native_program(&mut svm, PROGRAM, dispatch_settlement::entry);
    svm
}

fn config() -> Address {
    Address::find_program_address(&[b"config"], &PROGRAM).0
}

fn initialize(admin: &Keypair, mint: &Address, fee_bps: u16) -> Instruction {
    Instruction {
        program_id: PROGRAM,
        accounts: accounts::Initialize { admin: admin.pubkey(), config: config(), mint: *mint, system_program: SYSTEM }
            .to_account_metas(None),
        data: instruction::Initialize { fee_bps }.data(),
    }
}

fn settle(coordinator: &Keypair, from: &Address, to: &Address, mint: &Address, job_id: &str, amount: u64) -> Instruction {
    let job_id_hash = solana_sha256_hasher::hash(job_id.as_bytes()).to_bytes();
    let settlement = Address::find_program_address(&[b"settlement", coordinator.pubkey().as_ref(), &job_id_hash], &PROGRAM).0;
    let event_authority = Address::find_program_address(&[b"__event_authority"], &PROGRAM).0;
    Instruction {
        program_id: PROGRAM,
        accounts: accounts::Settle {
            coordinator: coordinator.pubkey(),
            config: config(),
            settlement,
            coordinator_token: *from,
            worker_token: *to,
            mint: *mint,
            token_program: TOKEN,
            system_program: SYSTEM,
            event_authority,
            program: PROGRAM,
        }
        .to_account_metas(None),
        data: instruction::Settle { job_id: job_id.into(), job_id_hash, amount, receipt_hash: [7; 32] }.data(),
    }
}

#[test]
fn initialize_creates_the_config_and_rejects_a_fee_above_the_cap() {
    let mut svm = svm();
    let admin = funded(&mut svm);
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());

    let err = send(&mut svm, &admin, &[], &[initialize(&admin, &mint, 1_001)]).expect_err("fee too high");
    assert_eq!(err.err, TransactionError::InstructionError(0, InstructionError::Custom(6001)));
    assert!(err.meta.logs.iter().any(|l| l.contains("Error Code: FeeTooHigh. Error Number: 6001")), "{:#?}", err.meta.logs);
    assert!(err.meta.logs.contains(&format!("Program {PROGRAM} failed: custom program error: 0x1771")), "{:#?}", err.meta.logs);

    let meta = send(&mut svm, &admin, &[], &[initialize(&admin, &mint, 500)]).expect("initialize");
    assert!(meta.logs.contains(&"Program log: Instruction: Initialize".to_string()), "{:#?}", meta.logs);
    assert!(meta.logs.contains(&format!("Program {SYSTEM} invoke [2]")), "{:#?}", meta.logs);

    let account = svm.get_account(&config()).expect("config created");
    assert_eq!(account.owner, PROGRAM);
    let decoded: SettlementConfig = anchor_lang::AccountDeserialize::try_deserialize(&mut account.data.as_slice()).expect("decodes");
    assert_eq!((decoded.admin, decoded.mint, decoded.fee_bps), (admin.pubkey(), mint, 500));
}

#[test]
fn settle_transfers_checked_and_burns_through_the_real_spl_token() {
    let mut svm = svm();
    let admin = funded(&mut svm);
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    send(&mut svm, &admin, &[], &[initialize(&admin, &mint, 500)]).expect("initialize");
    let coordinator = funded(&mut svm);
    let from = create_token_account(&mut svm, &admin, &mint, &coordinator.pubkey());
    let to = create_token_account(&mut svm, &admin, &mint, &Address::new_unique());
    mint_to(&mut svm, &admin, &mint, &from, 5_000);

    let meta = send(&mut svm, &coordinator, &[], &[settle(&coordinator, &from, &to, &mint, "job-1", 1_000)]).expect("settle");
    assert_eq!(token_balance(&svm, &from), 4_000);
    assert_eq!(token_balance(&svm, &to), 950);
    assert_eq!(supply(&svm, &mint), 4_950, "the 5 % fee is burned");
    assert!(meta.logs.contains(&format!("Program {TOKEN} invoke [2]")), "{:#?}", meta.logs);
    assert!(meta.logs.contains(&format!("Program {PROGRAM} invoke [2]")), "the event self-CPI: {:#?}", meta.logs);
    assert_eq!(meta.logs.last(), Some(&format!("Program {PROGRAM} success")));
    // The record's create_account, transfer_checked, burn_checked and the
    // event self-CPI are the inner instructions, in that order.
    let inner = &meta.inner_instructions[0];
    assert_eq!(inner.len(), 4, "{inner:?}");
    assert!(inner.iter().all(|ix| ix.stack_height == 2));
    assert_eq!(inner[1].instruction.data[0], 12, "TransferChecked");
    assert_eq!(inner[2].instruction.data[0], 15, "BurnChecked");

    let again = send(&mut svm, &coordinator, &[], &[settle(&coordinator, &from, &to, &mint, "job-1", 1_000)]).expect_err("once per job");
    assert_eq!(again.err, TransactionError::InstructionError(0, InstructionError::Custom(6006)));
    let too_much = send(&mut svm, &coordinator, &[], &[settle(&coordinator, &from, &to, &mint, "job-2", 10_000)]).expect_err("balance");
    assert_eq!(too_much.err, TransactionError::InstructionError(0, InstructionError::Custom(6007)));
    assert_eq!(token_balance(&svm, &to), 950);
}
