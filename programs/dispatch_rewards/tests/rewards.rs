//! dispatch_rewards as real SBF (the build-sbf.sh `.so`) on LiteSVM with the
//! real SPL Token program and a moved Clock: the emission curve at each year
//! boundary (200M, 300M, 350M, 375M) and the 25M reserve, roots above the
//! released amount refused, epoch roots and claims with OpenZeppelin-style
//! proofs built here independently (sha3), every failing claim with the
//! program's error, and the compute units of a claim in a 10,000-leaf tree.

#[path = "../../sbf_test_support.rs"]
mod sbf;
#[path = "../../test_support.rs"]
#[allow(unused_macros)]
mod support;

use anchor_lang::error::ErrorCode as Anchor;
use dispatch_rewards::{
    accounts, instruction, ClaimRecord, EpochRoot, PostRootArgs, RewardClaimed, RewardsConfig, RewardsError as E, RootPosted,
};
use dispatch_rewards::{EMISSION_TOTAL, RESERVE, WORKER_REWARDS_ALLOCATION, YEAR_SECONDS};
use litesvm::LiteSVM;
use sbf::*;
use sha3::{Digest, Keccak256};
use solana_address::Address;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use support::*;

const PROGRAM: Address = dispatch_rewards::ID;
const TOKEN_PROGRAM: Address = spl_token_interface::ID;
const SYSTEM_PROGRAM: Address = Address::new_from_array([0; 32]);
const YEAR: i64 = 365 * 24 * 3600;
const WEEK: i64 = 7 * 24 * 3600;
/// Start of the curve and of epoch 0.
const START: i64 = 1_800_000_000;
const M: u64 = 1_000_000 * BOLT;

// ---- an independent OpenZeppelin StandardMerkleTree over (uint256, bytes32, uint256) ----

fn keccak(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

fn word(value: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&value.to_be_bytes());
    w
}

fn leaf(epoch: u64, worker: &Address, amount: u64) -> [u8; 32] {
    keccak(&[&keccak(&[&word(epoch), worker.as_ref(), &word(amount)])])
}

fn pair(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    if a < b {
        keccak(&[a, b])
    } else {
        keccak(&[b, a])
    }
}

/// The flat tree of `@openzeppelin/merkle-tree` (sorted leaves at the end in
/// reverse order, children of `i` at `2i+1`, `2i+2`) and each leaf's proof.
struct Tree {
    nodes: Vec<[u8; 32]>,
    index: Vec<usize>,
}

impl Tree {
    fn new(leaves: &[[u8; 32]]) -> Self {
        let n = leaves.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| leaves[i]);
        let size = 2 * n - 1;
        let mut nodes = vec![[0u8; 32]; size];
        let mut index = vec![0; n];
        for (position, &i) in order.iter().enumerate() {
            nodes[size - 1 - position] = leaves[i];
            index[i] = size - 1 - position;
        }
        for i in (0..size - n).rev() {
            nodes[i] = pair(&nodes[2 * i + 1], &nodes[2 * i + 2]);
        }
        Tree { nodes, index }
    }

    fn root(&self) -> [u8; 32] {
        self.nodes[0]
    }

    fn proof(&self, i: usize) -> Vec<[u8; 32]> {
        let mut node = self.index[i];
        let mut proof = Vec::new();
        while node > 0 {
            proof.push(self.nodes[if node % 2 == 1 { node + 1 } else { node - 1 }]);
            node = (node - 1) / 2;
        }
        proof
    }
}

// ---- the environment ----

struct Env {
    svm: LiteSVM,
    admin: Keypair,
    distributor: Keypair,
    mint: Address,
}

fn config_pda() -> Address {
    pda(&[b"config"], &PROGRAM)
}
fn epoch_pda(epoch: u64) -> Address {
    pda(&[b"epoch", &epoch.to_le_bytes()], &PROGRAM)
}
fn claim_pda(epoch: u64, worker: &Address) -> Address {
    pda(&[b"claim", epoch_pda(epoch).as_ref(), worker.as_ref()], &PROGRAM)
}

/// A worker with a BOLT account.
struct Worker {
    key: Keypair,
    token: Address,
}

