//! dispatch_staking's SBF build on dispatch-svm, with the real SPL Token
//! program: tiers at their boundaries, the unstake cooldown against the
//! Clock sysvar, admin handover, `emit!` events, the upgrade-authority gate
//! on `initialize`, and every account constraint and error variant with the
//! exact error a client sees.

#[path = "../../test_support.rs"]
#[macro_use]
mod support;

use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::Space;
use dispatch_staking::{accounts, instruction, StakeAccount, StakingConfig, StakingError as E, MAX_COOLDOWN_SECONDS};
use dispatch_staking::{ConfigUpdated, Staked, UnstakeCancelled, UnstakeRequested, Withdrawn};
use dispatch_svm::LiteSVM;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;
use support::*;

const PROGRAM: Address = dispatch_staking::ID;
const VERIFIED: u64 = 100 * BOLT;
const SENTINEL: u64 = 1_000 * BOLT;
const COOLDOWN: i64 = 7 * 24 * 3600;
const START: i64 = 1_750_000_000;
/// The mint's supply when the program is initialised (the admin holds it).
const SUPPLY: u64 = 1_000_000 * BOLT;

/// An initialized staking program: the admin also is the mint authority.
struct Env {
    svm: LiteSVM,
    admin: Keypair,
    mint: Address,
    config: Address,
    vault: Address,
}

/// A worker with a funded token account of the staking mint.
struct Worker {
    key: Keypair,
    token: Address,
}

fn initialize_ix(admin: &Address, mint: &Address, verified: u64, sentinel: u64, cooldown: i64) -> Instruction {
    ix(
        PROGRAM,
        accounts::Initialize {
            admin: *admin,
            config: pda(&[b"config"], &PROGRAM),
            mint: *mint,
            vault: pda(&[b"vault"], &PROGRAM),
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
            program: PROGRAM,
            program_data: programdata(&PROGRAM),
        },
        instruction::Initialize { verified_threshold: verified, sentinel_threshold: sentinel, cooldown_seconds: cooldown },
    )
}

impl Env {
    fn new() -> Self {
        Self::with(VERIFIED, SENTINEL, COOLDOWN)
    }

    fn with(verified: u64, sentinel: u64, cooldown: i64) -> Self {
        let mut svm = svm_with(PROGRAM);
        set_time(&mut svm, START);
        let admin = deployer();
        let mint = mint_with_supply(&mut svm, &admin, SUPPLY);
        ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, verified, sentinel, cooldown)]);
        Env { svm, admin, mint, config: pda(&[b"config"], &PROGRAM), vault: pda(&[b"vault"], &PROGRAM) }
    }

    fn config(&self) -> StakingConfig {
        account(&self.svm, &self.config)
    }

    fn stake_of(&self, worker: &Worker) -> StakeAccount {
        account(&self.svm, &stake_pda(&worker.key.pubkey()))
    }

    /// A funded worker holding `bolt` base units of the staking mint.
    fn worker(&mut self, balance: u64) -> Worker {
        let key = funded(&mut self.svm);
        let token = create_token_account(&mut self.svm, &self.admin, &self.mint, &key.pubkey());
        if balance > 0 {
            mint_to(&mut self.svm, &self.admin, &self.mint, &token, balance);
        }
        Worker { key, token }
    }

    fn stake_accounts(&self, worker: &Worker) -> accounts::Stake {
        accounts::Stake {
            worker: worker.key.pubkey(),
            config: self.config,
            stake_account: stake_pda(&worker.key.pubkey()),
            worker_token: worker.token,
            vault: self.vault,
            mint: self.mint,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        }
    }

    fn withdraw_accounts(&self, worker: &Worker) -> accounts::Withdraw {
        accounts::Withdraw {
            worker: worker.key.pubkey(),
            config: self.config,
            stake_account: stake_pda(&worker.key.pubkey()),
            worker_token: worker.token,
            vault: self.vault,
            mint: self.mint,
            token_program: TOKEN_PROGRAM,
        }
    }

    fn unstake_accounts(&self, worker: &Keypair) -> accounts::RequestUnstake {
        accounts::RequestUnstake { worker: worker.pubkey(), config: self.config, stake_account: stake_pda(&worker.pubkey()) }
    }

    fn stake_ix(&self, worker: &Worker, amount: u64) -> Instruction {
        ix(PROGRAM, self.stake_accounts(worker), instruction::Stake { amount })
    }

    fn request_unstake_ix(&self, worker: &Worker, amount: u64) -> Instruction {
        ix(PROGRAM, self.unstake_accounts(&worker.key), instruction::RequestUnstake { amount })
    }

    fn cancel_unstake_ix(&self, worker: &Worker) -> Instruction {
        let a = self.unstake_accounts(&worker.key);
        let accounts = accounts::CancelUnstake { worker: a.worker, config: a.config, stake_account: a.stake_account };
        ix(PROGRAM, accounts, instruction::CancelUnstake {})
    }

    fn withdraw_ix(&self, worker: &Worker) -> Instruction {
        ix(PROGRAM, self.withdraw_accounts(worker), instruction::Withdraw {})
    }

    /// Sends `ix` signed by the worker (who pays).
    fn by(&mut self, worker: &Worker, ix: Instruction) -> litesvm::types::TransactionMetadata {
        ok(&mut self.svm, &worker.key, &[], &[ix])
    }

    fn fails_by(&mut self, worker: &Worker, ix: Instruction, expected: InstructionError) {
        fails(&mut self.svm, &worker.key, &[], &[ix], expected);
    }
}

