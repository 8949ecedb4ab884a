//! dispatch_settlement's SBF build on dispatch-svm, with the real SPL
//! Token program: payout and burn in one instruction with the mint supply
//! checked, rounding, exactly-once settlement, the fee cap, admin handover,
//! `emit!` events, the upgrade-authority gate on `initialize`, and every account constraint and error variant with
//! the exact error a client sees.

#[path = "../../test_support.rs"]
#[macro_use]
mod support;

use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::Space;
use dispatch_settlement::{accounts, instruction, Settlement, SettlementConfig, SettlementError as E};
use dispatch_settlement::{FeeUpdated, Settled, MAX_FEE_BPS, PROTOCOL_FEE_BPS};
use dispatch_svm::LiteSVM;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;
use support::*;

const PROGRAM: Address = dispatch_settlement::ID;
const RECEIPT: [u8; 32] = [0xab; 32];
const FUNDS: u64 = 10_000 * BOLT;

/// An initialized settlement program (fee 500 bps) and a coordinator with
/// `FUNDS` BOLT; the admin is the mint authority.
struct Env {
    svm: LiteSVM,
    admin: Keypair,
    mint: Address,
    coordinator: Keypair,
    coordinator_token: Address,
    worker: Address,
    worker_token: Address,
}

fn config_pda() -> Address {
    pda(&[b"config"], &PROGRAM)
}

fn job_hash(job_id: &str) -> [u8; 32] {
    solana_sha256_hasher::hash(job_id.as_bytes()).to_bytes()
}

fn record_pda(coordinator: &Address, job_id: &str) -> Address {
    pda(&[b"settlement", coordinator.as_ref(), &job_hash(job_id)], &PROGRAM)
}

fn initialize_ix(admin: &Address, mint: &Address, fee_bps: u16) -> Instruction {
    ix(
        PROGRAM,
        accounts::Initialize {
            admin: *admin,
            config: config_pda(),
            mint: *mint,
            system_program: SYSTEM_PROGRAM,
            program: PROGRAM,
            program_data: programdata(&PROGRAM),
        },
        instruction::Initialize { fee_bps },
    )
}

fn set_fee_ix(admin: &Address, fee_bps: u16) -> Instruction {
    ix(PROGRAM, accounts::SetFee { admin: *admin, config: config_pda() }, instruction::SetFee { fee_bps })
}

impl Env {
    fn new() -> Self {
        let mut svm = svm_with(PROGRAM);
        let admin = deployer();
        let mint = create_mint(&mut svm, &admin, &admin.pubkey());
        ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, PROTOCOL_FEE_BPS)]);
        let coordinator = funded(&mut svm);
        let coordinator_token = create_token_account(&mut svm, &admin, &mint, &coordinator.pubkey());
        mint_to(&mut svm, &admin, &mint, &coordinator_token, FUNDS);
        let worker = Address::new_unique();
        let worker_token = create_token_account(&mut svm, &admin, &mint, &worker);
        Env { svm, admin, mint, coordinator, coordinator_token, worker, worker_token }
    }

    fn config(&self) -> SettlementConfig {
        account(&self.svm, &config_pda())
    }

    fn settle_accounts(&self, job_id: &str) -> accounts::Settle {
        accounts::Settle {
            coordinator: self.coordinator.pubkey(),
            config: config_pda(),
            settlement: record_pda(&self.coordinator.pubkey(), job_id),
            coordinator_token: self.coordinator_token,
            worker_token: self.worker_token,
            mint: self.mint,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        }
    }

    fn settle_args(job_id: &str, amount: u64) -> instruction::Settle {
        instruction::Settle { job_id: job_id.to_string(), job_id_hash: job_hash(job_id), amount, receipt_hash: RECEIPT }
    }

    fn settle_ix(&self, job_id: &str, amount: u64) -> Instruction {
        ix(PROGRAM, self.settle_accounts(job_id), Self::settle_args(job_id, amount))
    }

    fn settle(&mut self, job_id: &str, amount: u64) -> litesvm::types::TransactionMetadata {
        let ix = self.settle_ix(job_id, amount);
        ok(&mut self.svm, &self.coordinator, &[], &[ix])
    }

    fn settle_fails(&mut self, ix: Instruction, expected: InstructionError) {
        fails(&mut self.svm, &self.coordinator, &[], &[ix], expected);
    }

    /// Nothing moved: balances, supply and totals as `Env::new` left them.
    fn assert_untouched(&self) {
        assert_eq!(token_balance(&self.svm, &self.coordinator_token), FUNDS);
        assert_eq!(token_balance(&self.svm, &self.worker_token), 0);
        assert_eq!(supply(&self.svm, &self.mint), FUNDS);
        let config = self.config();
        assert_eq!((config.total_settled, config.total_burned), (0, 0));
    }
}

