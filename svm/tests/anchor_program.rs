//! A real Anchor program (dispatch_settlement) running natively: Anchor's
//! dispatch, account validation, `init` through a System CPI, custom errors,
//! and an SPL Token `transfer_checked` CPI into the real SBF program.

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

fn svm() -> LiteSVM {
    let mut svm = new_svm();
    add_native_program(&mut svm, PROGRAM, dispatch_settlement::entry);
    svm
}

fn initialize(authority: &Keypair, fee_bps: u16) -> Instruction {
    let (config, _) = Address::find_program_address(&[b"config"], &PROGRAM);
    Instruction {
        program_id: PROGRAM,
        accounts: accounts::Initialize {
            config,
            authority: authority.pubkey(),
            system_program: solana_sdk_ids::system_program::ID,
        }
        .to_account_metas(None),
        data: instruction::Initialize { fee_bps }.data(),
    }
}

#[test]
fn initialize_creates_the_config_and_rejects_a_fee_above_100_percent() {
    let mut svm = svm();
    let authority = funded(&mut svm);

    let err = send(&mut svm, &authority, &[], &[initialize(&authority, 10_001)]).expect_err("fee too high");
    assert_eq!(err.err, TransactionError::InstructionError(0, InstructionError::Custom(6000)));
    assert!(err.meta.logs.iter().any(|l| l.contains("Error Code: FeeTooHigh. Error Number: 6000")), "{:#?}", err.meta.logs);

    let meta = send(&mut svm, &authority, &[], &[initialize(&authority, 500)]).expect("initialize");
    assert!(meta.logs.contains(&"Program log: Instruction: Initialize".to_string()), "{:#?}", meta.logs);
    assert!(meta.logs.contains(&"Program log: settlement initialized: fee 500 bps".to_string()), "{:#?}", meta.logs);
    assert!(meta.logs.contains(&"Program 11111111111111111111111111111111 invoke [2]".to_string()), "{:#?}", meta.logs);

    let (config, bump) = Address::find_program_address(&[b"config"], &PROGRAM);
    let account = svm.get_account(&config).expect("config created");
    assert_eq!(account.owner, PROGRAM);
    let decoded: SettlementConfig = anchor_lang::AccountDeserialize::try_deserialize(&mut account.data.as_slice()).expect("decodes");
    assert_eq!((decoded.authority, decoded.fee_bps, decoded.bump), (authority.pubkey(), 500, bump));
}

#[test]
fn pay_moves_tokens_with_transfer_checked_through_the_real_spl_token() {
    let mut svm = svm();
    let payer = funded(&mut svm);
    let mint = create_mint(&mut svm, &payer, &payer.pubkey());
    let from = create_token_account(&mut svm, &payer, &mint, &payer.pubkey());
    let to = create_token_account(&mut svm, &payer, &mint, &Address::new_unique());
    mint_to(&mut svm, &payer, &mint, &from, 5_000);

    let pay = |amount: u64| Instruction {
        program_id: PROGRAM,
        accounts: accounts::Pay { mint, from, to, authority: payer.pubkey(), token_program: spl_token_interface::ID }.to_account_metas(None),
        data: instruction::Pay { amount }.data(),
    };
    let meta = send(&mut svm, &payer, &[], &[pay(1_250)]).expect("pay");
    assert_eq!(token_balance(&svm, &from), 3_750);
    assert_eq!(token_balance(&svm, &to), 1_250);
    let token = spl_token_interface::ID;
    assert!(meta.logs.contains(&format!("Program {token} invoke [2]")), "{:#?}", meta.logs);
    assert!(meta.logs.contains(&format!("Program log: paid 1250 to {to}")), "{:#?}", meta.logs);
    assert_eq!(meta.logs.last(), Some(&format!("Program {PROGRAM} success")));
    // Anchor's return value (to's new balance) as the transaction's return data.
    assert_eq!(meta.return_data.program_id, PROGRAM);
    assert_eq!(meta.return_data.data, 1_250u64.to_le_bytes());

    // More than the balance: SPL Token's InsufficientFunds (1) fails it all.
    let err = send(&mut svm, &payer, &[], &[pay(10_000)]).expect_err("insufficient");
    assert_eq!(err.err, TransactionError::InstructionError(0, InstructionError::Custom(1)));
    // Anchor's own check before any CPI: ZeroAmount is the second error.
    let err = send(&mut svm, &payer, &[], &[pay(0)]).expect_err("zero");
    assert_eq!(err.err, TransactionError::InstructionError(0, InstructionError::Custom(6001)));
    assert_eq!(token_balance(&svm, &to), 1_250);
}