/// `initialize` of `mint` signed by `admin`, with `program_data` as the ProgramData account.
fn initialize_ix(admin: &Address, mint: &Address, distributor: &Address, program_data: Address) -> Instruction {
    ix(
        PROGRAM,
        accounts::Initialize {
            admin: *admin,
            config: config_pda(),
            vault: ata(&config_pda(), mint),
            mint: *mint,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
            program: PROGRAM,
            program_data,
        },
        instruction::Initialize { start_ts: START, epoch_seconds: WEEK, distributor: *distributor },
    )
}

impl Env {
    /// Deployed as a validator holds it (upgradeable loader, upgrade
    /// authority [`deployer`], who initialises and is admin), weekly epochs,
    /// the vault funded with `funding`.
    fn new(funding: u64) -> Self {
        let mut svm = svm_with(PROGRAM);
        set_time(&mut svm, START - 3600);
        let admin = deployer();
        let distributor = funded(&mut svm);
        let mint = create_mint(&mut svm, &admin, &admin.pubkey());
        let vault = ata(&config_pda(), &mint);
        let init = initialize_ix(&admin.pubkey(), &mint, &distributor.pubkey(), programdata(&PROGRAM));
        ok(&mut svm, &admin, &[], &[create_ata_ix(&admin.pubkey(), &config_pda(), &mint), init]);
        if funding > 0 {
            mint_to(&mut svm, &admin, &mint, &vault, funding);
        }
        Env { svm, admin, distributor, mint }
    }

    /// The rewards vault: the config PDA's associated token account.
    fn vault(&self) -> Address {
        ata(&config_pda(), &self.mint)
    }

    fn worker(&mut self) -> Worker {
        let key = funded(&mut self.svm);
        let token = create_token_account(&mut self.svm, &self.admin, &self.mint, &key.pubkey());
        Worker { key, token }
    }

    fn post_ix(&self, signer: &Address, epoch: u64, root: [u8; 32], total: u64, workers: u32) -> Instruction {
        ix(
            PROGRAM,
            accounts::PostRoot {
                distributor: *signer,
                config: config_pda(),
                epoch_root: epoch_pda(epoch),
                vault: self.vault(),
                system_program: SYSTEM_PROGRAM,
            },
            instruction::PostRoot { args: PostRootArgs { epoch, root, total, workers } },
        )
    }

    fn post(&mut self, epoch: u64, root: [u8; 32], total: u64, workers: u32) -> RootPosted {
        let ix = self.post_ix(&self.distributor.pubkey(), epoch, root, total, workers);
        let distributor = self.distributor.insecure_clone();
        event(&ok(&mut self.svm, &distributor, &[], &[ix]))
    }

    fn post_fails(&mut self, epoch: u64, total: u64, error: E) {
        let ix = self.post_ix(&self.distributor.pubkey(), epoch, [7; 32], total, 1);
        let distributor = self.distributor.insecure_clone();
        fails(&mut self.svm, &distributor, &[], &[ix], custom(error));
    }

    fn claim_ix(&self, worker: &Address, token: &Address, epoch: u64, amount: u64, proof: Vec<[u8; 32]>) -> Instruction {
        ix(
            PROGRAM,
            accounts::Claim {
                worker: *worker,
                config: config_pda(),
                epoch_root: epoch_pda(epoch),
                claim_record: claim_pda(epoch, worker),
                worker_token: *token,
                vault: self.vault(),
                mint: self.mint,
                token_program: TOKEN_PROGRAM,
                system_program: SYSTEM_PROGRAM,
            },
            instruction::Claim { amount, proof },
        )
    }

    fn config(&self) -> RewardsConfig {
        account(&self.svm, &config_pda())
    }
}

/// The last epoch (weekly) that has ended at `t`.
fn last_ended_epoch(t: i64) -> u64 {
    ((t - START) / WEEK - 1) as u64
}