#[test]
fn initialize_takes_the_fee_up_to_the_cap() {
    let mut svm = svm_with(PROGRAM);
    let admin = deployer();
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    // Only the program's upgrade authority initialises, with the program's own ProgramData.
    let stranger = funded(&mut svm);
    fails(&mut svm, &stranger, &[], &[initialize_ix(&stranger.pubkey(), &mint, 500)], custom(Anchor::ConstraintRaw));
    let foreign = foreign_programdata(&mut svm, &stranger.pubkey());
    let accounts = accounts::Initialize {
        admin: stranger.pubkey(),
        config: config_pda(),
        mint,
        system_program: SYSTEM_PROGRAM,
        program: PROGRAM,
        program_data: foreign,
    };
    fails(&mut svm, &stranger, &[], &[ix(PROGRAM, accounts, instruction::Initialize { fee_bps: 500 })], custom(Anchor::ConstraintRaw));
    fails(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, MAX_FEE_BPS + 1)], custom(E::FeeTooHigh));
    fails(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &admin.pubkey(), 500)], custom(Anchor::AccountOwnedByWrongProgram));
    let mint_2022 = create_mint_2022(&mut svm, &admin, &admin.pubkey());
    fails(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint_2022, 500)], custom(Anchor::AccountOwnedByWrongProgram));
    // A config that is not the config PDA, even with its key signing.
    let not_the_config = Keypair::new();
    let mut elsewhere = initialize_ix(&admin.pubkey(), &mint, 500);
    elsewhere.accounts[1] = solana_instruction::AccountMeta::new(not_the_config.pubkey(), true);
    fails(&mut svm, &admin, &[&not_the_config], &[elsewhere], custom(Anchor::ConstraintSeeds));
    ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, MAX_FEE_BPS)]);
    let config: SettlementConfig = account(&svm, &config_pda());
    assert_eq!((config.admin, config.pending_admin, config.mint, config.fee_bps), (admin.pubkey(), None, mint, MAX_FEE_BPS));
    assert_eq!((config.total_settled, config.total_burned), (0, 0));
    assert_eq!(config.bump, Address::find_program_address(&[b"config"], &PROGRAM).1);
    // Once only.
    fails(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, 0)], custom(0u32));
}

