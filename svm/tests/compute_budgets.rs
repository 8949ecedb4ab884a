//! Compute units of every instruction of the Dispatch programs (staking,
//! settlement, anchor, rewards, vesting), measured on their SBF builds, against the budgets documented in
//! docs/solana-programs.md ("Compute budgets"), which the Python clients
//! set as compute-unit limits (dispatch_chain/solana/budgets.py).
//!
//! Each instruction runs in a typical case (ordinary arguments, the PDAs
//! it searches with `find_program_address` found at the first bump, 255)
//! and a worst case (the longest arguments the program accepts, and
//! searched PDAs whose bump is 250 or lower; where a program creates a PDA
//! account, that account prefunded by a third party, which turns one
//! `create_account` into `transfer`, `allocate` and `assign`). A budget holds for bump 255;
//! each further bump tried costs `PER_BUMP` CU, which clients add, so every
//! run must satisfy `measured <= budget + PER_BUMP * extra bumps`.
//! `cargo test -p dispatch-svm --test compute_budgets -- --nocapture`
//! prints the measured table.

#[path = "../../programs/test_support.rs"]
#[macro_use]
#[allow(unused_macros)]
mod support;
#[path = "../../programs/sbf_test_support.rs"]
mod sbf;

use std::collections::BTreeMap;

use dispatch_svm::LiteSVM;
use sbf::{ata, create_ata_ix, ATA_PROGRAM};
use solana_address::Address;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use support::*;

/// CU of one `find_program_address` iteration: the syscall charges
/// `create_program_address_units` per bump tried.
const PER_BUMP: u64 = 1_500;

