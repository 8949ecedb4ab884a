//! dispatch_vesting as real SBF (the build-sbf.sh `.so`) on LiteSVM with the
//! real SPL Token program and a moved Clock: claims at every boundary (one
//! second before and at the cliff, mid-vesting, at the end, long after),
//! locks, revocation returning exactly the unvested part, beneficiary
//! changes, every error, the compute units of a claim, and a property test
//! that claimed + claimable + unvested (+ revoked) = total at every step.

#[path = "../../sbf_test_support.rs"]
mod sbf;
#[path = "../../test_support.rs"]
#[allow(unused_macros)]
mod support;

use anchor_lang::error::ErrorCode as Anchor;
use dispatch_vesting::{
    accounts, instruction, BeneficiaryChanged, Claimed, CreateScheduleArgs, Revoked, ScheduleCreated, VestingError as E, VestingSchedule,
};
use litesvm::LiteSVM;
use proptest::prelude::*;
use sbf::*;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use support::*;

const PROGRAM: Address = dispatch_vesting::ID;
const TOKEN_PROGRAM: Address = spl_token_interface::ID;
const SYSTEM_PROGRAM: Address = Address::new_from_array([0; 32]);
const YEAR: i64 = 365 * 24 * 3600;
/// Genesis time of the tests' schedules.
const T0: i64 = 1_800_000_000;
/// An odd total so that every linear share rounds.
const TOTAL: u64 = 150_000_000 * BOLT + 7;

struct Env {
    svm: LiteSVM,
    /// Mint authority and schedule creator (the deployer).
    creator: Keypair,
    mint: Address,
    source: Address,
    beneficiary: Keypair,
    beneficiary_token: Address,
    /// Revocation authority (the DAO admin) and where revoked tokens go.
    authority: Keypair,
    authority_token: Address,
}

/// The address naming schedule number `n` (any address does).
fn id_key(n: u64) -> Address {
    let mut bytes = [7u8; 32];
    bytes[..8].copy_from_slice(&n.to_le_bytes());
    Address::new_from_array(bytes)
}

fn schedule_pda(creator: &Address, id: u64) -> Address {
    pda(&[b"schedule", creator.as_ref(), id_key(id).as_ref()], &PROGRAM)
}

/// A schedule to create: its number and its arguments.
type Spec = (u64, CreateScheduleArgs);

impl Env {
    fn new() -> Self {
        let mut svm = svm_with_sbf(PROGRAM, "dispatch_vesting");
        set_time(&mut svm, T0);
        let creator = funded(&mut svm);
        let mint = create_mint(&mut svm, &creator, &creator.pubkey());
        let source = create_token_account(&mut svm, &creator, &mint, &creator.pubkey());
        mint_to(&mut svm, &creator, &mint, &source, 10 * TOTAL);
        let beneficiary = funded(&mut svm);
        let beneficiary_token = create_token_account(&mut svm, &creator, &mint, &beneficiary.pubkey());
        let authority = funded(&mut svm);
        let authority_token = create_token_account(&mut svm, &creator, &mint, &authority.pubkey());
        Env { svm, creator, mint, source, beneficiary, beneficiary_token, authority, authority_token }
    }

    /// A schedule's vault: its associated token account.
    fn vault(&self, schedule: &Address) -> Address {
        ata(schedule, &self.mint)
    }

    fn args(&self, id: u64, total: u64, start: i64, cliff: i64, end: i64, revocable: bool) -> Spec {
        (
            id,
            CreateScheduleArgs {
                beneficiary: self.beneficiary.pubkey(),
                total,
                start_ts: start,
                cliff_ts: cliff,
                end_ts: end,
                revoke_authority: revocable.then(|| self.authority.pubkey()),
            },
        )
    }

    /// Creates schedule `id`'s vault (the ATA of its future PDA).
    fn create_vault_ix(&self, id: u64) -> Instruction {
        create_ata_ix(&self.creator.pubkey(), &schedule_pda(&self.creator.pubkey(), id), &self.mint)
    }