/// A mint of which `admin` is the authority and holds `supply`.
fn mint_with_supply(svm: &mut LiteSVM, admin: &Keypair, supply: u64) -> Address {
    let mint = create_mint(svm, admin, &admin.pubkey());
    if supply > 0 {
        let holder = create_token_account(svm, admin, &mint, &admin.pubkey());
        mint_to(svm, admin, &mint, &holder, supply);
    }
    mint
}

fn update_config_ix(admin: &Address, mint: &Address, verified: u64, sentinel: u64, cooldown: i64) -> Instruction {
    ix(
        PROGRAM,
        accounts::UpdateConfig { admin: *admin, config: pda(&[b"config"], &PROGRAM), mint: *mint },
        instruction::UpdateConfig { verified_threshold: verified, sentinel_threshold: sentinel, cooldown_seconds: cooldown },
    )
}

fn stake_pda(worker: &Address) -> Address {
    pda(&[b"stake", worker.as_ref()], &PROGRAM)
}

#[test]
fn initialize_creates_the_config_and_a_vault_that_is_its_own_authority() {
    let env = Env::new();
    let config = env.config();
    assert_eq!(config.admin, env.admin.pubkey());
    assert_eq!(config.pending_admin, None);
    assert_eq!((config.mint, config.vault), (env.mint, env.vault));
    assert_eq!((config.verified_threshold, config.sentinel_threshold, config.cooldown_seconds), (VERIFIED, SENTINEL, COOLDOWN));
    assert_eq!((config.total_active, config.total_pending), (0, 0));
    assert_eq!(config.bump, Address::find_program_address(&[b"config"], &PROGRAM).1);
    assert_eq!(config.vault_bump, Address::find_program_address(&[b"vault"], &PROGRAM).1);

    let vault = env.svm.get_account(&env.vault).expect("vault");
    assert_eq!(vault.owner, TOKEN_PROGRAM);
    let vault: spl_token_interface::state::Account = solana_program_pack::Pack::unpack(&vault.data).expect("token account");
    assert_eq!((vault.mint, vault.owner, vault.amount), (env.mint, env.vault, 0));
}