/// One run: (case, CU, extra bumps).
type Run = (&'static str, u64, u64);

#[derive(Default)]
struct Measured {
    /// (program, instruction) -> runs
    runs: BTreeMap<(String, String), Vec<Run>>,
}

impl Measured {
    /// Sends `ix` of `(program, instruction)` alone, paid and signed by `payer`, and records its CU.
    fn run(&mut self, svm: &mut LiteSVM, (program, name): (&str, &str), case: &'static str, extra: u64, payer: &Keypair, ix: Instruction) {
        let meta = ok(svm, payer, &[], &[ix]);
        self.runs.entry((program.to_string(), name.to_string())).or_default().push((case, meta.compute_units_consumed, extra));
    }
}

/// The bump `find_program_address` finds for `seeds`: 255 - bump extra iterations.
fn extra(seeds: &[&[u8]], program: &Address) -> u64 {
    255 - u64::from(Address::find_program_address(seeds, program).1)
}

/// A PDA's seeds and the program it is derived under.
type Pda = (Vec<Vec<u8>>, Address);

/// The bump `find_program_address` finds for `pda`.
fn bump_of((seeds, program): &Pda) -> u8 {
    let refs: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    Address::find_program_address(&refs, program).1
}

/// A value from `make(i)` for the first i whose PDAs `pdas_of(value)` all have a
/// bump of 255 (`low == false`) or all at most 250 (`low == true`).
fn with_bumps<T>(low: bool, make: impl Fn(u64) -> T, pdas_of: impl Fn(&T) -> Vec<Pda>) -> T {
    (0..100_000)
        .map(make)
        .find(|value| pdas_of(value).iter().map(bump_of).all(|bump| if low { bump <= 250 } else { bump == 255 }))
        .expect("such a value exists")
}

/// [`with_bumps`] for one PDA of `program`.
fn with_bump<T>(program: &Address, low: bool, make: impl Fn(u64) -> T, seeds_of: impl Fn(&T) -> Vec<Vec<u8>>) -> T {
    with_bumps(low, make, |value| vec![(seeds_of(value), *program)])
}

/// The seeds of `owner`'s associated token account of `mint` (under [`ATA_PROGRAM`]).
fn ata_seeds(owner: &Address, mint: &Address) -> Pda {
    (vec![owner.to_bytes().to_vec(), TOKEN_PROGRAM.to_bytes().to_vec(), mint.to_bytes().to_vec()], ATA_PROGRAM)
}

/// The extra bumps `find_program_address` tries for `owner`'s associated token account of `mint`.
fn ata_extra(owner: &Address, mint: &Address) -> u64 {
    255 - u64::from(bump_of(&ata_seeds(owner, mint)))
}

/// Funds `address` with the rent of an empty account, as anyone can before a
/// program creates a PDA there: the program then pays `transfer`, `allocate`
/// and `assign` instead of one `create_account`.
fn prefund(svm: &mut LiteSVM, address: &Address) {
    let lamports = svm.minimum_balance_for_rent_exemption(0);
    svm.airdrop(address, lamports).expect("airdrop");
}

/// A new mint (authority `authority`) whose associated token account for
/// `owner` has a bump of 255 (`low == false`) or at most 250.
fn mint_with_ata_bump(svm: &mut LiteSVM, authority: &Keypair, owner: &Address, low: bool) -> Address {
    (0..1_000)
        .map(|_| create_mint(svm, authority, &authority.pubkey()))
        .find(|mint| if low { ata_extra(owner, mint) >= 5 } else { ata_extra(owner, mint) == 0 })
        .expect("such a mint")
}

/// The `n`th of a fixed sequence of keypairs (the measurements repeat exactly).
fn nth_keypair(n: u64) -> Keypair {
    Keypair::new_from_array(solana_sha256_hasher::hashv(&[b"compute budgets", &n.to_le_bytes()]).to_bytes())
}

fn keypair_with_bump(program: &Address, seed: &[u8], low: bool) -> Keypair {
    with_bump(program, low, nth_keypair, |k| vec![seed.to_vec(), k.pubkey().to_bytes().to_vec()])
}

fn svm() -> LiteSVM {
    let mut svm = dispatch_svm::new_svm();
    deploy(&mut svm, dispatch_staking::ID, "dispatch_staking");
    deploy(&mut svm, dispatch_settlement::ID, "dispatch_settlement");
    deploy(&mut svm, dispatch_anchor::ID, "dispatch_anchor");
    deploy(&mut svm, dispatch_rewards::ID, "dispatch_rewards");
    deploy(&mut svm, dispatch_vesting::ID, "dispatch_vesting");
    svm.airdrop(&deployer().pubkey(), 100_000_000_000).expect("airdrop");
    svm
}

fn funded_keypair(svm: &mut LiteSVM, keypair: Keypair) -> Keypair {
    svm.airdrop(&keypair.pubkey(), 10_000_000_000).expect("airdrop");
    keypair
}

/// `propose_admin` and `accept_admin` of `$program` (config PDA `["config"]`,
/// the same accounts in every program), signed by `$admin` and a new key.
macro_rules! measure_admin_handover {
    ($m:expr, $svm:expr, $program:ident, $admin:expr) => {{
        use $program::{accounts as a, instruction as i, ID};
        let svm: &mut LiteSVM = $svm;
        let admin: &Keypair = $admin;
        let program = stringify!($program);
        let config = pda(&[b"config"], &ID);
        let next = funded(svm);
        let propose = ix(ID, a::ProposeAdmin { admin: admin.pubkey(), config }, i::ProposeAdmin { new_admin: next.pubkey() });
        $m.run(svm, (program, "propose_admin"), "typical", 0, admin, propose);
        let accept = ix(ID, a::AcceptAdmin { new_admin: next.pubkey(), config }, i::AcceptAdmin {});
        $m.run(svm, (program, "accept_admin"), "typical", 0, &next, accept);
    }};
}

/// dispatch_staking's `initialize` of `mint` by `admin` (the upgrade authority).
fn staking_initialize(admin: &Keypair, mint: Address, args: dispatch_staking::instruction::Initialize) -> Instruction {
    use dispatch_staking::{accounts as a, ID};
    let init = a::Initialize {
        admin: admin.pubkey(),
        config: pda(&[b"config"], &ID),
        mint,
        vault: pda(&[b"vault"], &ID),
        token_program: TOKEN_PROGRAM,
        system_program: SYSTEM_PROGRAM,
        program: ID,
        program_data: programdata(&ID),
    };
    ix(ID, init, args)
}

fn measure_staking(m: &mut Measured) {
    use dispatch_staking::{accounts as a, instruction as i, ID};
    const P: &str = "dispatch_staking";
    let mut svm = svm();
    let admin = deployer();
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    // The SENTINEL threshold may not exceed the mint's supply.
    let treasury = create_token_account(&mut svm, &admin, &mint, &admin.pubkey());
    mint_to(&mut svm, &admin, &mint, &treasury, 1_000_000 * BOLT);
    let config = pda(&[b"config"], &ID);
    let vault = pda(&[b"vault"], &ID);
    let fixed = extra(&[b"config"], &ID) + extra(&[b"vault"], &ID);
    let args = i::Initialize { verified_threshold: 100 * BOLT, sentinel_threshold: 1_000 * BOLT, cooldown_seconds: 3_600 };
    m.run(&mut svm, (P, "initialize"), "typical", fixed, &admin, staking_initialize(&admin, mint, args));
    let update = ix(
        ID,
        a::UpdateConfig { admin: admin.pubkey(), config, mint },
        i::UpdateConfig { verified_threshold: 100 * BOLT, sentinel_threshold: 1_000 * BOLT, cooldown_seconds: 0 },
    );
    m.run(&mut svm, (P, "update_config"), "typical", 0, &admin, update);

    for (case, low) in [("typical", false), ("worst", true)] {
        let worker = funded_keypair(&mut svm, keypair_with_bump(&ID, b"stake", low));
        let token = create_token_account(&mut svm, &admin, &mint, &worker.pubkey());
        mint_to(&mut svm, &admin, &mint, &token, 1_000 * BOLT);
        let stake_account = pda(&[b"stake", worker.pubkey().as_ref()], &ID);
        let bumps = extra(&[b"stake", worker.pubkey().as_ref()], &ID);
        let stake = || a::Stake {
            worker: worker.pubkey(),
            config,
            stake_account,
            worker_token: token,
            vault,
            mint,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        };
        // The first stake creates the stake account: the dearer one.
        m.run(&mut svm, (P, "stake"), case, bumps, &worker, ix(ID, stake(), i::Stake { amount: 500 * BOLT }));
        m.run(&mut svm, (P, "stake"), "again", bumps, &worker, ix(ID, stake(), i::Stake { amount: BOLT }));
        let unstake = || a::RequestUnstake { worker: worker.pubkey(), config, stake_account };
        m.run(&mut svm, (P, "request_unstake"), case, 0, &worker, ix(ID, unstake(), i::RequestUnstake { amount: BOLT }));
        let cancel = a::CancelUnstake { worker: worker.pubkey(), config, stake_account };
        m.run(&mut svm, (P, "cancel_unstake"), case, 0, &worker, ix(ID, cancel, i::CancelUnstake {}));
        m.run(&mut svm, (P, "request_unstake"), case, 0, &worker, ix(ID, unstake(), i::RequestUnstake { amount: 100 * BOLT }));
        let withdraw =
            a::Withdraw { worker: worker.pubkey(), config, stake_account, worker_token: token, vault, mint, token_program: TOKEN_PROGRAM };
        m.run(&mut svm, (P, "withdraw"), case, 0, &worker, ix(ID, withdraw, i::Withdraw {}));
    }
    measure_admin_handover!(m, &mut svm, dispatch_staking, &admin);
}

fn measure_settlement(m: &mut Measured) {
    use dispatch_settlement::{accounts as a, instruction as i, ID, MAX_JOB_ID_LEN};
    const P: &str = "dispatch_settlement";
    let mut svm = svm();
    let admin = deployer();
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    let config = pda(&[b"config"], &ID);
    let init =
        a::Initialize { admin: admin.pubkey(), config, mint, system_program: SYSTEM_PROGRAM, program: ID, program_data: programdata(&ID) };
    m.run(&mut svm, (P, "initialize"), "typical", extra(&[b"config"], &ID), &admin, ix(ID, init, i::Initialize { fee_bps: 500 }));
    m.run(&mut svm, (P, "set_fee"), "typical", 0, &admin, ix(ID, a::SetFee { admin: admin.pubkey(), config }, i::SetFee { fee_bps: 500 }));

    let coordinator = funded_keypair(&mut svm, nth_keypair(u64::MAX));
    let coordinator_token = create_token_account(&mut svm, &admin, &mint, &coordinator.pubkey());
    mint_to(&mut svm, &admin, &mint, &coordinator_token, 1_000_000 * BOLT);
    let worker_token = create_token_account(&mut svm, &admin, &mint, &Address::new_unique());
    let hash = |job: &str| solana_sha256_hasher::hash(job.as_bytes()).to_bytes();
    let seeds = |job: &String| vec![b"settlement".to_vec(), coordinator.pubkey().to_bytes().to_vec(), hash(job).to_vec()];
    for (case, low, len) in [("typical", false, 12), ("worst", true, MAX_JOB_ID_LEN)] {
        let job = with_bump(&ID, low, |n| format!("{n:0>len$}"), seeds);
        let job_id_hash = hash(&job);
        let settlement = pda(&[b"settlement", coordinator.pubkey().as_ref(), &job_id_hash], &ID);
        let bumps = extra(&[b"settlement", coordinator.pubkey().as_ref(), &job_id_hash], &ID);
        let accounts = a::Settle {
            coordinator: coordinator.pubkey(),
            config,
            settlement,
            coordinator_token,
            worker_token,
            mint,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        };
        // Both CPIs (transfer and burn) run: a fee above zero.
        let args = i::Settle { job_id: job, job_id_hash, amount: 1_000 * BOLT, receipt_hash: [7; 32] };
        m.run(&mut svm, (P, "settle"), case, bumps, &coordinator, ix(ID, accounts, args));
    }
    measure_admin_handover!(m, &mut svm, dispatch_settlement, &admin);
}

fn measure_anchor(m: &mut Measured) {
    use dispatch_anchor::merkle::{process_proof, receipt_leaf};
    use dispatch_anchor::{accounts as a, instruction as i, ID, MAX_PROOF_LEN, MAX_URI_LEN};
    const P: &str = "dispatch_anchor";
    let mut svm = svm();
    let admin = deployer();
    let config = pda(&[b"config"], &ID);
    let init = a::Initialize { admin: admin.pubkey(), config, system_program: SYSTEM_PROGRAM, program: ID, program_data: programdata(&ID) };
    m.run(&mut svm, (P, "initialize"), "typical", extra(&[b"config"], &ID), &admin, ix(ID, init, i::Initialize {}));

    for (case, low, uri_len, depth) in [("typical", false, 40, 10), ("worst", true, MAX_URI_LEN, MAX_PROOF_LEN)] {
        let anchorer = funded_keypair(&mut svm, keypair_with_bump(&ID, b"anchorer", low));
        let anchorer_pda = pda(&[b"anchorer", anchorer.pubkey().as_ref()], &ID);
        let anchorer_bumps = extra(&[b"anchorer", anchorer.pubkey().as_ref()], &ID);
        let add = a::AddAnchorer { admin: admin.pubkey(), config, anchorer: anchorer_pda, system_program: SYSTEM_PROGRAM };
        m.run(&mut svm, (P, "add_anchorer"), case, anchorer_bumps, &admin, ix(ID, add, i::AddAnchorer { authority: anchorer.pubkey() }));

        // A proof of `depth` siblings and the root it leads to, whose batch PDA has the wanted bump.
        let receipt = ([1u8; 32], [2u8; 32], [3u8; 32]);
        let leaf = receipt_leaf(&receipt.0, &receipt.1, &receipt.2);
        let (proof, root) = with_bump(
            &ID,
            low,
            |n| {
                let proof = siblings(n, depth);
                let root = process_proof(&leaf, &proof);
                (proof, root)
            },
            |(_, root)| vec![b"batch".to_vec(), root.to_vec()],
        );
        let batch = pda(&[b"batch", &root], &ID);
        let bumps = extra(&[b"batch", &root], &ID) + anchorer_bumps;
        let anchor = a::AnchorBatch { authority: anchorer.pubkey(), anchorer: anchorer_pda, config, batch, system_program: SYSTEM_PROGRAM };
        let args = i::AnchorBatch { root, leaf_count: 1 << depth.min(20), uri: "u".repeat(uri_len) };
        m.run(&mut svm, (P, "anchor_batch"), case, bumps, &anchorer, ix(ID, anchor, args));
        let batch_id = account::<dispatch_anchor::Batch>(&svm, &batch).batch_id;
        let verify = ix(ID, a::Verify { batch }, i::Verify { batch_id, leaf, proof: proof.clone() });
        m.run(&mut svm, (P, "verify"), case, 0, &anchorer, verify);
        let verify_receipt = ix(
            ID,
            a::Verify { batch },
            i::VerifyReceipt { batch_id, receipt_hash: receipt.0, provider_key: receipt.1, signature_hash: receipt.2, proof },
        );
        m.run(&mut svm, (P, "verify_receipt"), case, 0, &anchorer, verify_receipt);
        let remove = a::RemoveAnchorer { admin: admin.pubkey(), config, anchorer: anchorer_pda };
        m.run(&mut svm, (P, "remove_anchorer"), case, 0, &admin, ix(ID, remove, i::RemoveAnchorer {}));
    }
    measure_admin_handover!(m, &mut svm, dispatch_anchor, &admin);
}

/// dispatch_rewards' claim proofs have no length cap in the program; the
/// transaction carrying one does: a legacy transaction (1,232 bytes) holds
/// the claim with at most this many siblings, trees of up to 2^23 (8.4M)
/// leaves (`claim_proof_depth_is_bounded_by_the_transaction_size` checks the
/// bound; the client adds the worker's `create_idempotent`, which leaves room
/// for 21). The worst case measures a proof of this depth.
const CLAIM_MAX_DEPTH: usize = 23;
/// The typical claim: a proof in a 10,000-worker epoch.
const CLAIM_TYPICAL_DEPTH: usize = 14;
const REWARDS_START: i64 = 1_800_000_000;
const WEEK: i64 = 7 * 24 * 3600;

/// dispatch_rewards' `claim` of `amount` in `epoch` by `worker`, paid to `worker_token`.
fn rewards_claim(worker: &Address, worker_token: Address, mint: Address, epoch: u64, amount: u64, proof: Vec<[u8; 32]>) -> Instruction {
    use dispatch_rewards::{accounts as a, instruction as i, ID};
    let config = pda(&[b"config"], &ID);
    let epoch_root = pda(&[b"epoch", &epoch.to_le_bytes()], &ID);
    let accounts = a::Claim {
        worker: *worker,
        config,
        epoch_root,
        claim_record: pda(&[b"claim", epoch_root.as_ref(), worker.as_ref()], &ID),
        worker_token,
        vault: ata(&config, &mint),
        mint,
        token_program: TOKEN_PROGRAM,
        system_program: SYSTEM_PROGRAM,
    };
    ix(ID, accounts, i::Claim { amount, proof })
}

/// `depth` siblings, a fixed sequence for each `n`.
fn siblings(n: u64, depth: usize) -> Vec<[u8; 32]> {
    (0..depth).map(|d| solana_sha256_hasher::hashv(&[&n.to_le_bytes(), &(d as u64).to_le_bytes()]).to_bytes()).collect()
}

/// dispatch_rewards: `initialize` in a fresh SVM (the config is a singleton)
/// whose vault ATA has the wanted bump, the config prefunded in the worst case.
fn rewards_initialized(m: &mut Measured, case: &'static str, low: bool) -> (LiteSVM, Address) {
    use dispatch_rewards::{accounts as a, instruction as i, ID};
    let mut svm = svm();
    set_time(&mut svm, REWARDS_START - 3_600);
    let admin = deployer();
    let config = pda(&[b"config"], &ID);
    let mint = mint_with_ata_bump(&mut svm, &admin, &config, low);
    ok(&mut svm, &admin, &[], &[create_ata_ix(&admin.pubkey(), &config, &mint)]);
    if low {
        prefund(&mut svm, &config);
    }
    let init = a::Initialize {
        admin: admin.pubkey(),
        config,
        vault: ata(&config, &mint),
        mint,
        token_program: TOKEN_PROGRAM,
        system_program: SYSTEM_PROGRAM,
        program: ID,
        program_data: programdata(&ID),
    };
    let args = i::Initialize { start_ts: REWARDS_START, epoch_seconds: WEEK, distributor: admin.pubkey() };
    let bumps = extra(&[b"config"], &ID) + ata_extra(&config, &mint);
    m.run(&mut svm, ("dispatch_rewards", "initialize"), case, bumps, &admin, ix(ID, init, args));
    (svm, mint)
}

fn measure_rewards(m: &mut Measured) {
    use dispatch_rewards::merkle::{process_proof, reward_leaf};
    use dispatch_rewards::{accounts as a, instruction as i, PostRootArgs, ID};
    const P: &str = "dispatch_rewards";
    rewards_initialized(m, "typical", false);
    let (mut svm, mint) = rewards_initialized(m, "worst", true);
    let admin = deployer();
    let config = pda(&[b"config"], &ID);
    let vault = ata(&config, &mint);
    mint_to(&mut svm, &admin, &mint, &vault, 1_000_000 * BOLT);
    let set = ix(ID, a::SetDistributor { admin: admin.pubkey(), config }, i::SetDistributor { new_distributor: admin.pubkey() });
    m.run(&mut svm, (P, "set_distributor"), "typical", 0, &admin, set);

    // 50 years of weekly epochs have ended: epochs to choose bumps from, the whole curve released.
    set_time(&mut svm, REWARDS_START + 50 * 365 * 24 * 3_600);
    let epoch_seeds = |epoch: u64| vec![b"epoch".to_vec(), epoch.to_le_bytes().to_vec()];
    for (case, low, depth) in [("typical", false, CLAIM_TYPICAL_DEPTH), ("worst", true, CLAIM_MAX_DEPTH)] {
        // The epoch's root PDA (post_root's search) and the worker's claim record (claim's) at the wanted bumps.
        let epoch = with_bump(&ID, low, |n| n, |epoch| epoch_seeds(*epoch));
        let epoch_root = pda(&[b"epoch", &epoch.to_le_bytes()], &ID);
        let claim_seeds = |worker: &Keypair| vec![b"claim".to_vec(), epoch_root.to_bytes().to_vec(), worker.pubkey().to_bytes().to_vec()];
        let worker = funded_keypair(&mut svm, with_bump(&ID, low, nth_keypair, claim_seeds));
        let worker_token = create_token_account(&mut svm, &admin, &mint, &worker.pubkey());
        let amount = 100 * BOLT;
        let proof = siblings(epoch, depth);
        let root = process_proof(&reward_leaf(epoch, &worker.pubkey().to_bytes(), amount), &proof);

        let claim_record = pda(&[b"claim", epoch_root.as_ref(), worker.pubkey().as_ref()], &ID);
        if low {
            prefund(&mut svm, &epoch_root);
            prefund(&mut svm, &claim_record);
        }
        let post = a::PostRoot { distributor: admin.pubkey(), config, epoch_root, vault, system_program: SYSTEM_PROGRAM };
        let args = i::PostRoot { args: PostRootArgs { epoch, root, total: amount, workers: 1 << depth.min(31) } };
        m.run(&mut svm, (P, "post_root"), case, extra(&[b"epoch", &epoch.to_le_bytes()], &ID), &admin, ix(ID, post, args));
        let claim = rewards_claim(&worker.pubkey(), worker_token, mint, epoch, amount, proof);
        let bumps = extra(&[b"claim", epoch_root.as_ref(), worker.pubkey().as_ref()], &ID);
        m.run(&mut svm, (P, "claim"), case, bumps, &worker, claim);
    }
}

fn measure_vesting(m: &mut Measured) {
    use dispatch_vesting::{accounts as a, instruction as i, CreateScheduleArgs, ID};
    const P: &str = "dispatch_vesting";
    const YEAR: i64 = 365 * 24 * 3_600;
    let mut svm = svm();
    set_time(&mut svm, REWARDS_START);
    let creator = deployer();
    let mint = create_mint(&mut svm, &creator, &creator.pubkey());
    let source = create_token_account(&mut svm, &creator, &mint, &creator.pubkey());
    mint_to(&mut svm, &creator, &mint, &source, 1_000_000 * BOLT);
    for (case, low) in [("typical", false), ("worst", true)] {
        // A schedule id whose schedule PDA and vault ATA (create_schedule's two searches) have the wanted bumps.
        let schedule_of = |id: &Address| pda(&[b"schedule", creator.pubkey().as_ref(), id.as_ref()], &ID);
        let id = with_bumps(
            low,
            |n| nth_keypair(n).pubkey(),
            |id| {
                let seeds = vec![b"schedule".to_vec(), creator.pubkey().to_bytes().to_vec(), id.to_bytes().to_vec()];
                vec![(seeds, ID), ata_seeds(&schedule_of(id), &mint)]
            },
        );
        let schedule = schedule_of(&id);
        let vault = ata(&schedule, &mint);
        ok(&mut svm, &creator, &[], &[create_ata_ix(&creator.pubkey(), &schedule, &mint)]);
        if low {
            prefund(&mut svm, &schedule);
        }
        let beneficiary = funded(&mut svm);
        let start = now(&svm);
        let args = CreateScheduleArgs {
            beneficiary: beneficiary.pubkey(),
            total: 1_000 * BOLT,
            start_ts: start,
            cliff_ts: start,
            end_ts: start + 4 * YEAR,
            revoke_authority: Some(creator.pubkey()),
        };
        let create = a::CreateSchedule {
            creator: creator.pubkey(),
            schedule_id: id,
            schedule,
            vault,
            source,
            mint,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        };
        let bumps = extra(&[b"schedule", creator.pubkey().as_ref(), id.as_ref()], &ID) + ata_extra(&schedule, &mint);
        m.run(&mut svm, (P, "create_schedule"), case, bumps, &creator, ix(ID, create, i::CreateSchedule { args }));

        // A year in: a quarter vested and claimed, the rest revoked (both transfer).
        set_time(&mut svm, start + YEAR);
        let destination = create_token_account(&mut svm, &creator, &mint, &beneficiary.pubkey());
        let claim = a::Claim { beneficiary: beneficiary.pubkey(), schedule, vault, destination, mint, token_program: TOKEN_PROGRAM };
        m.run(&mut svm, (P, "claim"), case, 0, &beneficiary, ix(ID, claim, i::Claim {}));
        let revoke = a::Revoke { authority: creator.pubkey(), schedule, vault, destination: source, mint, token_program: TOKEN_PROGRAM };
        m.run(&mut svm, (P, "revoke"), case, 0, &creator, ix(ID, revoke, i::Revoke {}));
        let set = a::SetBeneficiary { beneficiary: beneficiary.pubkey(), schedule };
        let args = i::SetBeneficiary { new_beneficiary: Address::new_unique() };
        m.run(&mut svm, (P, "set_beneficiary"), case, 0, &beneficiary, ix(ID, set, args));
    }
}

/// SPL Token's `MintToChecked`, which genesis transactions carry before the
/// schedule's `create_schedule` (minting the schedule's funds to its creator).
fn measure_spl_token(m: &mut Measured) {
    let mut svm = svm();
    let authority = funded(&mut svm);
    let mint = create_mint(&mut svm, &authority, &authority.pubkey());
    let account = create_token_account(&mut svm, &authority, &mint, &authority.pubkey());
    let mint_to =
        spl_token_interface::instruction::mint_to_checked(&TOKEN_PROGRAM, &mint, &account, &authority.pubkey(), &[], BOLT, DECIMALS)
            .expect("mint_to_checked");
    m.run(&mut svm, ("spl_token", "mint_to_checked"), "typical", 0, &authority, mint_to);
}

/// The Associated Token Account program's `CreateIdempotent`, which settle
/// transactions carry to create the worker's account: it searches the
/// associated address's bump too.
fn measure_ata(m: &mut Measured) {
    const P: &str = "spl_associated_token_account";
    let mut svm = svm();
    let payer = funded(&mut svm);
    let mint = create_mint(&mut svm, &payer, &payer.pubkey());
    for (case, low) in [("typical", false), ("worst", true)] {
        let owner = with_bumps(low, |n| nth_keypair(n).pubkey(), |owner| vec![ata_seeds(owner, &mint)]);
        let bumps = ata_extra(&owner, &mint);
        m.run(&mut svm, (P, "create_idempotent"), case, bumps, &payer, create_ata_ix(&payer.pubkey(), &owner, &mint));
        // The account exists: nothing to create (what most settlements pay).
        m.run(&mut svm, (P, "create_idempotent"), "again", bumps, &payer, create_ata_ix(&payer.pubkey(), &owner, &mint));
    }
}

/// The "Compute budgets" table of docs/solana-programs.md: (program,
/// instruction) -> budget, from rows `| program | instruction | typical |
/// worst | budget | searched PDAs |`.
fn documented_budgets() -> BTreeMap<(String, String), u64> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/solana-programs.md");
    let text = std::fs::read_to_string(path).expect("docs/solana-programs.md");
    let section = text.split("## Compute budgets").nth(1).expect("a \"## Compute budgets\" section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter(|line| line.starts_with("| dispatch_") || line.starts_with("| spl_"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert!(cells.len() >= 5, "a budget row has program, instruction, typical, worst, budget: {line}");
            let number =
                |cell: &str| cell.replace([',', '`'], "").parse::<u64>().unwrap_or_else(|_| panic!("not a number: {cell:?} in {line}"));
            ((cells[0].to_string(), cells[1].trim_matches('`').to_string()), number(cells[4]))
        })
        .collect()
}

