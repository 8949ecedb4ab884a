//! dispatch_governance's SBF build with the real dispatch_staking and
//! dispatch_settlement builds (and SPL Token) on dispatch-svm: the receiver
//! takes both admin roles through their propose/accept handover, and an
//! attested parameters message sets the staking thresholds and cooldown and
//! the settlement fee by CPI. Stale, out-of-order, replayed, wrong-source,
//! below-threshold and unattested messages each fail with their own error.

#[path = "../../sbf_test_support.rs"]
mod sbf;
#[path = "../../test_support.rs"]
#[allow(unused_macros)]
mod support;

use anchor_lang::Discriminator;
use dispatch_governance::{
    accounts, instruction, GovernanceConfig, GovernanceError as E, InitializeArgs, MessageRecord, ParamsApplied, ParamsMessage,
    SpendApproved, SpendMessage, SpendRecord, KIND_GOVERNANCE, MESSAGE_VERSION, TREASURY_DELAY,
};
use dispatch_settlement::SettlementConfig;
use dispatch_staking::StakingConfig;
use dispatch_svm::LiteSVM;
use sbf::{ata, create_ata_ix};
use solana_address::Address;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use support::*;

const PROGRAM: Address = dispatch_governance::ID;
const STAKING: Address = dispatch_staking::ID;
const SETTLEMENT: Address = dispatch_settlement::ID;
const SOURCE_CHAIN: [u8; 32] = [0x10; 32];
const LOCAL_CHAIN: [u8; 32] = [0x5a; 32];
const SUPPLY: u64 = 1_000_000 * BOLT;
const TREASURY: u64 = 150_000 * BOLT;

fn emitter() -> [u8; 32] {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(&[0xab; 20]);
    out
}

struct Env {
    svm: LiteSVM,
    attesters: Vec<Keypair>,
    mint: Address,
    config: Address,
}

fn message(version: u64, fee_bps: u16, verified: u64, sentinel: u64) -> ParamsMessage {
    ParamsMessage {
        version: MESSAGE_VERSION,
        kind: KIND_GOVERNANCE,
        source_chain: SOURCE_CHAIN,
        source_emitter: emitter(),
        params_version: version,
        fee_bps,
        verified_threshold: verified,
        sentinel_threshold: sentinel,
        cooldown_seconds: 3_600,
        destination_chain: LOCAL_CHAIN,
    }
}

/// The treasury vault: the receiver config's associated token account for `mint`.
fn vault(mint: &Address) -> Address {
    ata(&pda(&[b"config"], &PROGRAM), mint)
}

fn initialize_ix(authority: &Address, mint: &Address, attesters: Vec<Address>, threshold: u8) -> Instruction {
    initialize_with_treasury(authority, mint, &vault(mint), attesters, threshold)
}

fn initialize_with_treasury(
    authority: &Address,
    mint: &Address,
    treasury: &Address,
    attesters: Vec<Address>,
    threshold: u8,
) -> Instruction {
    ix(
        PROGRAM,
        accounts::Initialize {
            authority: *authority,
            config: pda(&[b"config"], &PROGRAM),
            program: PROGRAM,
            program_data: programdata(&PROGRAM),
            mint: *mint,
            treasury: *treasury,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        },
        instruction::Initialize {
            args: InitializeArgs {
                chain_id: LOCAL_CHAIN,
                source_chain: SOURCE_CHAIN,
                source_emitter: emitter(),
                attesters,
                threshold,
                staking_program: STAKING,
                settlement_program: SETTLEMENT,
            },
        },
    )
}