#[test]
fn initialize_checks_its_parameters_and_runs_once() {
    let mut svm = svm_with(PROGRAM);
    let admin = deployer();
    let mint = mint_with_supply(&mut svm, &admin, SUPPLY);
    let init = |verified, sentinel, cooldown| initialize_ix(&admin.pubkey(), &mint, verified, sentinel, cooldown);

    // Only the program's upgrade authority initialises, with the program's own ProgramData.
    let stranger = funded(&mut svm);
    fails(
        &mut svm,
        &stranger,
        &[],
        &[initialize_ix(&stranger.pubkey(), &mint, VERIFIED, SENTINEL, COOLDOWN)],
        custom(Anchor::ConstraintRaw),
    );
    let mut foreign = initialize_ix(&stranger.pubkey(), &mint, VERIFIED, SENTINEL, COOLDOWN);
    let foreign_data = foreign_programdata(&mut svm, &stranger.pubkey());
    foreign.accounts.iter_mut().find(|m| m.pubkey == programdata(&PROGRAM)).expect("program_data").pubkey = foreign_data;
    fails(&mut svm, &stranger, &[], &[foreign], custom(Anchor::ConstraintRaw));

    fails(&mut svm, &admin, &[], &[init(0, SENTINEL, COOLDOWN)], custom(E::InvalidThresholds));
    fails(&mut svm, &admin, &[], &[init(SENTINEL + 1, SENTINEL, COOLDOWN)], custom(E::InvalidThresholds));
    fails(&mut svm, &admin, &[], &[init(VERIFIED, SENTINEL, -1)], custom(E::InvalidCooldown));
    // At most 90 days of cooldown (i64::MAX would lock every stake forever).
    fails(&mut svm, &admin, &[], &[init(VERIFIED, SENTINEL, MAX_COOLDOWN_SECONDS + 1)], custom(E::CooldownTooLong));
    fails(&mut svm, &admin, &[], &[init(VERIFIED, SENTINEL, i64::MAX)], custom(E::CooldownTooLong));
    assert_eq!(MAX_COOLDOWN_SECONDS, 90 * 24 * 3600);
    // A SENTINEL threshold no worker could reach: above the mint's supply.
    fails(&mut svm, &admin, &[], &[init(VERIFIED, SUPPLY + 1, COOLDOWN)], custom(E::ThresholdAboveSupply));
    fails(&mut svm, &admin, &[], &[init(u64::MAX, u64::MAX, COOLDOWN)], custom(E::ThresholdAboveSupply));
    let empty_mint = create_mint(&mut svm, &admin, &admin.pubkey());
    let on_empty_mint = initialize_ix(&admin.pubkey(), &empty_mint, 1, 1, COOLDOWN);
    fails(&mut svm, &admin, &[], &[on_empty_mint], custom(E::ThresholdAboveSupply));

    // A vault that is not the vault PDA: an address the admin holds the key of.
    let not_the_vault = Keypair::new();
    let mut wrong_vault = init(VERIFIED, SENTINEL, COOLDOWN);
    wrong_vault.accounts[3].pubkey = not_the_vault.pubkey();
    wrong_vault.accounts[3].is_signer = true;
    fails(&mut svm, &admin, &[&not_the_vault], &[wrong_vault], custom(Anchor::ConstraintSeeds));
    // A Token-2022 mint (with supply): Account<Mint> wants SPL Token's.
    let mint_2022 = create_mint_2022(&mut svm, &admin, &admin.pubkey());
    let on_2022 = initialize_ix(&admin.pubkey(), &mint_2022, VERIFIED, SENTINEL, COOLDOWN);
    fails(&mut svm, &admin, &[], &[on_2022], custom(Anchor::AccountOwnedByWrongProgram));
    // A config that is not the config PDA.
    let not_the_config = Keypair::new();
    let mut wrong_config = init(VERIFIED, SENTINEL, COOLDOWN);
    wrong_config.accounts[1].pubkey = not_the_config.pubkey();
    wrong_config.accounts[1].is_signer = true;
    fails(&mut svm, &admin, &[&not_the_config], &[wrong_config], custom(Anchor::ConstraintSeeds));
    // A mint that is not an SPL Token mint (here: a system account).
    let not_a_mint = ix(
        PROGRAM,
        accounts::Initialize {
            admin: admin.pubkey(),
            config: pda(&[b"config"], &PROGRAM),
            mint: admin.pubkey(),
            vault: pda(&[b"vault"], &PROGRAM),
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
            program: PROGRAM,
            program_data: programdata(&PROGRAM),
        },
        instruction::Initialize { verified_threshold: VERIFIED, sentinel_threshold: SENTINEL, cooldown_seconds: COOLDOWN },
    );
    fails(&mut svm, &admin, &[], &[not_a_mint], custom(Anchor::AccountOwnedByWrongProgram));

    // Equal thresholds and a zero cooldown are allowed, and so are the bounds.
    ok(&mut svm, &admin, &[], &[init(VERIFIED, VERIFIED, 0)]);
    let env = Env::with(SUPPLY, SUPPLY, MAX_COOLDOWN_SECONDS);
    let config = env.config();
    assert_eq!((config.verified_threshold, config.sentinel_threshold, config.cooldown_seconds), (SUPPLY, SUPPLY, MAX_COOLDOWN_SECONDS));
    // The config exists: a second initialize fails in the System program
    // (AccountAlreadyInUse), even from the upgrade authority.
    let again = initialize_ix(&admin.pubkey(), &mint, VERIFIED, SENTINEL, COOLDOWN);
    fails(&mut svm, &admin, &[], &[again], custom(0u32));
    assert_eq!(account::<StakingConfig>(&svm, &pda(&[b"config"], &PROGRAM)).admin, admin.pubkey());
}

#[test]
fn stake_reaches_each_tier_exactly_at_its_threshold() {
    let mut env = Env::new();
    let worker = env.worker(2_000 * BOLT);
    // (amount staked now, active after, tier after)
    let steps = [
        (VERIFIED - 1, VERIFIED - 1, 0u8),          // 99.999999999 BOLT: OPEN
        (1, VERIFIED, 1),                           // 100 BOLT: VERIFIED
        (SENTINEL - VERIFIED - 1, SENTINEL - 1, 1), // 999.999999999 BOLT: VERIFIED
        (1, SENTINEL, 2),                           // 1,000 BOLT: SENTINEL
    ];
    for (amount, active, tier) in steps {
        let meta = env.by(&worker, env.stake_ix(&worker, amount));
        let event: Staked = event(&meta);
        assert_eq!((event.worker, event.amount, event.active, event.tier), (worker.key.pubkey(), amount, active, tier));
        let stake = env.stake_of(&worker);
        assert_eq!((stake.worker, stake.active, stake.pending, stake.unlock_at), (worker.key.pubkey(), active, 0, 0));
        assert_eq!(stake.bump, Address::find_program_address(&[b"stake", worker.key.pubkey().as_ref()], &PROGRAM).1);
        assert_eq!(token_balance(&env.svm, &env.vault), active);
        assert_eq!(token_balance(&env.svm, &worker.token), 2_000 * BOLT - active);
        assert_eq!(env.config().total_active, active);
    }
    // The transfer went through the real SPL Token program, as transfer_checked.
    let meta = env.by(&worker, env.stake_ix(&worker, 1));
    assert!(meta.logs.iter().any(|l| l == &format!("Program {TOKEN_PROGRAM} invoke [2]")), "{}", meta.pretty_logs());
    // SPL Token instruction 12 is TransferChecked: amount, then decimals.
    let transfer = &meta.inner_instructions[0][0].instruction.data;
    assert_eq!((transfer[0], &transfer[1..9], transfer[9]), (12, &1u64.to_le_bytes()[..], DECIMALS), "{}", meta.pretty_logs());
}