/// The instructions of `program` in its committed IDL.
fn idl_instructions(program: &str) -> Vec<String> {
    let path = format!("{}/../idl/{program}.json", env!("CARGO_MANIFEST_DIR"));
    let idl: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("IDL")).expect("IDL JSON");
    idl["instructions"].as_array().expect("instructions").iter().map(|i| i["name"].as_str().expect("name").to_string()).collect()
}

#[test]
fn every_instruction_stays_within_its_documented_budget() {
    let mut m = Measured::default();
    measure_staking(&mut m);
    measure_settlement(&mut m);
    measure_anchor(&mut m);
    measure_rewards(&mut m);
    measure_vesting(&mut m);
    measure_ata(&mut m);
    measure_spl_token(&mut m);

    // typical: the dearest typical run; worst: the dearest run (its extra bumps);
    // at bump 255: the most any run costs less PER_BUMP per extra bump, what a budget must cover.
    println!("| program | instruction | typical | worst case | extra bumps | at bump 255 |");
    for ((program, name), runs) in &m.runs {
        let typical = runs.iter().filter(|r| r.0 == "typical").map(|r| r.1).max().unwrap_or(0);
        let worst = runs.iter().max_by_key(|r| r.1).expect("a run");
        let base = runs.iter().map(|r| r.1 - PER_BUMP * r.2).max().expect("a run");
        println!("| {program} | `{name}` | {typical} | {} | {} | {base} |", worst.1, worst.2);
    }

    let failures = budget_failures(&m, &documented_budgets());
    assert!(failures.is_empty(), "compute budgets:\n{}", failures.join("\n"));
}