#[test]
fn only_the_upgrade_authority_initialises() {
    // A fresh deployment whose vault already holds the 400M (genesis mints
    // before initialising): whoever initialises first names the distributor.
    let mut svm = svm_with(PROGRAM);
    let deployer = deployer();
    let mint = create_mint(&mut svm, &deployer, &deployer.pubkey());
    ok(&mut svm, &deployer, &[], &[create_ata_ix(&deployer.pubkey(), &config_pda(), &mint)]);
    mint_to(&mut svm, &deployer, &mint, &ata(&config_pda(), &mint), WORKER_REWARDS_ALLOCATION);
    let attacker = funded(&mut svm);
    // The first caller is not the upgrade authority: refused.
    let front_run = initialize_ix(&attacker.pubkey(), &mint, &attacker.pubkey(), programdata(&PROGRAM));
    fails(&mut svm, &attacker, &[], &[front_run], custom(Anchor::ConstraintRaw));
    // Nor with the ProgramData of a copy of the program the attacker deployed.
    let foreign = foreign_programdata(&mut svm, &attacker.pubkey());
    let with_foreign = initialize_ix(&attacker.pubkey(), &mint, &attacker.pubkey(), foreign);
    fails(&mut svm, &attacker, &[], &[with_foreign], custom(Anchor::ConstraintRaw));
    // Nor naming the deployer as admin without its signature.
    let mut unsigned = initialize_ix(&deployer.pubkey(), &mint, &attacker.pubkey(), programdata(&PROGRAM));
    unsigned.accounts[0].is_signer = false;
    fails(&mut svm, &attacker, &[], &[unsigned], custom(Anchor::AccountNotSigner));
    assert!(svm.get_account(&config_pda()).is_none_or(|a| a.data.is_empty()));
    // The upgrade authority initialises and is admin; a second initialize fails.
    let distributor = funded(&mut svm);
    ok(&mut svm, &deployer, &[], &[initialize_ix(&deployer.pubkey(), &mint, &distributor.pubkey(), programdata(&PROGRAM))]);
    let config: RewardsConfig = account(&svm, &config_pda());
    assert_eq!((config.admin, config.distributor), (deployer.pubkey(), distributor.pubkey()));
    let again = initialize_ix(&deployer.pubkey(), &mint, &attacker.pubkey(), programdata(&PROGRAM));
    fails(&mut svm, &deployer, &[], &[again], custom(0u32));
}

#[test]
fn the_curve_in_numbers() {
    use dispatch_rewards::emission::released;
    assert_eq!(YEAR_SECONDS, YEAR);
    let at = |years: i64| released(START, START + years * YEAR);
    assert_eq!([at(0), at(1), at(2), at(3), at(4)], [0, 200 * M, 300 * M, 350 * M, 375 * M]);
    assert_eq!(released(START, START - 1_000_000), 0);
    assert_eq!(released(START, START + YEAR / 2), 100 * M, "linear within year 1");
    assert_eq!(released(START, START + YEAR + YEAR / 2), 250 * M, "linear within year 2");
    assert_eq!(released(START, START + 1), 200 * M / YEAR as u64, "rounded down");
    assert_eq!(released(START, START + YEAR - 1), 200 * M - 200 * M / YEAR as u64 - 1);
    assert_eq!(released(START, START + 100 * YEAR), 375 * M);
    assert_eq!((EMISSION_TOTAL, RESERVE, EMISSION_TOTAL + RESERVE, WORKER_REWARDS_ALLOCATION), (375 * M, 25 * M, 400 * M, 400 * M));
    // Never decreasing, across every boundary.
    for k in 0..5 {
        let b = START + k * YEAR;
        assert!(released(START, b - 1) <= released(START, b) && released(START, b) <= released(START, b + 1));
    }
}