#[test]
fn settle_pays_the_worker_and_burns_the_fee_in_one_instruction() {
    let mut env = Env::new();
    let amount = 1_000 * BOLT;
    set_time(&mut env.svm, 1_750_000_000);
    let meta = env.settle("job-1", amount);

    let fee = 50 * BOLT; // 500 bps
    assert_eq!(token_balance(&env.svm, &env.worker_token), amount - fee);
    assert_eq!(token_balance(&env.svm, &env.coordinator_token), FUNDS - amount);
    assert_eq!(supply(&env.svm, &env.mint), FUNDS - fee, "the supply drops by exactly the fee");
    let config = env.config();
    assert_eq!((config.total_settled, config.total_burned), (u128::from(amount), u128::from(fee)));

    let record: Settlement = account(&env.svm, &record_pda(&env.coordinator.pubkey(), "job-1"));
    let clock = dispatch_svm::clock(&env.svm);
    assert_eq!((record.coordinator, record.worker, record.job_id.as_str()), (env.coordinator.pubkey(), env.worker, "job-1"));
    assert_eq!((record.amount, record.fee, record.receipt_hash), (amount, fee, RECEIPT));
    assert_eq!((record.slot, record.settled_at), (clock.slot, 1_750_000_000));
    assert_eq!(
        record.bump,
        Address::find_program_address(&[b"settlement", env.coordinator.pubkey().as_ref(), &job_hash("job-1")], &PROGRAM).1
    );

    let e: Settled = event(&meta);
    assert_eq!((e.coordinator, e.worker, e.job_id.as_str(), e.amount, e.fee), (env.coordinator.pubkey(), env.worker, "job-1", amount, fee));
    assert_eq!((e.receipt_hash, e.slot), (RECEIPT, clock.slot));

    // One transaction instruction; inside it SPL Token's TransferChecked (12)
    // of amount - fee and BurnChecked (15) of fee, both with 9 decimals.
    assert_eq!(meta.inner_instructions.len(), 1);
    let token_calls: Vec<&[u8]> = meta.inner_instructions[0]
        .iter()
        .map(|i| i.instruction.data.as_slice())
        .filter(|d| matches!(d.first(), Some(12 | 15)) && d.len() == 10)
        .collect();
    let mut transfer = vec![12u8];
    transfer.extend((amount - fee).to_le_bytes());
    transfer.push(DECIMALS);
    let mut burn = vec![15u8];
    burn.extend(fee.to_le_bytes());
    burn.push(DECIMALS);
    assert_eq!(token_calls, vec![transfer.as_slice(), burn.as_slice()], "{}", meta.pretty_logs());
}

#[test]
fn the_fee_rounds_down_and_tiny_amounts_burn_nothing() {
    let mut env = Env::new();
    // (amount, fee) at 500 bps: amount * 500 / 10 000, rounded down.
    let cases = [(1, 0), (19, 0), (20, 1), (39, 1), (40, 2), (1_000_000_001, 50_000_000)];
    let (mut settled, mut burned) = (0, 0);
    for (i, (amount, fee)) in cases.into_iter().enumerate() {
        let job = format!("tiny-{i}");
        let meta = env.settle(&job, amount);
        let e: Settled = event(&meta);
        assert_eq!((e.amount, e.fee), (amount, fee), "amount {amount}");
        settled += amount;
        burned += fee;
        assert_eq!(token_balance(&env.svm, &env.worker_token), settled - burned);
        assert_eq!(supply(&env.svm, &env.mint), FUNDS - burned);
        // No burn CPI at all when the fee rounds to zero.
        let burns = meta
            .inner_instructions
            .iter()
            .flatten()
            .filter(|i| i.instruction.data.first() == Some(&15) && i.instruction.data.len() == 10)
            .count();
        assert_eq!(burns, usize::from(fee > 0));
    }
    let config = env.config();
    assert_eq!((config.total_settled, config.total_burned), (u128::from(settled), u128::from(burned)));
}

#[test]
fn a_job_settles_once_per_coordinator() {
    let mut env = Env::new();
    env.settle("job-7", 100 * BOLT);
    env.settle_fails(env.settle_ix("job-7", 100 * BOLT), custom(E::AlreadySettled));
    // Also within one transaction: the second instruction fails, the first is undone.
    let (a, b) = (env.settle_ix("job-8", BOLT), env.settle_ix("job-8", BOLT));
    let err = send(&mut env.svm, &env.coordinator, &[], &[a, b]).expect_err("double settlement");
    assert_eq!(err.err, TransactionError::InstructionError(1, custom(E::AlreadySettled)));
    assert!(env.svm.get_account(&record_pda(&env.coordinator.pubkey(), "job-8")).is_none_or(|a| a.lamports == 0));
    assert_eq!(token_balance(&env.svm, &env.worker_token), 95 * BOLT);

    // Another coordinator has its own record for the same job id.
    let other = funded(&mut env.svm);
    let other_token = create_token_account(&mut env.svm, &env.admin, &env.mint, &other.pubkey());
    mint_to(&mut env.svm, &env.admin, &env.mint, &other_token, BOLT);
    let accounts = accounts::Settle {
        coordinator: other.pubkey(),
        coordinator_token: other_token,
        settlement: record_pda(&other.pubkey(), "job-7"),
        ..env.settle_accounts("job-7")
    };
    ok(&mut env.svm, &other, &[], &[ix(PROGRAM, accounts, Env::settle_args("job-7", BOLT))]);
}