impl Env {
    /// Staking and settlement initialised by the deployer, the receiver with
    /// 2-of-3 attesters, and both admin roles handed to the receiver.
    fn new() -> Self {
        let mut svm = svm_with(PROGRAM);
        deploy(&mut svm, STAKING, "dispatch_staking");
        deploy(&mut svm, SETTLEMENT, "dispatch_settlement");
        let admin = deployer();
        let mint = create_mint(&mut svm, &admin, &admin.pubkey());
        let holder = create_token_account(&mut svm, &admin, &mint, &admin.pubkey());
        mint_to(&mut svm, &admin, &mint, &holder, SUPPLY);
        ok(
            &mut svm,
            &admin,
            &[],
            &[
                ix(
                    STAKING,
                    dispatch_staking::accounts::Initialize {
                        admin: admin.pubkey(),
                        config: pda(&[b"config"], &STAKING),
                        mint,
                        vault: pda(&[b"vault"], &STAKING),
                        token_program: TOKEN_PROGRAM,
                        system_program: SYSTEM_PROGRAM,
                        program: STAKING,
                        program_data: programdata(&STAKING),
                    },
                    dispatch_staking::instruction::Initialize {
                        verified_threshold: 100 * BOLT,
                        sentinel_threshold: 1_000 * BOLT,
                        cooldown_seconds: 7 * 86_400,
                    },
                ),
                ix(
                    SETTLEMENT,
                    dispatch_settlement::accounts::Initialize {
                        admin: admin.pubkey(),
                        config: pda(&[b"config"], &SETTLEMENT),
                        mint,
                        system_program: SYSTEM_PROGRAM,
                        program: SETTLEMENT,
                        program_data: programdata(&SETTLEMENT),
                    },
                    dispatch_settlement::instruction::Initialize { fee_bps: 500 },
                ),
            ],
        );
        let attesters: Vec<Keypair> = (0..3).map(|_| funded(&mut svm)).collect();
        // Genesis order: the vault is created and funded before the receiver exists.
        let config = pda(&[b"config"], &PROGRAM);
        ok(&mut svm, &admin, &[], &[create_ata_ix(&admin.pubkey(), &config, &mint)]);
        mint_to(&mut svm, &admin, &mint, &vault(&mint), TREASURY);
        ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, attesters.iter().map(|k| k.pubkey()).collect(), 2)]);
        ok(
            &mut svm,
            &admin,
            &[],
            &[
                ix(
                    STAKING,
                    dispatch_staking::accounts::ProposeAdmin { admin: admin.pubkey(), config: pda(&[b"config"], &STAKING) },
                    dispatch_staking::instruction::ProposeAdmin { new_admin: config },
                ),
                ix(
                    SETTLEMENT,
                    dispatch_settlement::accounts::ProposeAdmin { admin: admin.pubkey(), config: pda(&[b"config"], &SETTLEMENT) },
                    dispatch_settlement::instruction::ProposeAdmin { new_admin: config },
                ),
            ],
        );
        let mut env = Env { svm, attesters, mint, config };
        let anyone = funded(&mut env.svm);
        let accept = env.accept_ix();
        ok(&mut env.svm, &anyone, &[], &[accept]);
        env
    }

    fn accept_ix(&self) -> Instruction {
        ix(
            PROGRAM,
            accounts::AcceptAdmins {
                config: self.config,
                staking_config: pda(&[b"config"], &STAKING),
                settlement_config: pda(&[b"config"], &SETTLEMENT),
                staking_program: STAKING,
                settlement_program: SETTLEMENT,
            },
            instruction::AcceptAdmins {},
        )
    }

    fn attest_ix(&self, attester: &Address, message: &ParamsMessage) -> Instruction {
        ix(
            PROGRAM,
            accounts::Attest {
                attester: *attester,
                config: self.config,
                record: pda(&[b"message", &message.digest()], &PROGRAM),
                system_program: SYSTEM_PROGRAM,
            },
            instruction::Attest { message: message.clone() },
        )
    }

    fn apply_ix(&self, message: &ParamsMessage) -> Instruction {
        ix(
            PROGRAM,
            accounts::Apply {
                config: self.config,
                record: pda(&[b"message", &message.digest()], &PROGRAM),
                staking_config: pda(&[b"config"], &STAKING),
                mint: self.mint,
                settlement_config: pda(&[b"config"], &SETTLEMENT),
                staking_program: STAKING,
                settlement_program: SETTLEMENT,
            },
            instruction::Apply { message: message.clone() },
        )
    }

    fn attest(&mut self, index: usize, message: &ParamsMessage) {
        let attester = self.attesters[index].insecure_clone();
        let instruction = self.attest_ix(&attester.pubkey(), message);
        ok(&mut self.svm, &attester, &[], &[instruction]);
    }

    fn attest_fails(&mut self, index: usize, message: &ParamsMessage, error: E) {
        let attester = self.attesters[index].insecure_clone();
        let instruction = self.attest_ix(&attester.pubkey(), message);
        fails(&mut self.svm, &attester, &[], &[instruction], custom(error));
    }

    fn apply(&mut self, message: &ParamsMessage) -> litesvm::types::TransactionMetadata {
        let anyone = funded(&mut self.svm);
        let instruction = self.apply_ix(message);
        ok(&mut self.svm, &anyone, &[], &[instruction])
    }

    fn apply_fails(&mut self, message: &ParamsMessage, error: E) {
        let anyone = funded(&mut self.svm);
        let instruction = self.apply_ix(message);
        fails(&mut self.svm, &anyone, &[], &[instruction], custom(error));
    }

    fn solana_params(&self) -> (u16, u64, u64, i64) {
        let staking: StakingConfig = account(&self.svm, &pda(&[b"config"], &STAKING));
        let settlement: SettlementConfig = account(&self.svm, &pda(&[b"config"], &SETTLEMENT));
        (settlement.fee_bps, staking.verified_threshold, staking.sentinel_threshold, staking.cooldown_seconds)
    }
}