/// Every instruction of the programs' IDLs that is not measured or has no
/// budget, and every run over its budget (plus PER_BUMP per extra bump).
fn budget_failures(m: &Measured, budgets: &BTreeMap<(String, String), u64>) -> Vec<String> {
    let mut failures = Vec::new();
    for program in ["dispatch_staking", "dispatch_settlement", "dispatch_anchor", "dispatch_rewards", "dispatch_vesting"] {
        for name in idl_instructions(program) {
            let key = (program.to_string(), name.clone());
            if !m.runs.contains_key(&key) {
                failures.push(format!("{program}::{name} is not measured by this test"));
            }
            if !budgets.contains_key(&key) {
                failures.push(format!("{program}::{name} has no row in docs/solana-programs.md's budget table"));
            }
        }
    }
    for (key, runs) in &m.runs {
        let Some(budget) = budgets.get(key) else { continue };
        for (case, cu, bumps) in runs {
            let allowed = budget + PER_BUMP * bumps;
            if cu > &allowed {
                failures.push(format!(
                    "{}::{} ({case}) used {cu} CU, over its budget {budget} + {PER_BUMP} x {bumps} bumps = {allowed}",
                    key.0, key.1
                ));
            }
        }
    }
    failures
}

#[test]
fn the_check_fails_for_a_run_over_its_budget_and_a_missing_row() {
    let mut m = Measured::default();
    measure_rewards(&mut m);
    let mut budgets = documented_budgets();
    let claim = ("dispatch_rewards".to_string(), "claim".to_string());
    // One CU less than the worst claim at bump 255 (its bumps' PER_BUMP still allowed).
    let needed = m.runs[&claim].iter().map(|r| r.1 - PER_BUMP * r.2).max().expect("a run");
    budgets.insert(claim, needed - 1);
    budgets.remove(&("dispatch_rewards".to_string(), "post_root".to_string()));
    let failures = budget_failures(&m, &budgets);
    assert!(failures.iter().any(|f| f.starts_with("dispatch_rewards::claim (worst) used")), "{failures:?}");
    assert!(
        failures.iter().any(|f| f == "dispatch_rewards::post_root has no row in docs/solana-programs.md's budget table"),
        "{failures:?}"
    );
    // Only rewards was measured: every instruction of the other programs is reported unmeasured.
    assert!(failures.iter().any(|f| f == "dispatch_vesting::claim is not measured by this test"), "{failures:?}");
}