#[test]
fn settle_checks_the_job_id_and_its_hash() {
    let mut env = Env::new();
    env.settle_fails(env.settle_ix("", BOLT), custom(E::EmptyJobId));
    let long = "x".repeat(65);
    env.settle_fails(env.settle_ix(&long, BOLT), custom(E::JobIdTooLong));
    // 65 bytes in 33 characters: the limit is in bytes.
    let wide = format!("{}x", "é".repeat(32));
    env.settle_fails(env.settle_ix(&wide, BOLT), custom(E::JobIdTooLong));
    // A hash of another id, at the record address of that hash.
    let args = instruction::Settle { job_id_hash: job_hash("job-b"), ..Env::settle_args("job-a", BOLT) };
    env.settle_fails(ix(PROGRAM, env.settle_accounts("job-b"), args), custom(E::JobIdHashMismatch));
    // The right hash, but the record of another job: Anchor's seeds check.
    env.settle_fails(ix(PROGRAM, env.settle_accounts("job-b"), Env::settle_args("job-a", BOLT)), custom(Anchor::ConstraintSeeds));
    env.settle_fails(env.settle_ix("job-z", 0), custom(E::ZeroAmount));
    env.assert_untouched();

    // Exactly 64 bytes is fine, multi-byte characters too.
    let full = "é".repeat(32);
    env.settle(&full, BOLT);
    let record: Settlement = account(&env.svm, &record_pda(&env.coordinator.pubkey(), &full));
    assert_eq!(record.job_id, full);
}

#[test]
fn settle_checks_the_balance_before_any_transfer() {
    let mut env = Env::new();
    let ix = env.settle_ix("big", FUNDS + 1);
    let failed = fails(&mut env.svm, &env.coordinator, &[], &[ix], custom(E::InsufficientBalance));
    assert!(!failed.meta.logs.iter().any(|l| l.contains(&TOKEN_PROGRAM.to_string())), "no CPI was made:\n{}", failed.meta.pretty_logs());
    env.assert_untouched();
    env.settle("all", FUNDS);
    assert_eq!(token_balance(&env.svm, &env.coordinator_token), 0);
}