#[test]
fn the_hand_built_cpis_use_the_programs_discriminators() {
    assert_eq!(dispatch_governance::cpi::UPDATE_CONFIG, dispatch_staking::instruction::UpdateConfig::DISCRIMINATOR);
    assert_eq!(dispatch_governance::cpi::SET_FEE, dispatch_settlement::instruction::SetFee::DISCRIMINATOR);
    assert_eq!(dispatch_governance::cpi::ACCEPT_ADMIN, dispatch_staking::instruction::AcceptAdmin::DISCRIMINATOR);
    assert_eq!(dispatch_governance::cpi::ACCEPT_ADMIN, dispatch_settlement::instruction::AcceptAdmin::DISCRIMINATOR);
}

#[test]
fn the_receiver_holds_both_admin_roles() {
    let env = Env::new();
    let staking: StakingConfig = account(&env.svm, &pda(&[b"config"], &STAKING));
    let settlement: SettlementConfig = account(&env.svm, &pda(&[b"config"], &SETTLEMENT));
    assert_eq!((staking.admin, settlement.admin), (env.config, env.config));
    assert_eq!((staking.pending_admin, settlement.pending_admin), (None, None));
}

#[test]
fn an_attested_message_sets_fee_thresholds_and_cooldown_by_cpi() {
    let mut env = Env::new();
    let change = message(2, 400, 150 * BOLT, 1_500 * BOLT);
    env.attest(0, &change);
    env.attest(2, &change);
    let meta = env.apply(&change);
    assert_eq!(env.solana_params(), (400, 150 * BOLT, 1_500 * BOLT, 3_600));
    let applied: ParamsApplied = event(&meta);
    assert_eq!((applied.params_version, applied.digest), (2, change.digest()));
    let config: GovernanceConfig = account(&env.svm, &env.config);
    assert_eq!(config.applied_version, 2);
    let record: MessageRecord = account(&env.svm, &pda(&[b"message", &change.digest()], &PROGRAM));
    assert!(record.applied);
}

#[test]
fn below_the_threshold_nothing_applies() {
    let mut env = Env::new();
    let change = message(1, 400, 150 * BOLT, 1_500 * BOLT);
    env.attest(1, &change);
    env.apply_fails(&change, E::BelowThreshold);
    assert_eq!(env.solana_params(), (500, 100 * BOLT, 1_000 * BOLT, 7 * 86_400));
}

#[test]
fn a_replayed_message_fails() {
    let mut env = Env::new();
    let change = message(1, 400, 150 * BOLT, 1_500 * BOLT);
    env.attest(0, &change);
    env.attest(1, &change);
    env.apply(&change);
    env.apply_fails(&change, E::AlreadyApplied);
    env.attest_fails(2, &change, E::AlreadyApplied);
}