    fn create_ix(&self, (id, args): Spec) -> Instruction {
        let schedule = schedule_pda(&self.creator.pubkey(), id);
        ix(
            PROGRAM,
            accounts::CreateSchedule {
                creator: self.creator.pubkey(),
                schedule_id: id_key(id),
                schedule,
                vault: self.vault(&schedule),
                source: self.source,
                mint: self.mint,
                token_program: TOKEN_PROGRAM,
                system_program: SYSTEM_PROGRAM,
            },
            instruction::CreateSchedule { args },
        )
    }

    /// Creates a schedule and returns its address.
    fn create(&mut self, spec: Spec) -> Address {
        let id = spec.0;
        let ixs = [self.create_vault_ix(id), self.create_ix(spec)];
        let creator = self.creator.insecure_clone();
        ok(&mut self.svm, &creator, &[], &ixs);
        schedule_pda(&creator.pubkey(), id)
    }

    fn claim_ix(&self, schedule: &Address, beneficiary: &Address, destination: &Address) -> Instruction {
        ix(
            PROGRAM,
            accounts::Claim {
                beneficiary: *beneficiary,
                schedule: *schedule,
                vault: self.vault(schedule),
                destination: *destination,
                mint: self.mint,
                token_program: TOKEN_PROGRAM,
            },
            instruction::Claim {},
        )
    }

    /// The beneficiary claims at `t`; returns the amount paid (checked
    /// against the event and both balances).
    fn claim_at(&mut self, schedule: &Address, t: i64) -> u64 {
        set_time(&mut self.svm, t);
        let before = token_balance(&self.svm, &self.beneficiary_token);
        let vault_before = token_balance(&self.svm, &self.vault(schedule));
        let ix = self.claim_ix(schedule, &self.beneficiary.pubkey(), &self.beneficiary_token);
        let beneficiary = self.beneficiary.insecure_clone();
        let meta = ok(&mut self.svm, &beneficiary, &[], &[ix]);
        let paid = token_balance(&self.svm, &self.beneficiary_token) - before;
        assert_eq!(vault_before - token_balance(&self.svm, &self.vault(schedule)), paid);
        let event: Claimed = event(&meta);
        assert_eq!((event.schedule, event.beneficiary, event.amount, event.unix_timestamp), (*schedule, beneficiary.pubkey(), paid, t));
        assert_eq!(event.claimed, account::<VestingSchedule>(&self.svm, schedule).claimed);
        paid
    }

    /// A claim at `t` fails with `NothingToClaim`.
    fn nothing_at(&mut self, schedule: &Address, t: i64) {
        set_time(&mut self.svm, t);
        let ix = self.claim_ix(schedule, &self.beneficiary.pubkey(), &self.beneficiary_token);
        let beneficiary = self.beneficiary.insecure_clone();
        fails(&mut self.svm, &beneficiary, &[], &[ix], custom(E::NothingToClaim));
    }

    fn revoke_ix(&self, schedule: &Address, authority: &Address) -> Instruction {
        ix(
            PROGRAM,
            accounts::Revoke {
                authority: *authority,
                schedule: *schedule,
                vault: self.vault(schedule),
                destination: self.authority_token,
                mint: self.mint,
                token_program: TOKEN_PROGRAM,
            },
            instruction::Revoke {},
        )
    }

    fn set_beneficiary_ix(&self, schedule: &Address, signer: &Address, new_beneficiary: Address) -> Instruction {
        ix(PROGRAM, accounts::SetBeneficiary { beneficiary: *signer, schedule: *schedule }, instruction::SetBeneficiary { new_beneficiary })
    }
}

/// `total * num / den` rounded down, computed independently of the program.
fn share(total: u64, num: i64, den: i64) -> u64 {
    (total as u128 * num as u128 / den as u128) as u64
}