#[test]
fn stakes_of_several_workers_add_up_in_the_config() {
    let mut env = Env::new();
    let a = env.worker(500 * BOLT);
    let b = env.worker(500 * BOLT);
    env.by(&a, env.stake_ix(&a, 300 * BOLT));
    env.by(&b, env.stake_ix(&b, 200 * BOLT));
    env.by(&a, env.request_unstake_ix(&a, 50 * BOLT));
    let config = env.config();
    assert_eq!((config.total_active, config.total_pending), (450 * BOLT, 50 * BOLT));
    assert_eq!(token_balance(&env.svm, &env.vault), 500 * BOLT);
    assert_eq!(env.stake_of(&b).active, 200 * BOLT);
}

#[test]
fn stake_rejects_zero_wrong_mints_foreign_token_accounts_and_a_wrong_vault() {
    let mut env = Env::new();
    let worker = env.worker(10 * BOLT);
    env.fails_by(&worker, env.stake_ix(&worker, 0), custom(E::ZeroAmount));

    // A token account of another mint.
    let other_mint = create_mint(&mut env.svm, &env.admin, &env.admin.pubkey());
    let other_token = create_token_account(&mut env.svm, &env.admin, &other_mint, &worker.key.pubkey());
    mint_to(&mut env.svm, &env.admin, &other_mint, &other_token, 10 * BOLT);
    let accounts = accounts::Stake { worker_token: other_token, ..env.stake_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Stake { amount: BOLT }), custom(E::WrongMint));
    // The other mint passed as the mint, with a matching token account.
    let accounts = accounts::Stake { worker_token: other_token, mint: other_mint, ..env.stake_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Stake { amount: BOLT }), custom(E::WrongMint));
    let accounts = accounts::Stake { mint: other_mint, ..env.stake_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Stake { amount: BOLT }), custom(E::WrongMint));

    // Someone else's BOLT: the worker is not the token account's owner.
    let victim = env.worker(10 * BOLT);
    let accounts = accounts::Stake { worker_token: victim.token, ..env.stake_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Stake { amount: BOLT }), custom(E::WrongTokenOwner));

    // A vault that is not the vault PDA (a token account of the right mint).
    let fake_vault = create_token_account(&mut env.svm, &env.admin, &env.mint, &env.admin.pubkey());
    let accounts = accounts::Stake { vault: fake_vault, ..env.stake_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Stake { amount: BOLT }), custom(Anchor::ConstraintSeeds));

    // Another worker's stake account.
    let accounts = accounts::Stake { stake_account: stake_pda(&victim.key.pubkey()), ..env.stake_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Stake { amount: BOLT }), custom(Anchor::ConstraintSeeds));

    // A config lookalike (same owner and data) at another address.
    let fake_config = Address::new_unique();
    clone_account(&mut env.svm, &env.config, &fake_config);
    let accounts = accounts::Stake { config: fake_config, ..env.stake_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Stake { amount: BOLT }), custom(Anchor::ConstraintSeeds));

    // Token-2022 in place of SPL Token.
    let accounts = accounts::Stake { token_program: TOKEN_2022_PROGRAM, ..env.stake_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Stake { amount: BOLT }), custom(Anchor::InvalidProgramId));

    // More than the balance: SPL Token's InsufficientFunds (1) undoes it all.
    env.fails_by(&worker, env.stake_ix(&worker, 10 * BOLT + 1), custom(1u32));
    assert!(env.svm.get_account(&stake_pda(&worker.key.pubkey())).is_none_or(|a| a.lamports == 0));

    // The worker must sign: the same accounts, unsigned, paid by another key.
    let mut unsigned = env.stake_ix(&worker, BOLT);
    unsigned.accounts[0].is_signer = false;
    let payer = funded(&mut env.svm);
    fails(&mut env.svm, &payer, &[], &[unsigned], custom(Anchor::AccountNotSigner));
    assert_eq!(token_balance(&env.svm, &worker.token), 10 * BOLT);
    assert_eq!(token_balance(&env.svm, &env.vault), 0);
}