#[test]
fn stale_and_out_of_order_versions_fail() {
    let mut env = Env::new();
    let older = message(2, 450, 120 * BOLT, 1_200 * BOLT);
    let newer = message(3, 400, 150 * BOLT, 1_500 * BOLT);
    env.attest(0, &older);
    env.attest(1, &older);
    env.attest(0, &newer);
    env.attest(1, &newer);
    env.apply(&newer);
    // v2 was fully attested before v3 applied: applying it now would roll the parameters back.
    env.apply_fails(&older, E::StaleVersion);
    env.attest_fails(2, &older, E::StaleVersion);
    env.attest_fails(2, &message(3, 300, 150 * BOLT, 1_500 * BOLT), E::StaleVersion); // same version, other values
    assert_eq!(env.solana_params(), (400, 150 * BOLT, 1_500 * BOLT, 3_600));
}

#[test]
fn messages_from_elsewhere_fail_each_with_its_own_error() {
    let mut env = Env::new();
    let mut wrong_chain = message(1, 400, 150 * BOLT, 1_500 * BOLT);
    wrong_chain.source_chain = [0x11; 32];
    env.attest_fails(0, &wrong_chain, E::WrongSourceChain);
    let mut wrong_emitter = message(1, 400, 150 * BOLT, 1_500 * BOLT);
    wrong_emitter.source_emitter[31] ^= 1;
    env.attest_fails(0, &wrong_emitter, E::WrongSourceEmitter);
    let mut elsewhere = message(1, 400, 150 * BOLT, 1_500 * BOLT);
    elsewhere.destination_chain = [0x5b; 32];
    env.attest_fails(0, &elsewhere, E::WrongDestinationChain);
    let mut transfer = message(1, 400, 150 * BOLT, 1_500 * BOLT);
    transfer.kind = 1;
    env.attest_fails(0, &transfer, E::UnsupportedMessage);
}

#[test]
fn only_configured_attesters_attest_once_each() {
    let mut env = Env::new();
    let change = message(1, 400, 150 * BOLT, 1_500 * BOLT);
    let stranger = funded(&mut env.svm);
    let instruction = env.attest_ix(&stranger.pubkey(), &change);
    fails(&mut env.svm, &stranger, &[], &[instruction], custom(E::UnknownAttester));
    env.attest(0, &change);
    env.attest_fails(0, &change, E::DuplicateAttestation);
    env.apply_fails(&change, E::BelowThreshold);
}

#[test]
fn initialize_is_for_the_upgrade_authority_only_and_checks_the_attesters() {
    let mut svm = svm_with(PROGRAM);
    let stranger = funded(&mut svm);
    let admin = deployer();
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    ok(&mut svm, &admin, &[], &[create_ata_ix(&admin.pubkey(), &pda(&[b"config"], &PROGRAM), &mint)]);
    let keys = vec![Address::new_unique(), Address::new_unique()];
    fails(&mut svm, &stranger, &[], &[initialize_ix(&stranger.pubkey(), &mint, keys.clone(), 1)], custom(E::Unauthorized));
    fails(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, keys.clone(), 3)], custom(E::InvalidThreshold));
    fails(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, vec![keys[0], keys[0]], 1)], custom(E::InvalidAttesters));
    ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, keys, 2)]);
    let config: GovernanceConfig = account(&svm, &pda(&[b"config"], &PROGRAM));
    assert_eq!((config.treasury, config.treasury_mint), (vault(&mint), mint));
}