#[test]
fn create_funds_the_vault_and_records_the_schedule() {
    let mut env = Env::new();
    let args = env.args(7, TOTAL, T0, T0 + YEAR, T0 + 4 * YEAR, true);
    let ixs = [env.create_vault_ix(7), env.create_ix(args.clone())];
    let creator = env.creator.insecure_clone();
    let meta = ok(&mut env.svm, &creator, &[], &ixs);
    let schedule = schedule_pda(&creator.pubkey(), 7);
    assert_eq!(token_balance(&env.svm, &env.vault(&schedule)), TOTAL);
    assert_eq!(token_balance(&env.svm, &env.source), 9 * TOTAL);
    let state: VestingSchedule = account(&env.svm, &schedule);
    assert_eq!(
        (state.creator, state.id, state.beneficiary, state.mint, state.vault, state.total, state.claimed),
        (creator.pubkey(), id_key(7), env.beneficiary.pubkey(), env.mint, env.vault(&schedule), TOTAL, 0)
    );
    assert_eq!((state.start_ts, state.cliff_ts, state.end_ts), (T0, T0 + YEAR, T0 + 4 * YEAR));
    assert_eq!((state.revoke_authority, state.revoked_at, state.revoked_amount), (Some(env.authority.pubkey()), None, 0));
    let created: ScheduleCreated = event(&meta);
    assert_eq!((created.schedule, created.total, created.id, created.beneficiary), (schedule, TOTAL, id_key(7), env.beneficiary.pubkey()));

    // The same id again: the PDA exists (System program "already in use").
    let again = env.create_ix(env.args(7, TOTAL, T0, T0, T0, false));
    assert!(send(&mut env.svm, &creator, &[], &[again]).is_err());
}

#[test]
fn claims_at_every_boundary_of_a_cliff_schedule() {
    // Vesting counted from T0, nothing before the 1-year cliff, all at 4 years.
    let mut env = Env::new();
    let (start, cliff, end) = (T0, T0 + YEAR, T0 + 4 * YEAR);
    let schedule = env.create(env.args(1, TOTAL, start, cliff, end, false));

    env.nothing_at(&schedule, T0);
    env.nothing_at(&schedule, cliff - 1);
    let at_cliff = env.claim_at(&schedule, cliff);
    assert_eq!(at_cliff, share(TOTAL, YEAR, 4 * YEAR));
    assert_eq!(at_cliff, 37_500_000 * BOLT + 1, "a quarter of TOTAL, rounded down");
    // The same second again: nothing more.
    env.nothing_at(&schedule, cliff);
    let mid = start + 2 * YEAR + 12_345;
    let at_mid = env.claim_at(&schedule, mid);
    assert_eq!(at_cliff + at_mid, share(TOTAL, mid - start, end - start));
    env.nothing_at(&schedule, mid);
    let one_before_end = env.claim_at(&schedule, end - 1);
    assert_eq!(at_cliff + at_mid + one_before_end, share(TOTAL, end - 1 - start, end - start));
    assert!(TOTAL - share(TOTAL, end - 1 - start, end - start) > 0, "the last second still vests something");
    let at_end = env.claim_at(&schedule, end);
    assert_eq!(at_cliff + at_mid + one_before_end + at_end, TOTAL);
    env.nothing_at(&schedule, end + 10 * YEAR);
    assert_eq!(token_balance(&env.svm, &env.beneficiary_token), TOTAL, "never more than the total");
    assert_eq!(token_balance(&env.svm, &env.vault(&schedule)), 0);
}

#[test]
fn team_schedule_one_year_cliff_then_three_years_linear() {
    // The whitepaper's team schedule: nothing at the cliff, then linear over 3 years.
    let mut env = Env::new();
    let (cliff, end) = (T0 + YEAR, T0 + 4 * YEAR);
    let schedule = env.create(env.args(2, TOTAL, cliff, cliff, end, true));
    env.nothing_at(&schedule, cliff - 1);
    env.nothing_at(&schedule, cliff);
    assert_eq!(env.claim_at(&schedule, cliff + 1), share(TOTAL, 1, 3 * YEAR));
    let half = env.claim_at(&schedule, cliff + 3 * YEAR / 2);
    assert_eq!(share(TOTAL, 1, 3 * YEAR) + half, share(TOTAL, 3 * YEAR / 2, 3 * YEAR));
    // Long after the end, a single claim pays the whole rest.
    let rest = env.claim_at(&schedule, end + 5 * YEAR);
    assert_eq!(share(TOTAL, 3 * YEAR / 2, 3 * YEAR) + rest, TOTAL);
    env.nothing_at(&schedule, end + 6 * YEAR);
    assert_eq!(token_balance(&env.svm, &env.beneficiary_token), TOTAL);
}