#[test]
fn one_bump_iteration_costs_per_bump() {
    // A PDA at bump 250 costs 5 x PER_BUMP more than one at 255: stake's first
    // call with two otherwise identical workers.
    use dispatch_staking::{accounts as a, instruction as i, ID};
    let mut svm = svm();
    let admin = deployer();
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    let treasury = create_token_account(&mut svm, &admin, &mint, &admin.pubkey());
    mint_to(&mut svm, &admin, &mint, &treasury, BOLT); // SENTINEL may not exceed the supply
    let (config, vault) = (pda(&[b"config"], &ID), pda(&[b"vault"], &ID));
    let args = i::Initialize { verified_threshold: 1, sentinel_threshold: 1, cooldown_seconds: 0 };
    ok(&mut svm, &admin, &[], &[staking_initialize(&admin, mint, args)]);
    let mut cost = |worker: Keypair| {
        let worker = funded_keypair(&mut svm, worker);
        let token = create_token_account(&mut svm, &admin, &mint, &worker.pubkey());
        mint_to(&mut svm, &admin, &mint, &token, BOLT);
        let stake_account = pda(&[b"stake", worker.pubkey().as_ref()], &ID);
        let accounts = a::Stake {
            worker: worker.pubkey(),
            config,
            stake_account,
            worker_token: token,
            vault,
            mint,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        };
        let cu = ok(&mut svm, &worker, &[], &[ix(ID, accounts, i::Stake { amount: BOLT })]).compute_units_consumed;
        (cu, extra(&[b"stake", worker.pubkey().as_ref()], &ID))
    };
    let (fast, none) = cost(keypair_with_bump(&ID, b"stake", false));
    let (slow, bumps) = cost(keypair_with_bump(&ID, b"stake", true));
    assert_eq!(none, 0);
    // The rest of the instruction varies by a few CU with the key's bytes.
    let per_bump = (slow - fast) as f64 / bumps as f64;
    assert!((per_bump - PER_BUMP as f64).abs() < 20.0, "{per_bump} CU per bump ({fast} -> {slow} over {bumps} bumps)");
}