/// Initialise in the same transaction as the idempotent creation of the vault (what the Python
/// receiver sends); without the vault, or with any other token account of the config PDA (not
/// its associated one), initialise fails: the treasury is exactly the account genesis funded.
#[test]
fn initialize_takes_only_the_config_s_associated_vault() {
    let mut svm = svm_with(PROGRAM);
    let admin = deployer();
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    let config = pda(&[b"config"], &PROGRAM);
    let keys = vec![Address::new_unique(), Address::new_unique()];
    fails(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, keys.clone(), 2)], custom(3012u32)); // AccountNotInitialized
    let other = create_token_account(&mut svm, &admin, &mint, &config);
    let wrong = initialize_with_treasury(&admin.pubkey(), &mint, &other, keys.clone(), 2);
    fails(&mut svm, &admin, &[], &[wrong], custom(2009u32)); // ConstraintAssociated
    let other_mint = create_mint(&mut svm, &admin, &admin.pubkey());
    ok(&mut svm, &admin, &[], &[create_ata_ix(&admin.pubkey(), &config, &other_mint)]);
    let wrong_mint = initialize_with_treasury(&admin.pubkey(), &mint, &vault(&other_mint), keys.clone(), 2);
    fails(&mut svm, &admin, &[], &[wrong_mint], custom(2009u32)); // ConstraintAssociated: not this mint's
    let create = create_ata_ix(&admin.pubkey(), &config, &mint);
    ok(&mut svm, &admin, &[], &[create, initialize_ix(&admin.pubkey(), &mint, keys, 2)]);
    let recorded: GovernanceConfig = account(&svm, &config);
    assert_eq!(recorded.treasury, vault(&mint));
}

/// Compute units of each instruction on the SBF build against the budgets of docs/solana-programs.md
/// (measured + 25 %, rounded up to 1,000); `cargo test -p dispatch_governance -- --nocapture` prints them.
#[test]
fn compute_units_stay_within_the_documented_budgets() {
    const ACCEPT_ADMINS: u64 = 27_000;
    const ATTEST_FIRST: u64 = 20_000;
    const ATTEST_NEXT: u64 = 16_000;
    const APPLY: u64 = 39_000;
    let mut env = Env::new();
    let change = message(1, 400, 150 * BOLT, 1_500 * BOLT);
    let first = env.attesters[0].insecure_clone();
    let instruction = env.attest_ix(&first.pubkey(), &change);
    let attest_first = ok(&mut env.svm, &first, &[], &[instruction]).compute_units_consumed;
    let second = env.attesters[1].insecure_clone();
    let instruction = env.attest_ix(&second.pubkey(), &change);
    let attest_next = ok(&mut env.svm, &second, &[], &[instruction]).compute_units_consumed;
    let apply = env.apply(&change).compute_units_consumed;
    let accept = accept_admins_cost();
    println!(
        "dispatch_governance CU: accept_admins {accept}, attest {attest_first} (first, creates the record) / {attest_next}, apply {apply}"
    );
    assert!(accept <= ACCEPT_ADMINS, "accept_admins {accept}");
    assert!(attest_first <= ATTEST_FIRST, "attest {attest_first}");
    assert!(attest_next <= ATTEST_NEXT, "attest {attest_next}");
    assert!(apply <= APPLY, "apply {apply}");
}

/// The compute units of `accept_admins` (measured inside a fresh environment's setup).
fn accept_admins_cost() -> u64 {
    let mut env = Env::new();
    let admin = deployer();
    // Hand the roles back to a key and propose the receiver again: the receiver
    // cannot propose by itself, so rebuild the state the first acceptance saw.
    let mut staking: StakingConfig = account(&env.svm, &pda(&[b"config"], &STAKING));
    staking.admin = admin.pubkey();
    staking.pending_admin = Some(env.config);
    write_account(&mut env.svm, &pda(&[b"config"], &STAKING), &staking);
    let mut settlement: SettlementConfig = account(&env.svm, &pda(&[b"config"], &SETTLEMENT));
    settlement.admin = admin.pubkey();
    settlement.pending_admin = Some(env.config);
    write_account(&mut env.svm, &pda(&[b"config"], &SETTLEMENT), &settlement);
    let anyone = funded(&mut env.svm);
    let accept = env.accept_ix();
    ok(&mut env.svm, &anyone, &[], &[accept]).compute_units_consumed
}

/// The same vector as tests/governance/test_governance_message.py: the Rust
/// and Python encoders are byte-identical.
#[test]
fn the_message_encoding_matches_the_python_vector() {
    let vector = message(2, 400, 150 * BOLT, 1_500 * BOLT);
    let hex: String = vector.encode().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "01021010101010101010101010101010101010101010101010101010101010101010000000000000000000000000abababababababababab\
         abababababababababab0000000000000002019000000022ecb25c000000015d3ef798000000000000000e1000000000000000005a5a5a5a\
         5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
    );
    let digest: String = vector.digest().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, "11271dab5be664d740cbf6992109e17491c751cd02ba0418c1944f82cc1b99f8");
}