#[test]
fn a_lock_releases_everything_at_its_end_and_cannot_be_revoked() {
    // Liquidity: a one-year lock.
    let mut env = Env::new();
    let unlock = T0 + YEAR;
    let schedule = env.create(env.args(3, TOTAL, unlock, unlock, unlock, false));
    env.nothing_at(&schedule, unlock - 1);
    let ix = env.revoke_ix(&schedule, &env.authority.pubkey());
    let authority = env.authority.insecure_clone();
    fails(&mut env.svm, &authority, &[], &[ix], custom(E::NotRevocable));
    assert_eq!(env.claim_at(&schedule, unlock), TOTAL);
    env.nothing_at(&schedule, unlock + YEAR);
}

#[test]
fn revocation_returns_exactly_the_unvested_part() {
    let mut env = Env::new();
    let (start, cliff, end) = (T0, T0 + YEAR, T0 + 4 * YEAR);
    let schedule = env.create(env.args(4, TOTAL, start, cliff, end, true));
    let claimed = env.claim_at(&schedule, cliff + 1000);
    let t = start + 2 * YEAR + 777;
    set_time(&mut env.svm, t);

    // Only the named authority, never the beneficiary.
    let ix = env.revoke_ix(&schedule, &env.beneficiary.pubkey());
    let beneficiary = env.beneficiary.insecure_clone();
    fails(&mut env.svm, &beneficiary, &[], &[ix], custom(E::NotRevokeAuthority));

    let vested = share(TOTAL, t - start, end - start);
    let ix = env.revoke_ix(&schedule, &env.authority.pubkey());
    let authority = env.authority.insecure_clone();
    let meta = ok(&mut env.svm, &authority, &[], &[ix]);
    assert_eq!(token_balance(&env.svm, &env.authority_token), TOTAL - vested);
    assert_eq!(token_balance(&env.svm, &env.vault(&schedule)), vested - claimed, "the vested part stays claimable");
    let revoked: Revoked = event(&meta);
    assert_eq!((revoked.amount, revoked.vested, revoked.unix_timestamp), (TOTAL - vested, vested, t));
    let state: VestingSchedule = account(&env.svm, &schedule);
    assert_eq!((state.revoked_at, state.revoked_amount), (Some(t), TOTAL - vested));

    let ix = env.revoke_ix(&schedule, &env.authority.pubkey());
    set_time(&mut env.svm, t + 1);
    fails(&mut env.svm, &authority, &[], &[ix], custom(E::AlreadyRevoked));

    // Vesting stopped at t: the beneficiary gets exactly vested - claimed, then nothing.
    assert_eq!(env.claim_at(&schedule, end + YEAR), vested - claimed);
    env.nothing_at(&schedule, end + 2 * YEAR);
    assert_eq!(token_balance(&env.svm, &env.beneficiary_token) + token_balance(&env.svm, &env.authority_token), TOTAL);
}

#[test]
fn revocation_before_the_cliff_returns_everything() {
    let mut env = Env::new();
    let schedule = env.create(env.args(5, TOTAL, T0, T0 + YEAR, T0 + 4 * YEAR, true));
    set_time(&mut env.svm, T0 + YEAR - 1);
    let ix = env.revoke_ix(&schedule, &env.authority.pubkey());
    let authority = env.authority.insecure_clone();
    ok(&mut env.svm, &authority, &[], &[ix]);
    assert_eq!(token_balance(&env.svm, &env.authority_token), TOTAL);
    env.nothing_at(&schedule, T0 + 10 * YEAR);
}