#[test]
fn request_unstake_drops_the_tier_at_once_and_starts_the_cooldown() {
    let mut env = Env::new();
    let worker = env.worker(SENTINEL);
    env.by(&worker, env.stake_ix(&worker, SENTINEL));
    env.fails_by(&worker, env.request_unstake_ix(&worker, 0), custom(E::ZeroAmount));
    env.fails_by(&worker, env.request_unstake_ix(&worker, SENTINEL + 1), custom(E::InsufficientStake));

    let meta = env.by(&worker, env.request_unstake_ix(&worker, 1));
    let e: UnstakeRequested = event(&meta);
    assert_eq!(
        (e.worker, e.amount, e.active, e.pending, e.unlock_at, e.tier),
        (worker.key.pubkey(), 1, SENTINEL - 1, 1, START + COOLDOWN, 1)
    );
    let stake = env.stake_of(&worker);
    assert_eq!((stake.active, stake.pending, stake.unlock_at), (SENTINEL - 1, 1, START + COOLDOWN));

    // A second request adds to pending and restarts the cooldown for all of it.
    set_time(&mut env.svm, START + 100);
    let meta = env.by(&worker, env.request_unstake_ix(&worker, SENTINEL - VERIFIED));
    let e: UnstakeRequested = event(&meta);
    assert_eq!((e.active, e.pending, e.unlock_at, e.tier), (VERIFIED - 1, SENTINEL - VERIFIED + 1, START + 100 + COOLDOWN, 0));
    let config = env.config();
    assert_eq!((config.total_active, config.total_pending), (VERIFIED - 1, SENTINEL - VERIFIED + 1));
    // Unstaking moves nothing out of the vault.
    assert_eq!(token_balance(&env.svm, &env.vault), SENTINEL);

    // Only the worker's own stake account, signed by the worker.
    let thief = env.worker(0);
    let accounts = accounts::RequestUnstake { stake_account: stake_pda(&worker.key.pubkey()), ..env.unstake_accounts(&thief.key) };
    env.fails_by(&thief, ix(PROGRAM, accounts, instruction::RequestUnstake { amount: 1 }), custom(Anchor::ConstraintSeeds));
    // No stake account yet.
    env.fails_by(&thief, env.request_unstake_ix(&thief, 1), custom(Anchor::AccountNotInitialized));
}

#[test]
fn withdraw_pays_out_only_once_the_cooldown_has_elapsed() {
    let mut env = Env::new();
    let worker = env.worker(300 * BOLT);
    env.by(&worker, env.stake_ix(&worker, 300 * BOLT));
    env.fails_by(&worker, env.withdraw_ix(&worker), custom(E::NothingPending));
    env.by(&worker, env.request_unstake_ix(&worker, 120 * BOLT));
    let unlock_at = START + COOLDOWN;

    env.fails_by(&worker, env.withdraw_ix(&worker), custom(E::CooldownNotElapsed));
    set_time(&mut env.svm, unlock_at - 1);
    env.fails_by(&worker, env.withdraw_ix(&worker), custom(E::CooldownNotElapsed));
    assert_eq!(token_balance(&env.svm, &worker.token), 0);

    set_time(&mut env.svm, unlock_at);
    let meta = env.by(&worker, env.withdraw_ix(&worker));
    let e: Withdrawn = event(&meta);
    assert_eq!((e.worker, e.amount), (worker.key.pubkey(), 120 * BOLT));
    assert_eq!(token_balance(&env.svm, &worker.token), 120 * BOLT);
    assert_eq!(token_balance(&env.svm, &env.vault), 180 * BOLT);
    let stake = env.stake_of(&worker);
    assert_eq!((stake.active, stake.pending, stake.unlock_at), (180 * BOLT, 0, 0));
    let config = env.config();
    assert_eq!((config.total_active, config.total_pending), (180 * BOLT, 0));
    // Nothing left to withdraw.
    env.fails_by(&worker, env.withdraw_ix(&worker), custom(E::NothingPending));
}

#[test]
fn withdraw_pays_only_into_the_workers_own_account_of_the_mint() {
    let mut env = Env::new();
    let worker = env.worker(10 * BOLT);
    env.by(&worker, env.stake_ix(&worker, 10 * BOLT));
    env.by(&worker, env.request_unstake_ix(&worker, 10 * BOLT));
    set_time(&mut env.svm, START + COOLDOWN);

    let other_mint = create_mint(&mut env.svm, &env.admin, &env.admin.pubkey());
    let other_token = create_token_account(&mut env.svm, &env.admin, &other_mint, &worker.key.pubkey());
    let accounts = accounts::Withdraw { worker_token: other_token, ..env.withdraw_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Withdraw {}), custom(E::WrongMint));
    let accounts = accounts::Withdraw { mint: other_mint, ..env.withdraw_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Withdraw {}), custom(E::WrongMint));
    let stranger = create_token_account(&mut env.svm, &env.admin, &env.mint, &Address::new_unique());
    let accounts = accounts::Withdraw { worker_token: stranger, ..env.withdraw_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Withdraw {}), custom(E::WrongTokenOwner));
    let fake_vault = create_token_account(&mut env.svm, &env.admin, &env.mint, &env.admin.pubkey());
    mint_to(&mut env.svm, &env.admin, &env.mint, &fake_vault, 10 * BOLT);
    let accounts = accounts::Withdraw { vault: fake_vault, ..env.withdraw_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Withdraw {}), custom(Anchor::ConstraintSeeds));
    // Another worker cannot withdraw this worker's pending stake.
    let thief = env.worker(0);
    let accounts = accounts::Withdraw { stake_account: stake_pda(&worker.key.pubkey()), ..env.withdraw_accounts(&thief) };
    env.fails_by(&thief, ix(PROGRAM, accounts, instruction::Withdraw {}), custom(Anchor::ConstraintSeeds));

    env.by(&worker, env.withdraw_ix(&worker));
    assert_eq!(token_balance(&env.svm, &worker.token), 10 * BOLT);
    assert_eq!(token_balance(&env.svm, &env.vault), 0);
}

