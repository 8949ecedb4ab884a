//! SPL Token setup for tests on the SVM: a funded payer, mints and token
//! accounts made by the real SPL Token SBF program, balances read back.
//! Shared by dispatch-svm's own tests, the programs' tests and the node's.

use litesvm::types::TransactionResult;
use litesvm::LiteSVM;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_pack::Pack;
use solana_signer::Signer;
use solana_transaction::Transaction;
use spl_token_interface::instruction as token_ix;
use spl_token_interface::state::{Account as TokenAccount, Mint};

/// Decimals of the mints [`create_mint`] makes (BOLT's).
pub const DECIMALS: u8 = 9;
/// Lamports [`funded`] gives: 10 SOL.
pub const FUNDED_LAMPORTS: u64 = 10_000_000_000;

/// Sends `instructions` paid by `payer` and signed by `signers`, then
/// expires the blockhash so an identical transaction may follow.
#[allow(clippy::result_large_err)] // LiteSVM's own result type
pub fn send(svm: &mut LiteSVM, payer: &Keypair, signers: &[&Keypair], instructions: &[Instruction]) -> TransactionResult {
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend(signers.iter().copied().filter(|s| s.pubkey() != payer.pubkey()));
    let tx = Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &all, svm.latest_blockhash());
    let result = svm.send_transaction(tx);
    svm.expire_blockhash();
    result
}

/// Sends and panics with the logs unless it succeeds.
fn must_send(svm: &mut LiteSVM, payer: &Keypair, signers: &[&Keypair], instructions: &[Instruction], what: &str) {
    if let Err(failed) = send(svm, payer, signers, instructions) {
        panic!("{what} failed: {:?}\n{:#?}", failed.err, failed.meta.logs);
    }
}

/// A new keypair with [`FUNDED_LAMPORTS`].
pub fn funded(svm: &mut LiteSVM) -> Keypair {
    let keypair = Keypair::new();
    if let Err(failed) = svm.airdrop(&keypair.pubkey(), FUNDED_LAMPORTS) {
        panic!("airdrop failed: {:?}", failed.err);
    }
    keypair
}

/// Creates an SPL Token mint of [`DECIMALS`] with `authority` as mint
/// authority, paid by `payer`.
pub fn create_mint(svm: &mut LiteSVM, payer: &Keypair, authority: &Address) -> Address {
    let mint = Keypair::new();
    let rent = svm.minimum_balance_for_rent_exemption(Mint::LEN);
    let ixs = [
        solana_system_interface::instruction::create_account(
            &payer.pubkey(),
            &mint.pubkey(),
            rent,
            Mint::LEN as u64,
            &spl_token_interface::ID,
        ),
        token_ix::initialize_mint2(&spl_token_interface::ID, &mint.pubkey(), authority, None, DECIMALS).expect("initialize_mint2"),
    ];
    must_send(svm, payer, &[&mint], &ixs, "create mint");
    mint.pubkey()
}

/// Creates a token account of `mint` owned by `owner` (any address, PDAs
/// too), paid by `payer`.
pub fn create_token_account(svm: &mut LiteSVM, payer: &Keypair, mint: &Address, owner: &Address) -> Address {
    let account = Keypair::new();
    let rent = svm.minimum_balance_for_rent_exemption(TokenAccount::LEN);
    let ixs = [
        solana_system_interface::instruction::create_account(
            &payer.pubkey(),
            &account.pubkey(),
            rent,
            TokenAccount::LEN as u64,
            &spl_token_interface::ID,
        ),
        token_ix::initialize_account3(&spl_token_interface::ID, &account.pubkey(), mint, owner).expect("initialize_account3"),
    ];
    must_send(svm, payer, &[&account], &ixs, "create token account");
    account.pubkey()
}

/// Mints `amount` to `account`; `authority` is the mint authority and pays.
pub fn mint_to(svm: &mut LiteSVM, authority: &Keypair, mint: &Address, account: &Address, amount: u64) {
    let ix = token_ix::mint_to(&spl_token_interface::ID, mint, account, &authority.pubkey(), &[], amount).expect("mint_to");
    must_send(svm, authority, &[], &[ix], "mint_to");
}

/// The token balance of `account`.
pub fn token_balance(svm: &LiteSVM, account: &Address) -> u64 {
    let data = svm.get_account(account).expect("token account exists").data;
    TokenAccount::unpack(&data).expect("a token account").amount
}

/// The supply of `mint`.
pub fn supply(svm: &LiteSVM, mint: &Address) -> u64 {
    let data = svm.get_account(mint).expect("mint exists").data;
    Mint::unpack(&data).expect("a mint").supply
}

/// The data of every `Program data: <base64>` log line (what `emit!` and
/// `sol_log_data` write), in order.
pub fn program_data(logs: &[String]) -> Vec<Vec<u8>> {
    use base64::Engine;
    logs.iter()
        .filter_map(|line| line.strip_prefix("Program data: "))
        .map(|fields| {
            // sol_log_data logs each slice as its own base64 field; emit! logs one.
            fields
                .split(' ')
                .flat_map(|field| base64::engine::general_purpose::STANDARD.decode(field).expect("Program data is base64"))
                .collect()
        })
        .collect()
}