#[test]
fn only_the_beneficiary_claims_and_hands_over() {
    let mut env = Env::new();
    let schedule = env.create(env.args(6, TOTAL, T0, T0, T0 + YEAR, false));
    set_time(&mut env.svm, T0 + YEAR / 2);
    let stranger = funded(&mut env.svm);
    let stranger_token = create_token_account(&mut env.svm, &stranger, &env.mint, &stranger.pubkey());

    let ix = env.claim_ix(&schedule, &stranger.pubkey(), &stranger_token);
    fails(&mut env.svm, &stranger, &[], &[ix], custom(E::NotBeneficiary));
    let ix = env.set_beneficiary_ix(&schedule, &stranger.pubkey(), stranger.pubkey());
    fails(&mut env.svm, &stranger, &[], &[ix], custom(E::NotBeneficiary));

    let ix = env.set_beneficiary_ix(&schedule, &env.beneficiary.pubkey(), stranger.pubkey());
    let beneficiary = env.beneficiary.insecure_clone();
    let meta = ok(&mut env.svm, &beneficiary, &[], &[ix]);
    let changed: BeneficiaryChanged = event(&meta);
    assert_eq!((changed.old_beneficiary, changed.new_beneficiary), (beneficiary.pubkey(), stranger.pubkey()));

    let ix = env.claim_ix(&schedule, &beneficiary.pubkey(), &env.beneficiary_token);
    fails(&mut env.svm, &beneficiary, &[], &[ix], custom(E::NotBeneficiary));
    let ix = env.claim_ix(&schedule, &stranger.pubkey(), &stranger_token);
    ok(&mut env.svm, &stranger, &[], &[ix]);
    assert_eq!(token_balance(&env.svm, &stranger_token), share(TOTAL, YEAR / 2, YEAR));
}

#[test]
fn bad_schedules_and_accounts_are_refused() {
    let mut env = Env::new();
    let creator = env.creator.insecure_clone();
    let vault_ix = env.create_vault_ix(9);
    ok(&mut env.svm, &creator, &[], &[vault_ix]);
    for (start, cliff, end) in [(T0, T0 - 1, T0 + YEAR), (T0, T0 + YEAR + 1, T0 + YEAR), (T0 + 1, T0, T0)] {
        let ix = env.create_ix(env.args(9, TOTAL, start, cliff, end, false));
        fails(&mut env.svm, &creator, &[], &[ix], custom(E::InvalidSchedule));
    }
    let ix = env.create_ix(env.args(9, 0, T0, T0, T0, false));
    fails(&mut env.svm, &creator, &[], &[ix], custom(E::ZeroAmount));

    // Funding from someone else's account.
    let mut ix = env.create_ix(env.args(9, TOTAL, T0, T0, T0, false));
    ix.accounts[4].pubkey = env.beneficiary_token;
    fails(&mut env.svm, &creator, &[], &[ix], custom(E::WrongTokenOwner));
    // A vault that is not the schedule's associated token account.
    let mut ix = env.create_ix(env.args(9, TOTAL, T0, T0, T0, false));
    ix.accounts[3].pubkey = env.beneficiary_token;
    fails(&mut env.svm, &creator, &[], &[ix], custom(Anchor::ConstraintTokenOwner));

    // Claiming into an account of another mint.
    let schedule = env.create(env.args(9, TOTAL, T0, T0, T0, false));
    let other_mint = create_mint(&mut env.svm, &creator, &creator.pubkey());
    let other = create_token_account(&mut env.svm, &creator, &other_mint, &env.beneficiary.pubkey());
    let ix = env.claim_ix(&schedule, &env.beneficiary.pubkey(), &other);
    let beneficiary = env.beneficiary.insecure_clone();
    fails(&mut env.svm, &beneficiary, &[], &[ix], custom(E::WrongMint));
    // Another schedule's vault.
    let second = env.create(env.args(10, TOTAL, T0, T0, T0, false));
    let mut ix = env.claim_ix(&schedule, &env.beneficiary.pubkey(), &env.beneficiary_token);
    ix.accounts[2].pubkey = env.vault(&second);
    fails(&mut env.svm, &beneficiary, &[], &[ix], custom(Anchor::ConstraintAddress));
}

