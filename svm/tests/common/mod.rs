//! Shared helpers for the svm tests: SPL Token setup with the real SBF
//! program that LiteSVM preloads.
#![allow(dead_code)]

use dispatch_svm::LiteSVM;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use solana_transaction::Transaction;
use spl_token_interface::instruction as token_ix;
use spl_token_interface::state::{Account as TokenAccount, Mint};

pub const DECIMALS: u8 = 9;

/// Sends `instructions` paid by `payer` and signed by `signers`.
#[allow(clippy::result_large_err)] // LiteSVM's own result type
pub fn send(svm: &mut LiteSVM, payer: &Keypair, signers: &[&Keypair], instructions: &[Instruction]) -> litesvm::types::TransactionResult {
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend(signers.iter().copied().filter(|s| s.pubkey() != payer.pubkey()));
    let tx = Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &all, svm.latest_blockhash());
    let result = svm.send_transaction(tx);
    svm.expire_blockhash();
    result
}

/// A funded fee payer.
pub fn funded(svm: &mut LiteSVM) -> Keypair {
    let payer = Keypair::new();
    svm.airdrop(&payer.pubkey(), 10_000_000_000).expect("airdrop");
    payer
}

/// Creates a mint with `authority` as mint authority.
pub fn create_mint(svm: &mut LiteSVM, payer: &Keypair, authority: &Address) -> Address {
    let mint = Keypair::new();
    let rent = svm.minimum_balance_for_rent_exemption(Mint::LEN);
    let ixs = [
        solana_system_interface::instruction::create_account(&payer.pubkey(), &mint.pubkey(), rent, Mint::LEN as u64, &spl_token_interface::id()),
        token_ix::initialize_mint2(&spl_token_interface::id(), &mint.pubkey(), authority, None, DECIMALS).expect("mint ix"),
    ];
    send(svm, payer, &[&mint], &ixs).expect("create mint");
    mint.pubkey()
}

/// Creates a token account of `mint` owned by `owner` (any address, PDAs too).
pub fn create_token_account(svm: &mut LiteSVM, payer: &Keypair, mint: &Address, owner: &Address) -> Address {
    let account = Keypair::new();
    let rent = svm.minimum_balance_for_rent_exemption(TokenAccount::LEN);
    let ixs = [
        solana_system_interface::instruction::create_account(&payer.pubkey(), &account.pubkey(), rent, TokenAccount::LEN as u64, &spl_token_interface::id()),
        token_ix::initialize_account3(&spl_token_interface::id(), &account.pubkey(), mint, owner).expect("account ix"),
    ];
    send(svm, payer, &[&account], &ixs).expect("create token account");
    account.pubkey()
}

/// Mints `amount` to `account`; `payer` is the mint authority.
pub fn mint_to(svm: &mut LiteSVM, payer: &Keypair, mint: &Address, account: &Address, amount: u64) {
    let ix = token_ix::mint_to(&spl_token_interface::id(), mint, account, &payer.pubkey(), &[], amount).expect("mint_to ix");
    send(svm, payer, &[], &[ix]).expect("mint_to");
}

/// The token balance of `account`.
pub fn token_balance(svm: &LiteSVM, account: &Address) -> u64 {
    let data = svm.get_account(account).expect("token account exists").data;
    TokenAccount::unpack(&data).expect("token account").amount
}

/// The supply of `mint`.
pub fn supply(svm: &LiteSVM, mint: &Address) -> u64 {
    let data = svm.get_account(mint).expect("mint exists").data;
    Mint::unpack(&data).expect("mint").supply
}