#[test]
fn roots_follow_the_curve_at_every_year_boundary_and_never_touch_the_reserve() {
    let mut env = Env::new(WORKER_REWARDS_ALLOCATION);
    let mut distributed = 0;
    let mut epoch = 0;
    // At one second before year 1 and at each year boundary, a root of
    // exactly the undistributed release passes and one base unit more fails.
    let one_before = 200 * M - 200 * M / YEAR as u64 - 1;
    for (t, released) in [
        (START + YEAR - 1, one_before),
        (START + YEAR, 200 * M),
        (START + 2 * YEAR, 300 * M),
        (START + 3 * YEAR, 350 * M),
        (START + 4 * YEAR, 375 * M),
    ] {
        set_time(&mut env.svm, t);
        assert!(epoch <= last_ended_epoch(t));
        env.post_fails(epoch, released - distributed + 1, E::ExceedsReleased);
        let posted = env.post(epoch, [epoch as u8 + 1; 32], released - distributed, 1);
        assert_eq!((posted.released, posted.total_distributed), (released, released));
        distributed = released;
        epoch += 1;
    }
    assert_eq!(env.config().total_distributed, EMISSION_TOTAL);
    // Long after: the curve is done, the 25M reserve is never distributed.
    set_time(&mut env.svm, START + 50 * YEAR);
    env.post_fails(epoch, 1, E::ExceedsReleased);
    assert_eq!(token_balance(&env.svm, &env.vault()), EMISSION_TOTAL + RESERVE);
    assert_eq!(env.config().epochs_posted, 5);
}

#[test]
fn posting_rules() {
    let mut env = Env::new(10 * M);
    let t = START + 2 * WEEK;
    set_time(&mut env.svm, t);
    // Not the distributor.
    let ix = env.post_ix(&env.admin.pubkey(), 0, [1; 32], BOLT, 1);
    let admin = env.admin.insecure_clone();
    fails(&mut env.svm, &admin, &[], &[ix], custom(E::NotDistributor));
    // Epoch 2 ends at START + 3 weeks: one second before fails, at the end it passes.
    env.post_fails(2, BOLT, E::EpochNotEnded);
    env.post_fails(0, 0, E::ZeroAmount);
    // Two weeks release about 7.7M, less than the 10M the vault holds: the curve is the limit here.
    let released = dispatch_rewards::emission::released(START, t);
    assert!(released < 10 * M);
    env.post_fails(0, released + 1, E::ExceedsReleased);
    env.post(0, [1; 32], BOLT, 1);
    env.post_fails(0, BOLT, E::EpochAlreadyPosted);
    set_time(&mut env.svm, START + 3 * WEEK - 1);
    env.post_fails(2, BOLT, E::EpochNotEnded);
    set_time(&mut env.svm, START + 3 * WEEK);
    env.post(2, [2; 32], BOLT, 1);
    let root: EpochRoot = account(&env.svm, &epoch_pda(2));
    assert_eq!((root.epoch, root.root, root.total, root.workers, root.claimed, root.posted_at), (2, [2; 32], BOLT, 1, 0, START + 3 * WEEK));

    // The distributor changes only by the admin.
    let new = funded(&mut env.svm);
    let set = |signer: &Address, who: Address| {
        support::ix(
            PROGRAM,
            accounts::SetDistributor { admin: *signer, config: config_pda() },
            instruction::SetDistributor { new_distributor: who },
        )
    };
    let distributor = env.distributor.insecure_clone();
    fails(&mut env.svm, &distributor, &[], &[set(&distributor.pubkey(), new.pubkey())], custom(E::Unauthorized));
    ok(&mut env.svm, &admin, &[], &[set(&admin.pubkey(), new.pubkey())]);
    env.post_fails(1, BOLT, E::NotDistributor);
    let ix = env.post_ix(&new.pubkey(), 1, [3; 32], BOLT, 1);
    ok(&mut env.svm, &new, &[], &[ix]);
}

#[test]
fn a_root_the_vault_cannot_pay_is_refused() {
    let mut env = Env::new(2 * BOLT);
    set_time(&mut env.svm, START + 4 * WEEK);
    env.post(0, [1; 32], 2 * BOLT, 1);
    env.post_fails(1, 1, E::VaultUnderfunded);
}

/// Epoch 0 posted at START + 1 week with three workers' rewards; returns
/// the workers, amounts and tree.
fn epoch_with_three_workers(env: &mut Env) -> (Vec<Worker>, Vec<u64>, Tree) {
    let workers: Vec<Worker> = (0..3).map(|_| env.worker()).collect();
    let amounts = vec![1_000 * BOLT + 1, 250 * BOLT, 3 * BOLT + 333];
    let leaves: Vec<[u8; 32]> = workers.iter().zip(&amounts).map(|(w, &a)| leaf(0, &w.key.pubkey(), a)).collect();
    let tree = Tree::new(&leaves);
    set_time(&mut env.svm, START + WEEK);
    env.post(0, tree.root(), amounts.iter().sum(), 3);
    (workers, amounts, tree)
}