#[test]
fn settle_rejects_wrong_mints_foreign_accounts_and_wrong_programs() {
    let mut env = Env::new();
    let other_mint = create_mint(&mut env.svm, &env.admin, &env.admin.pubkey());
    let job = "job-x";
    let with = |accounts: accounts::Settle| ix(PROGRAM, accounts, Env::settle_args(job, BOLT));

    let other_coordinator_token = create_token_account(&mut env.svm, &env.admin, &other_mint, &env.coordinator.pubkey());
    mint_to(&mut env.svm, &env.admin, &other_mint, &other_coordinator_token, FUNDS);
    let other_worker_token = create_token_account(&mut env.svm, &env.admin, &other_mint, &env.worker);
    env.settle_fails(
        with(accounts::Settle { coordinator_token: other_coordinator_token, ..env.settle_accounts(job) }),
        custom(E::WrongMint),
    );
    env.settle_fails(with(accounts::Settle { worker_token: other_worker_token, ..env.settle_accounts(job) }), custom(E::WrongMint));
    env.settle_fails(with(accounts::Settle { mint: other_mint, ..env.settle_accounts(job) }), custom(E::WrongMint));
    // All three of the other mint: the config's mint still rules.
    let all_other = accounts::Settle {
        coordinator_token: other_coordinator_token,
        worker_token: other_worker_token,
        mint: other_mint,
        ..env.settle_accounts(job)
    };
    env.settle_fails(with(all_other), custom(E::WrongMint));

    // Someone else's BOLT as the source.
    let victim_token = create_token_account(&mut env.svm, &env.admin, &env.mint, &Address::new_unique());
    mint_to(&mut env.svm, &env.admin, &env.mint, &victim_token, FUNDS);
    env.settle_fails(with(accounts::Settle { coordinator_token: victim_token, ..env.settle_accounts(job) }), custom(E::WrongTokenOwner));

    // A config lookalike, Token-2022.
    let fake_config = Address::new_unique();
    clone_account(&mut env.svm, &config_pda(), &fake_config);
    env.settle_fails(with(accounts::Settle { config: fake_config, ..env.settle_accounts(job) }), custom(Anchor::ConstraintSeeds));
    env.settle_fails(
        with(accounts::Settle { token_program: TOKEN_2022_PROGRAM, ..env.settle_accounts(job) }),
        custom(Anchor::InvalidProgramId),
    );

    // The coordinator must sign (paid by someone else here).
    let mut unsigned = env.settle_ix(job, BOLT);
    unsigned.accounts[0].is_signer = false;
    let payer = funded(&mut env.svm);
    fails(&mut env.svm, &payer, &[], &[unsigned], custom(Anchor::AccountNotSigner));
    // A signer that is not the token account's owner.
    let impostor = funded(&mut env.svm);
    let accounts =
        accounts::Settle { coordinator: impostor.pubkey(), settlement: record_pda(&impostor.pubkey(), job), ..env.settle_accounts(job) };
    fails(&mut env.svm, &impostor, &[], &[with(accounts)], custom(E::WrongTokenOwner));

    assert_eq!(token_balance(&env.svm, &env.coordinator_token), FUNDS);
    assert_eq!(token_balance(&env.svm, &env.worker_token), 0);
    assert_eq!(token_balance(&env.svm, &victim_token), FUNDS);
    assert_eq!(supply(&env.svm, &env.mint), 2 * FUNDS);
    assert_eq!(env.config().total_settled, 0);
}

#[test]
fn set_fee_is_admin_only_and_capped() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let stranger = funded(&mut env.svm);
    fails(&mut env.svm, &stranger, &[], &[set_fee_ix(&stranger.pubkey(), 100)], custom(E::Unauthorized));
    fails(&mut env.svm, &admin, &[], &[set_fee_ix(&admin.pubkey(), MAX_FEE_BPS + 1)], custom(E::FeeTooHigh));
    fails(&mut env.svm, &admin, &[], &[set_fee_ix(&admin.pubkey(), u16::MAX)], custom(E::FeeTooHigh));
    assert_eq!(env.config().fee_bps, PROTOCOL_FEE_BPS);

    let meta = ok(&mut env.svm, &admin, &[], &[set_fee_ix(&admin.pubkey(), MAX_FEE_BPS)]);
    assert_eq!(event::<FeeUpdated>(&meta).fee_bps, MAX_FEE_BPS);
    let e: Settled = event(&env.settle("at-cap", 1_000));
    assert_eq!(e.fee, 100);

    ok(&mut env.svm, &admin, &[], &[set_fee_ix(&admin.pubkey(), 0)]);
    let e: Settled = event(&env.settle("free", 1_000));
    assert_eq!(e.fee, 0);
    assert_eq!(supply(&env.svm, &env.mint), FUNDS - 100);
}

#[test]
fn lifetime_totals_never_make_settle_fail() {
    let mut env = Env::new();
    // Past u64::MAX (the same tokens settled 18x the supply over the
    // years): the u128 totals keep counting exactly.
    let mut config = env.config();
    config.total_settled = u128::from(u64::MAX);
    config.total_burned = u128::from(u64::MAX);
    write_account(&mut env.svm, &config_pda(), &config);
    env.settle("past-u64", 1_000);
    let config = env.config();
    assert_eq!((config.total_settled, config.total_burned), (u128::from(u64::MAX) + 1_000, u128::from(u64::MAX) + 50));
    // At the very end of u128 they saturate; the settlement still happens.
    let mut config = env.config();
    config.total_settled = u128::MAX - 1;
    config.total_burned = u128::MAX;
    write_account(&mut env.svm, &config_pda(), &config);
    env.settle("saturated", 1_000);
    let config = env.config();
    assert_eq!((config.total_settled, config.total_burned), (u128::MAX, u128::MAX));
    assert_eq!(token_balance(&env.svm, &env.worker_token), 2 * 950);
}