#[test]
fn cancel_unstake_restores_the_tier() {
    let mut env = Env::new();
    let worker = env.worker(VERIFIED);
    env.by(&worker, env.stake_ix(&worker, VERIFIED));
    env.fails_by(&worker, env.cancel_unstake_ix(&worker), custom(E::NothingPending));
    env.by(&worker, env.request_unstake_ix(&worker, 40 * BOLT));
    env.by(&worker, env.request_unstake_ix(&worker, 2 * BOLT));

    let meta = env.by(&worker, env.cancel_unstake_ix(&worker));
    let e: UnstakeCancelled = event(&meta);
    assert_eq!((e.worker, e.amount, e.active, e.tier), (worker.key.pubkey(), 42 * BOLT, VERIFIED, 1));
    let stake = env.stake_of(&worker);
    assert_eq!((stake.active, stake.pending, stake.unlock_at), (VERIFIED, 0, 0));
    let config = env.config();
    assert_eq!((config.total_active, config.total_pending), (VERIFIED, 0));
    env.fails_by(&worker, env.cancel_unstake_ix(&worker), custom(E::NothingPending));
    // After a cancel there is nothing to withdraw, even past the old unlock time.
    set_time(&mut env.svm, START + COOLDOWN);
    env.fails_by(&worker, env.withdraw_ix(&worker), custom(E::NothingPending));
}

#[test]
fn a_cooldown_past_the_end_of_time_is_an_overflow_not_a_wrap() {
    // The longest cooldown allowed, from a clock near the end of i64 time.
    let mut env = Env::with(VERIFIED, SENTINEL, MAX_COOLDOWN_SECONDS);
    let worker = env.worker(BOLT);
    env.by(&worker, env.stake_ix(&worker, BOLT));
    set_time(&mut env.svm, i64::MAX - MAX_COOLDOWN_SECONDS + 1);
    env.fails_by(&worker, env.request_unstake_ix(&worker, BOLT), custom(E::MathOverflow));
    // An active stake at u64::MAX (not reachable through a mint's supply)
    // cannot grow further.
    let pda = stake_pda(&worker.key.pubkey());
    let mut stake: StakeAccount = account(&env.svm, &pda);
    stake.active = u64::MAX;
    write_account(&mut env.svm, &pda, &stake);
    env.fails_by(&worker, env.stake_ix(&worker, 1), custom(E::MathOverflow));
}

#[test]
fn update_config_is_admin_only_and_retiers_everyone() {
    let mut env = Env::new();
    let mint = env.mint;
    let worker = env.worker(VERIFIED);
    env.by(&worker, env.stake_ix(&worker, VERIFIED));
    let stranger = funded(&mut env.svm);
    let ix = update_config_ix(&stranger.pubkey(), &mint, 1, 2, 3);
    fails(&mut env.svm, &stranger, &[], &[ix], custom(E::Unauthorized));
    let admin = env.admin.insecure_clone();
    let total = supply(&env.svm, &mint);
    let cases = [
        (0, 1, 0, E::InvalidThresholds),
        (2, 1, 0, E::InvalidThresholds),
        (1, 1, -5, E::InvalidCooldown),
        (1, 1, MAX_COOLDOWN_SECONDS + 1, E::CooldownTooLong),
        (1, 1, i64::MAX, E::CooldownTooLong),
        (1, total + 1, 0, E::ThresholdAboveSupply),
    ];
    for (verified, sentinel, cooldown, err) in cases {
        let ix = update_config_ix(&admin.pubkey(), &mint, verified, sentinel, cooldown);
        fails(&mut env.svm, &admin, &[], &[ix], custom(err));
    }
    // The supply is read from the config's mint, not from any mint passed.
    let big_mint = mint_with_supply(&mut env.svm, &admin, u64::MAX);
    let ix = update_config_ix(&admin.pubkey(), &big_mint, 1, total + 1, 0);
    fails(&mut env.svm, &admin, &[], &[ix], custom(E::WrongMint));
    // The bounds themselves are allowed.
    ok(&mut env.svm, &admin, &[], &[update_config_ix(&admin.pubkey(), &mint, total, total, MAX_COOLDOWN_SECONDS)]);
    assert_eq!((env.config().sentinel_threshold, env.config().cooldown_seconds), (total, MAX_COOLDOWN_SECONDS));

    let ix = update_config_ix(&admin.pubkey(), &mint, 50 * BOLT, VERIFIED, 60);
    let meta = ok(&mut env.svm, &admin, &[], &[ix]);
    let e: ConfigUpdated = event(&meta);
    assert_eq!((e.verified_threshold, e.sentinel_threshold, e.cooldown_seconds), (50 * BOLT, VERIFIED, 60));
    let config = env.config();
    assert_eq!((config.verified_threshold, config.sentinel_threshold, config.cooldown_seconds), (50 * BOLT, VERIFIED, 60));
    // The same 100 BOLT is now SENTINEL; the new cooldown applies.
    let meta = env.by(&worker, env.request_unstake_ix(&worker, 1));
    let e: UnstakeRequested = event(&meta);
    assert_eq!((e.tier, e.unlock_at), (1, START + 60));
    let meta = env.by(&worker, env.cancel_unstake_ix(&worker));
    assert_eq!(event::<UnstakeCancelled>(&meta).tier, 2);
}