#[test]
fn compute_units_of_a_claim() {
    let mut env = Env::new();
    let schedule = env.create(env.args(11, TOTAL, T0, T0, T0 + YEAR, false));
    set_time(&mut env.svm, T0 + YEAR / 3);
    let ix = env.claim_ix(&schedule, &env.beneficiary.pubkey(), &env.beneficiary_token);
    let beneficiary = env.beneficiary.insecure_clone();
    let meta = ok(&mut env.svm, &beneficiary, &[], &[ix]);
    println!("dispatch_vesting claim: {} compute units (SBF, SPL Token transfer_checked inside)", meta.compute_units_consumed);
    assert!(meta.compute_units_consumed > 0 && meta.compute_units_consumed < 200_000);
}

/// One step of the property test: at time `t`, claim, or revoke.
#[derive(Debug, Clone)]
enum Step {
    Claim(i64),
    Revoke(i64),
}

fn schedule_and_steps() -> impl Strategy<Value = (u64, i64, i64, i64, Vec<Step>)> {
    (1u64..=u64::MAX / 4, 0i64..3 * YEAR, 0i64..2 * YEAR, 0i64..4 * YEAR).prop_flat_map(|(total, start_off, cliff_len, linear_len)| {
        let start = T0 + start_off;
        let cliff = start + cliff_len;
        let end = cliff + linear_len;
        let horizon = end - T0 + YEAR;
        let step = prop_oneof![9 => (0..=horizon).prop_map(|d| Step::Claim(T0 + d)), 1 => (0..=horizon).prop_map(|d| Step::Revoke(T0 + d))];
        (Just(total), Just(start), Just(cliff), Just(end), proptest::collection::vec(step, 1..8))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// For random schedules and random claim (and revocation) times in
    /// increasing order, the schedule's claimed + claimable + unvested +
    /// revoked equals its total at every step, the vault holds the rest,
    /// and a claim pays exactly the claimable part.
    #[test]
    fn claimed_plus_claimable_plus_unvested_is_the_total((total, start, cliff, end, mut steps) in schedule_and_steps()) {
        steps.sort_by_key(|s| match s { Step::Claim(t) | Step::Revoke(t) => *t });
        let mut env = Env::new();
        mint_to(&mut env.svm, &env.creator.insecure_clone(), &env.mint, &env.source, total);
        let schedule = env.create(env.args(1, total, start, cliff, end, true));
        let mut revoked_to = 0u64;
        for step in steps {
            let t = match step {
                Step::Claim(t) => {
                    let state: VestingSchedule = account(&env.svm, &schedule);
                    let expected = state.claimable_at(t);
                    if expected == 0 { env.nothing_at(&schedule, t) } else { prop_assert_eq!(env.claim_at(&schedule, t), expected) }
                    t
                }
                Step::Revoke(t) => {
                    set_time(&mut env.svm, t);
                    let ix = env.revoke_ix(&schedule, &env.authority.pubkey());
                    let authority = env.authority.insecure_clone();
                    if revoked_to > 0 || account::<VestingSchedule>(&env.svm, &schedule).revoked_at.is_some() {
                        fails(&mut env.svm, &authority, &[], &[ix], custom(E::AlreadyRevoked));
                    } else {
                        ok(&mut env.svm, &authority, &[], &[ix]);
                        revoked_to = token_balance(&env.svm, &env.authority_token);
                    }
                    t
                }
            };
            let state: VestingSchedule = account(&env.svm, &schedule);
            let claimed = token_balance(&env.svm, &env.beneficiary_token);
            prop_assert_eq!(state.claimed, claimed);
            prop_assert_eq!(state.revoked_amount, revoked_to);
            prop_assert_eq!(state.claimed + state.claimable_at(t) + state.unvested_at(t) + state.revoked_amount, total);
            prop_assert_eq!(token_balance(&env.svm, &env.vault(&schedule)), total - claimed - revoked_to);
            // The program's curve against an independent computation.
            let t_eff = state.revoked_at.map_or(t, |r| t.min(r));
            let independent = if t_eff < cliff { 0 } else if t_eff >= end { total } else { share(total, t_eff - start, end - start) };
            prop_assert_eq!(state.vested_at(t), independent);
        }
    }
}