#[test]
fn each_worker_claims_its_leaf_exactly_once() {
    let mut env = Env::new(10 * M);
    let (workers, amounts, tree) = epoch_with_three_workers(&mut env);
    for (i, worker) in workers.iter().enumerate() {
        let ix = env.claim_ix(&worker.key.pubkey(), &worker.token, 0, amounts[i], tree.proof(i));
        let meta = ok(&mut env.svm, &worker.key, &[], &[ix]);
        assert_eq!(token_balance(&env.svm, &worker.token), amounts[i]);
        let claimed: RewardClaimed = event(&meta);
        assert_eq!(
            (claimed.epoch, claimed.worker, claimed.amount, claimed.token_account),
            (0, worker.key.pubkey(), amounts[i], worker.token)
        );
        let record: ClaimRecord = account(&env.svm, &claim_pda(0, &worker.key.pubkey()));
        assert_eq!((record.epoch, record.worker, record.amount), (0, worker.key.pubkey(), amounts[i]));
        // A second claim of the same leaf.
        let again = env.claim_ix(&worker.key.pubkey(), &worker.token, 0, amounts[i], tree.proof(i));
        fails(&mut env.svm, &worker.key, &[], &[again], custom(E::AlreadyClaimed));
    }
    let total: u64 = amounts.iter().sum();
    let root: EpochRoot = account(&env.svm, &epoch_pda(0));
    assert_eq!(root.claimed, total);
    assert_eq!((env.config().total_claimed, env.config().total_distributed), (total, total));
    assert_eq!(token_balance(&env.svm, &env.vault()), 10 * M - total);
}

#[test]
fn wrong_proofs_other_workers_and_unposted_leaves_fail() {
    let mut env = Env::new(10 * M);
    let (workers, amounts, tree) = epoch_with_three_workers(&mut env);
    let (a, b) = (&workers[0], &workers[1]);

    // A wrong proof: b's proof for a's leaf, a's proof with a sibling flipped
    // or one hash too many, an empty one.
    let mut flipped = tree.proof(0);
    flipped[0][0] ^= 1;
    let mut longer = tree.proof(0);
    longer.push([9; 32]);
    for proof in [tree.proof(1), flipped, longer, vec![]] {
        let ix = env.claim_ix(&a.key.pubkey(), &a.token, 0, amounts[0], proof);
        fails(&mut env.svm, &a.key, &[], &[ix], custom(E::InvalidProof));
    }
    // The right proof with another amount.
    let ix = env.claim_ix(&a.key.pubkey(), &a.token, 0, amounts[0] + 1, tree.proof(0));
    fails(&mut env.svm, &a.key, &[], &[ix], custom(E::InvalidProof));
    // b claims a's leaf (a's amount and proof), into its own account.
    let ix = env.claim_ix(&b.key.pubkey(), &b.token, 0, amounts[0], tree.proof(0));
    fails(&mut env.svm, &b.key, &[], &[ix], custom(E::InvalidProof));
    // b pays a's claim into b's account: a signs, the account is not a's.
    let ix = env.claim_ix(&a.key.pubkey(), &b.token, 0, amounts[0], tree.proof(0));
    fails(&mut env.svm, &a.key, &[], &[ix], custom(E::WrongTokenOwner));
    // A worker that is not in the tree (e.g. not SENTINEL) with a leaf of its own that was never posted.
    let outsider = env.worker();
    let ix = env.claim_ix(&outsider.key.pubkey(), &outsider.token, 0, BOLT, tree.proof(2));
    fails(&mut env.svm, &outsider.key, &[], &[ix], custom(E::InvalidProof));
    // The right leaf of epoch 0 presented for epoch 1, which was never posted.
    let ix = env.claim_ix(&a.key.pubkey(), &a.token, 1, amounts[0], tree.proof(0));
    fails(&mut env.svm, &a.key, &[], &[ix], custom(Anchor::AccountNotInitialized));
    // Nothing moved; the rightful claim still works.
    assert_eq!(token_balance(&env.svm, &env.vault()), 10 * M);
    let ix = env.claim_ix(&a.key.pubkey(), &a.token, 0, amounts[0], tree.proof(0));
    ok(&mut env.svm, &a.key, &[], &[ix]);
    assert_eq!(token_balance(&env.svm, &a.token), amounts[0]);
}