#[test]
fn settle_pays_only_into_a_real_spl_token_account_of_someone_else() {
    let mut env = Env::new();
    let job = "job-w";
    let with = |accounts: accounts::Settle| ix(PROGRAM, accounts, Env::settle_args(job, BOLT));
    // The worker's wallet (a system account) as its token account.
    env.settle_fails(
        with(accounts::Settle { worker_token: env.worker, ..env.settle_accounts(job) }),
        custom(Anchor::AccountNotInitialized),
    );
    let wallet = funded(&mut env.svm).pubkey();
    env.settle_fails(
        with(accounts::Settle { worker_token: wallet, ..env.settle_accounts(job) }),
        custom(Anchor::AccountOwnedByWrongProgram),
    );
    // The same bytes as the worker's token account, owned by Token-2022.
    let foreign = Address::new_unique();
    let mut copy = env.svm.get_account(&env.worker_token).expect("worker token");
    copy.owner = TOKEN_2022_PROGRAM;
    env.svm.set_account(foreign, copy).expect("set account");
    env.settle_fails(
        with(accounts::Settle { worker_token: foreign, ..env.settle_accounts(job) }),
        custom(Anchor::AccountOwnedByWrongProgram),
    );
    // The coordinator's own token account as the worker's: Anchor refuses
    // the same writable account twice.
    let own = accounts::Settle { worker_token: env.coordinator_token, ..env.settle_accounts(job) };
    env.settle_fails(with(own), custom(Anchor::ConstraintDuplicateMutableAccount));
    env.assert_untouched();
    // A lookalike config on settle (and on set_fee, propose/accept_admin in
    // the handover test).
    let instruction = env.settle_ix(job, BOLT);
    let lookalike = with_lookalike_config(&mut env.svm, instruction);
    env.settle_fails(lookalike, custom(Anchor::ConstraintSeeds));
    env.settle(job, BOLT);
}

#[test]
fn a_prefunded_record_address_does_not_block_a_settlement() {
    let mut env = Env::new();
    let rent = env.svm.minimum_balance_for_rent_exemption(8 + Settlement::INIT_SPACE);
    let griefer = funded(&mut env.svm);
    for (job, gift) in [("prefunded-1", smallest_gift(&env.svm)), ("prefunded-2", rent + 1_000_000)] {
        let address = record_pda(&env.coordinator.pubkey(), job);
        prefund(&mut env.svm, &griefer, &address, gift);
        env.settle(job, 100 * BOLT);
        let created = env.svm.get_account(&address).expect("record");
        assert_eq!((created.owner, created.lamports), (PROGRAM, gift.max(rent)));
        let record: Settlement = account(&env.svm, &address);
        assert_eq!((record.coordinator, record.job_id.as_str(), record.amount), (env.coordinator.pubkey(), job, 100 * BOLT));
        // Still once only.
        env.settle_fails(env.settle_ix(job, 100 * BOLT), custom(E::AlreadySettled));
    }
    assert_eq!(token_balance(&env.svm, &env.worker_token), 2 * 95 * BOLT);
}

#[test]
fn a_prefunded_config_address_does_not_block_initialisation() {
    let mut svm = svm_with(PROGRAM);
    let admin = deployer();
    let griefer = funded(&mut svm);
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    let gift = smallest_gift(&svm);
    prefund(&mut svm, &griefer, &config_pda(), gift);
    ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, PROTOCOL_FEE_BPS)]);
    let config: SettlementConfig = account(&svm, &config_pda());
    assert_eq!((config.admin, config.mint, config.fee_bps), (admin.pubkey(), mint, PROTOCOL_FEE_BPS));
}

#[test]
fn the_admin_hands_over_only_by_propose_and_accept() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    check_admin_handover_of!(dispatch_settlement, SettlementConfig, SettlementError, &mut env.svm, &admin, &|admin| set_fee_ix(admin, 250));
    assert_eq!(env.config().fee_bps, 250);
}