#[test]
fn the_admin_hands_over_only_by_propose_and_accept() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let mint = env.mint;
    check_admin_handover_of!(dispatch_staking, StakingConfig, StakingError, &mut env.svm, &admin, &|admin| update_config_ix(
        admin, &mint, 1, 1, 0
    ));
}

#[test]
fn unstaking_and_withdrawing_need_the_workers_own_signature_and_stake() {
    let mut env = Env::new();
    let worker = env.worker(10 * BOLT);
    env.by(&worker, env.stake_ix(&worker, 10 * BOLT));
    let thief = env.worker(0);
    let me = worker.key.pubkey();

    // request_unstake unsigned: the worker's key, a stranger paying.
    env.fails_by(&thief, unsigned_by(env.request_unstake_ix(&worker, BOLT), &me), custom(Anchor::AccountNotSigner));
    env.by(&worker, env.request_unstake_ix(&worker, 4 * BOLT));

    // cancel_unstake unsigned, and on another worker's stake account.
    env.fails_by(&thief, unsigned_by(env.cancel_unstake_ix(&worker), &me), custom(Anchor::AccountNotSigner));
    let theirs = accounts::CancelUnstake { worker: thief.key.pubkey(), config: env.config, stake_account: stake_pda(&me) };
    env.fails_by(&thief, ix(PROGRAM, theirs, instruction::CancelUnstake {}), custom(Anchor::ConstraintSeeds));

    // withdraw unsigned, after the cooldown.
    set_time(&mut env.svm, START + COOLDOWN);
    env.fails_by(&thief, unsigned_by(env.withdraw_ix(&worker), &me), custom(Anchor::AccountNotSigner));
    let stake = env.stake_of(&worker);
    assert_eq!((stake.active, stake.pending), (6 * BOLT, 4 * BOLT), "nothing moved");
    assert_eq!(token_balance(&env.svm, &worker.token), 0);
    env.by(&worker, env.withdraw_ix(&worker));
    assert_eq!(token_balance(&env.svm, &worker.token), 4 * BOLT);
}

#[test]
fn withdraw_refuses_token_2022_and_a_lookalike_config() {
    let mut env = Env::new();
    let worker = env.worker(10 * BOLT);
    env.by(&worker, env.stake_ix(&worker, 10 * BOLT));
    env.by(&worker, env.request_unstake_ix(&worker, 10 * BOLT));
    set_time(&mut env.svm, START + COOLDOWN);

    let accounts = accounts::Withdraw { token_program: TOKEN_2022_PROGRAM, ..env.withdraw_accounts(&worker) };
    env.fails_by(&worker, ix(PROGRAM, accounts, instruction::Withdraw {}), custom(Anchor::InvalidProgramId));
    let instruction = env.withdraw_ix(&worker);
    let lookalike = with_lookalike_config(&mut env.svm, instruction);
    env.fails_by(&worker, lookalike, custom(Anchor::ConstraintSeeds));
    assert_eq!(token_balance(&env.svm, &worker.token), 0);
    env.by(&worker, env.withdraw_ix(&worker));
    assert_eq!(token_balance(&env.svm, &worker.token), 10 * BOLT);
}

#[test]
fn every_worker_instruction_refuses_a_lookalike_config() {
    let mut env = Env::new();
    let worker = env.worker(10 * BOLT);
    env.by(&worker, env.stake_ix(&worker, 5 * BOLT));
    let instruction = env.request_unstake_ix(&worker, BOLT);
    let lookalike = with_lookalike_config(&mut env.svm, instruction);
    env.fails_by(&worker, lookalike, custom(Anchor::ConstraintSeeds));
    env.by(&worker, env.request_unstake_ix(&worker, BOLT));
    let instruction = env.cancel_unstake_ix(&worker);
    let lookalike = with_lookalike_config(&mut env.svm, instruction);
    env.fails_by(&worker, lookalike, custom(Anchor::ConstraintSeeds));
    // update_config too (the admin's instruction).
    let admin = env.admin.insecure_clone();
    let instruction = update_config_ix(&admin.pubkey(), &env.mint, 1, 1, 0);
    let lookalike = with_lookalike_config(&mut env.svm, instruction);
    fails(&mut env.svm, &admin, &[], &[lookalike], custom(Anchor::ConstraintSeeds));
    let config = env.config();
    assert_eq!((config.verified_threshold, config.total_active, config.total_pending), (VERIFIED, 4 * BOLT, BOLT));
}