fn spend(spend_id: u64, amount: u64, recipient: &Address) -> SpendMessage {
    SpendMessage {
        version: MESSAGE_VERSION,
        kind: KIND_GOVERNANCE,
        source_chain: SOURCE_CHAIN,
        source_emitter: emitter(),
        spend_id,
        amount,
        recipient: recipient.to_bytes(),
        destination_chain: LOCAL_CHAIN,
    }
}

impl Env {
    fn attest_spend_ix(&self, attester: &Address, message: &SpendMessage) -> Instruction {
        ix(
            PROGRAM,
            accounts::AttestSpend {
                attester: *attester,
                config: self.config,
                record: pda(&[b"spend", &message.spend_id.to_le_bytes()], &PROGRAM),
                system_program: SYSTEM_PROGRAM,
            },
            instruction::AttestSpend { message: message.clone() },
        )
    }

    fn attest_spend(&mut self, index: usize, message: &SpendMessage) -> litesvm::types::TransactionMetadata {
        let attester = self.attesters[index].insecure_clone();
        let instruction = self.attest_spend_ix(&attester.pubkey(), message);
        ok(&mut self.svm, &attester, &[], &[instruction])
    }

    fn pay_ix(&self, spend_id: u64, recipient_token: &Address) -> Instruction {
        ix(
            PROGRAM,
            accounts::PaySpend {
                config: self.config,
                record: pda(&[b"spend", &spend_id.to_le_bytes()], &PROGRAM),
                treasury: vault(&self.mint),
                mint: self.mint,
                recipient_token: *recipient_token,
                token_program: TOKEN_PROGRAM,
            },
            instruction::PaySpend { spend_id },
        )
    }
}

#[test]
fn a_treasury_spend_pays_only_after_its_six_month_delay() {
    let mut env = Env::new();
    set_time(&mut env.svm, 1_750_000_000);
    let recipient = funded(&mut env.svm);
    let admin = deployer();
    let recipient_token = create_token_account(&mut env.svm, &admin, &env.mint, &recipient.pubkey());
    let message = spend(1, 1_000 * BOLT, &recipient.pubkey());
    env.attest_spend(0, &message);
    let anyone = funded(&mut env.svm);
    let pay = env.pay_ix(1, &recipient_token);
    fails(&mut env.svm, &anyone, &[], std::slice::from_ref(&pay), custom(E::SpendNotApproved)); // one attestation of two
    let meta = env.attest_spend(1, &message);
    let attest_cu = meta.compute_units_consumed;
    let approved: SpendApproved = event(&meta);
    assert_eq!(approved.payable_at, 1_750_000_000 + TREASURY_DELAY);
    fails(&mut env.svm, &anyone, &[], std::slice::from_ref(&pay), custom(E::SpendNotDue));
    set_time(&mut env.svm, 1_750_000_000 + TREASURY_DELAY - 1);
    fails(&mut env.svm, &anyone, &[], std::slice::from_ref(&pay), custom(E::SpendNotDue));
    set_time(&mut env.svm, 1_750_000_000 + TREASURY_DELAY);
    let pay_cu = ok(&mut env.svm, &anyone, &[], std::slice::from_ref(&pay)).compute_units_consumed;
    println!("dispatch_governance CU: attest_spend (approving) {attest_cu}, pay_spend {pay_cu}");
    assert!(attest_cu <= 20_000 && pay_cu <= 22_000, "attest_spend {attest_cu}, pay_spend {pay_cu}");
    assert_eq!(token_balance(&env.svm, &recipient_token), 1_000 * BOLT);
    assert_eq!(token_balance(&env.svm, &vault(&env.mint)), TREASURY - 1_000 * BOLT);
    fails(&mut env.svm, &anyone, &[], &[pay], custom(E::SpendAlreadyPaid));
    let record: SpendRecord = account(&env.svm, &pda(&[b"spend", &1u64.to_le_bytes()], &PROGRAM));
    assert!(record.paid);
}