#[test]
fn claims_never_exceed_the_epoch_total() {
    // A distributor's tree whose leaves sum to more than the posted total:
    // the claims stop at the total.
    let mut env = Env::new(10 * M);
    let workers: Vec<Worker> = (0..2).map(|_| env.worker()).collect();
    let leaves: Vec<[u8; 32]> = workers.iter().map(|w| leaf(0, &w.key.pubkey(), 3 * BOLT)).collect();
    let tree = Tree::new(&leaves);
    set_time(&mut env.svm, START + WEEK);
    env.post(0, tree.root(), 5 * BOLT, 2);
    let ix = env.claim_ix(&workers[0].key.pubkey(), &workers[0].token, 0, 3 * BOLT, tree.proof(0));
    ok(&mut env.svm, &workers[0].key, &[], &[ix]);
    let ix = env.claim_ix(&workers[1].key.pubkey(), &workers[1].token, 0, 3 * BOLT, tree.proof(1));
    fails(&mut env.svm, &workers[1].key, &[], &[ix], custom(E::ExceedsEpochTotal));
}

#[test]
fn compute_units_of_a_claim_in_a_10000_worker_epoch() {
    let mut env = Env::new(10 * M);
    let worker = env.worker();
    let mut leaves: Vec<[u8; 32]> = (1..10_000u64).map(|i| leaf(0, &Address::new_from_array(keccak(&[&i.to_le_bytes()])), i)).collect();
    let amount = 123 * BOLT;
    leaves.push(leaf(0, &worker.key.pubkey(), amount));
    let tree = Tree::new(&leaves);
    set_time(&mut env.svm, START + WEEK);
    let total: u64 = (1..10_000u64).sum::<u64>() + amount;
    env.post(0, tree.root(), total, 10_000);
    let proof = tree.proof(9_999);
    let depth = proof.len();
    let ix = env.claim_ix(&worker.key.pubkey(), &worker.token, 0, amount, proof);
    let meta = ok(&mut env.svm, &worker.key, &[], &[ix]);
    println!(
        "dispatch_rewards claim: {} compute units (SBF; proof of {depth} hashes in a 10,000-leaf tree, claim record created, SPL Token transfer_checked inside)",
        meta.compute_units_consumed
    );
    assert_eq!(token_balance(&env.svm, &worker.token), amount);
    assert!(meta.compute_units_consumed < 200_000);
}

#[test]
fn lamports_sent_to_an_epoch_address_beforehand_do_not_block_its_root() {
    let mut env = Env::new(10 * M);
    set_time(&mut env.svm, START + WEEK);
    // Someone funds epoch 0's PDA (less than its rent as an EpochRoot), epoch 1's (more), before the posts.
    env.svm.airdrop(&epoch_pda(0), 1_000_000).expect("airdrop");
    env.post(0, [1; 32], BOLT, 1);
    let root: EpochRoot = account(&env.svm, &epoch_pda(0));
    assert_eq!((root.epoch, root.total), (0, BOLT));
    env.svm.airdrop(&epoch_pda(1), 1_000_000_000).expect("airdrop");
    set_time(&mut env.svm, START + 2 * WEEK);
    env.post(1, [2; 32], BOLT, 1);
    assert_eq!(env.svm.get_account(&epoch_pda(1)).expect("exists").owner, PROGRAM);
    env.post_fails(1, BOLT, E::EpochAlreadyPosted);
    // A wrong epoch account for the arguments.
    let mut ix = env.post_ix(&env.distributor.pubkey(), 2, [3; 32], BOLT, 1);
    ix.accounts[2].pubkey = epoch_pda(3);
    let distributor = env.distributor.insecure_clone();
    set_time(&mut env.svm, START + 5 * WEEK);
    fails(&mut env.svm, &distributor, &[], &[ix], custom(E::WrongEpochAccount));
}