#[test]
fn a_prefunded_stake_account_address_does_not_block_staking() {
    let mut env = Env::new();
    let rent = env.svm.minimum_balance_for_rent_exemption(8 + StakeAccount::INIT_SPACE);
    // The least a transfer can leave (below the rent: the program tops it up) and more than the rent.
    for gift in [smallest_gift(&env.svm), rent + 1_000_000] {
        let worker = env.worker(VERIFIED);
        let griefer = funded(&mut env.svm);
        let address = stake_pda(&worker.key.pubkey());
        prefund(&mut env.svm, &griefer, &address, gift);
        let meta = env.by(&worker, env.stake_ix(&worker, VERIFIED));
        assert_eq!(event::<Staked>(&meta).tier, 1);
        let created = env.svm.get_account(&address).expect("stake account");
        assert_eq!((created.owner, created.data.len()), (PROGRAM, 8 + StakeAccount::INIT_SPACE));
        assert_eq!(created.lamports, gift.max(rent), "topped up to the rent, never less than the gift");
        let stake = env.stake_of(&worker);
        assert_eq!((stake.worker, stake.active, stake.pending), (worker.key.pubkey(), VERIFIED, 0));
        // And it keeps working: unstake, withdraw.
        env.by(&worker, env.request_unstake_ix(&worker, VERIFIED));
    }
}

#[test]
fn prefunded_config_and_vault_addresses_do_not_block_initialisation() {
    let mut svm = svm_with(PROGRAM);
    set_time(&mut svm, START);
    let admin = deployer();
    let griefer = funded(&mut svm);
    let mint = mint_with_supply(&mut svm, &admin, SUPPLY);
    let (config, vault) = (pda(&[b"config"], &PROGRAM), pda(&[b"vault"], &PROGRAM));
    let gift = smallest_gift(&svm);
    prefund(&mut svm, &griefer, &config, gift);
    prefund(&mut svm, &griefer, &vault, 5_000_000_000);
    ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, VERIFIED, SENTINEL, COOLDOWN)]);
    let c: StakingConfig = account(&svm, &config);
    assert_eq!((c.admin, c.mint, c.vault), (admin.pubkey(), mint, vault));
    let vault_account = svm.get_account(&vault).expect("vault");
    assert_eq!((vault_account.owner, vault_account.lamports), (TOKEN_PROGRAM, 5_000_000_000));
    let token: spl_token_interface::state::Account = solana_program_pack::Pack::unpack(&vault_account.data).expect("token account");
    assert_eq!((token.mint, token.owner, token.amount), (mint, vault, 0));
}

#[test]
fn events_are_program_data_logs_of_the_instruction() {
    let mut env = Env::new();
    let worker = env.worker(BOLT);
    let meta = env.by(&worker, env.stake_ix(&worker, BOLT));
    // emit! logs one `Program data:` line inside this program's own frame
    // (after SPL Token returned), and makes no self-CPI.
    let at = |line: &str| meta.logs.iter().position(|l| l == line).unwrap_or_else(|| panic!("no {line:?} in\n{}", meta.pretty_logs()));
    let data: Vec<usize> = meta.logs.iter().enumerate().filter(|(_, l)| l.starts_with("Program data: ")).map(|(i, _)| i).collect();
    assert_eq!(data.len(), 1, "{}", meta.pretty_logs());
    assert!(at(&format!("Program {TOKEN_PROGRAM} success")) < data[0] && data[0] < at(&format!("Program {PROGRAM} success")));
    assert!(!meta.logs.iter().any(|l| l == &format!("Program {PROGRAM} invoke [2]")), "{}", meta.pretty_logs());
    assert_eq!(event::<Staked>(&meta).amount, BOLT);
    // Without event-cpi the program has no event instruction: Anchor's
    // event tag fails with EventInstructionStub.
    let tag = [0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d];
    let forged = Instruction { program_id: PROGRAM, accounts: vec![], data: tag.to_vec() };
    fails(&mut env.svm, &worker.key, &[], &[forged], custom(Anchor::EventInstructionStub));
}

/// What the pre-funded tests depend on, made explicit: Anchor 1.2.2 creates
/// an account over lamports with the System program's
/// `CreateAccountAllowPrefund` (SIMD-0312). It is active on mainnet-beta
/// (LiteSVM's mainnet feature set, which every test here uses); on a cluster
/// without it, a pre-funded stake address could not be staked into. Check
/// the feature on a cluster before deploying there.
#[test]
fn staking_over_a_prefunded_address_needs_simd_0312() {
    let feature: Address = "6sPDzwyARRExKH52LECxcGoqziH8G7SZofwuxi8Ja331".parse().expect("feature id");
    let mut env = Env::new();
    let worker = env.worker(VERIFIED);
    let griefer = funded(&mut env.svm);
    let gift = smallest_gift(&env.svm);
    prefund(&mut env.svm, &griefer, &stake_pda(&worker.key.pubkey()), gift);
    let mut without = LiteSVM::mainnet_feature_set();
    without.deactivate(&feature);
    let svm = std::mem::take(&mut env.svm);
    env.svm = svm.with_feature_set(without);
    // The System program refuses the instruction it does not know yet.
    env.fails_by(&worker, env.stake_ix(&worker, VERIFIED), InstructionError::InvalidInstructionData);
    let mut with = LiteSVM::mainnet_feature_set();
    with.activate(&feature, 0);
    let svm = std::mem::take(&mut env.svm);
    env.svm = svm.with_feature_set(with);
    env.by(&worker, env.stake_ix(&worker, VERIFIED));
}