#[test]
fn a_spend_goes_only_to_its_recipient_on_its_terms() {
    let mut env = Env::new();
    let recipient = funded(&mut env.svm);
    let thief = funded(&mut env.svm);
    let admin = deployer();
    let thief_token = create_token_account(&mut env.svm, &admin, &env.mint, &thief.pubkey());
    let message = spend(7, 5 * BOLT, &recipient.pubkey());
    env.attest_spend(0, &message);
    // The same spend id with another amount: a second attester cannot complete it.
    let other = spend(7, 500 * BOLT, &recipient.pubkey());
    let attester = env.attesters[1].insecure_clone();
    let instruction = env.attest_spend_ix(&attester.pubkey(), &other);
    fails(&mut env.svm, &attester, &[], &[instruction], custom(E::SpendMismatch));
    env.attest_spend(1, &message);
    let later = now(&env.svm) + TREASURY_DELAY;
    set_time(&mut env.svm, later);
    let anyone = funded(&mut env.svm);
    let pay = env.pay_ix(7, &thief_token);
    fails(&mut env.svm, &anyone, &[], &[pay], custom(E::WrongRecipient));
    let mut zero = spend(8, 0, &recipient.pubkey());
    let instruction = env.attest_spend_ix(&attester.pubkey(), &zero);
    fails(&mut env.svm, &attester, &[], &[instruction], custom(E::ZeroSpend));
    zero.amount = 1;
    zero.source_emitter[31] ^= 1;
    let instruction = env.attest_spend_ix(&attester.pubkey(), &zero);
    fails(&mut env.svm, &attester, &[], &[instruction], custom(E::WrongSourceEmitter));
}

/// The spend message vector shared with tests/governance/test_governance_message.py.
#[test]
fn the_spend_message_encoding_matches_the_python_vector() {
    let recipient: [u8; 32] = core::array::from_fn(|i| i as u8 + 1);
    let vector = spend(3, 1_000 * BOLT, &Address::new_from_array(recipient));
    let hex: String = vector.encode().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "01021010101010101010101010101010101010101010101010101010101010101010000000000000000000000000abababababababababab\
         abababababababababab0000000000000003000000e8d4a510000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e\
         1f205a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
    );
    let digest: String = vector.digest().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, "380d90fc7521fb968e36b372fb7875f8796569a5ab3147c24dd426bc026c960b");
}

/// After the handover nobody but the receiver changes a parameter on Solana:
/// the former admin's update_config and set_fee fail with each program's own error.
#[test]
fn the_former_admin_can_no_longer_change_parameters() {
    let mut env = Env::new();
    let admin = deployer();
    let update = ix(
        STAKING,
        dispatch_staking::accounts::UpdateConfig { admin: admin.pubkey(), config: pda(&[b"config"], &STAKING), mint: env.mint },
        dispatch_staking::instruction::UpdateConfig { verified_threshold: BOLT, sentinel_threshold: BOLT, cooldown_seconds: 0 },
    );
    fails(&mut env.svm, &admin, &[], &[update], custom(dispatch_staking::StakingError::Unauthorized));
    let set_fee = ix(
        SETTLEMENT,
        dispatch_settlement::accounts::SetFee { admin: admin.pubkey(), config: pda(&[b"config"], &SETTLEMENT) },
        dispatch_settlement::instruction::SetFee { fee_bps: 0 },
    );
    fails(&mut env.svm, &admin, &[], &[set_fee], custom(dispatch_settlement::SettlementError::Unauthorized));
    // Nor can anyone call apply's CPI targets through the receiver without an attested message.
    let stranger = funded(&mut env.svm);
    let unattested = message(1, 0, BOLT, BOLT);
    let apply = env.apply_ix(&unattested);
    fails(&mut env.svm, &stranger, &[], &[apply], custom(anchor_lang::error::ErrorCode::AccountNotInitialized));
    assert_eq!(env.solana_params(), (500, 100 * BOLT, 1_000 * BOLT, 7 * 86_400));
}