#[test]
fn claim_proof_depth_is_bounded_by_the_transaction_size() {
    // A legacy transaction is at most 1,232 bytes (PACKET_DATA_SIZE): the
    // claim with its SetComputeUnitLimit fits with CLAIM_MAX_DEPTH siblings,
    // not with one more; with the worker's create_idempotent before it (as
    // the Python client sends it), two fewer fit.
    const PACKET_DATA_SIZE: u64 = 1_232;
    let compute_budget: Address = "ComputeBudget111111111111111111111111111111".parse().expect("id");
    let limit = Instruction { program_id: compute_budget, accounts: vec![], data: vec![2, 0, 0, 1, 0] };
    let (worker, mint) = (Address::new_unique(), Address::new_unique());
    let size = |depth: usize, with_ata: bool| {
        let claim = rewards_claim(&worker, ata(&worker, &mint), mint, 7, BOLT, vec![[9; 32]; depth]);
        let mut ixs = vec![claim, limit.clone()];
        if with_ata {
            ixs.insert(0, create_ata_ix(&worker, &worker, &mint));
        }
        // The wire format: one signature (its count, one byte, and 64 bytes), then the message.
        let tx = solana_transaction::Transaction::new_with_payer(&ixs, Some(&worker));
        (1 + 64 + tx.message_data().len()) as u64
    };
    assert!(size(CLAIM_MAX_DEPTH, false) <= PACKET_DATA_SIZE);
    assert!(size(CLAIM_MAX_DEPTH + 1, false) > PACKET_DATA_SIZE);
    assert!(size(CLAIM_MAX_DEPTH - 2, true) <= PACKET_DATA_SIZE);
    assert!(size(CLAIM_MAX_DEPTH - 1, true) > PACKET_DATA_SIZE);
}
