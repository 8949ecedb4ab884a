//! dispatch_anchor's SBF build on dispatch-svm: `initialize` gated on the
//! upgrade authority, the anchorer allowlist, batch roots once per root, and verification of real
//! OpenZeppelin StandardMerkleTree trees (built here with an independent
//! keccak, cross-checked against @openzeppelin/merkle-tree vectors), with
//! every account constraint and error variant asserted exactly.

#[path = "../../test_support.rs"]
#[macro_use]
mod support;

use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::Space;
use dispatch_anchor::{accounts, instruction, AnchorConfig, Anchorer, Batch, ReceiptAnchorError as E};
use dispatch_anchor::{AnchorerAdded, AnchorerRemoved, BatchAnchored};
use dispatch_svm::LiteSVM;
use litesvm::types::TransactionMetadata;
use sha3::{Digest, Keccak256};
use solana_address::Address;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;
use support::*;

const PROGRAM: Address = dispatch_anchor::ID;

// ---------------------------------------------------------------------------
// An OpenZeppelin StandardMerkleTree for ["bytes32","bytes32","bytes32"],
// written from the npm package's algorithm: leaves are double-keccak hashes
// of the 96-byte encoding, sorted; the tree is an array with the leaves at
// the end in reverse order and node i = hash_pair(2i+1, 2i+2).

type H = [u8; 32];

fn keccak(parts: &[&[u8]]) -> H {
    let mut hasher = Keccak256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// A receipt leaf: `(receipt_hash, provider_key, signature_hash)`.
type Receipt = (H, H, H);

fn leaf_hash((receipt, provider, signature): &Receipt) -> H {
    keccak(&[&keccak(&[receipt, provider, signature])])
}

fn hash_pair(a: &H, b: &H) -> H {
    if a < b {
        keccak(&[a, b])
    } else {
        keccak(&[b, a])
    }
}

struct Tree {
    nodes: Vec<H>,
}

impl Tree {
    fn of(receipts: &[Receipt]) -> Tree {
        let mut leaves: Vec<H> = receipts.iter().map(leaf_hash).collect();
        leaves.sort();
        let mut nodes = vec![[0u8; 32]; 2 * leaves.len() - 1];
        let n = nodes.len();
        for (i, leaf) in leaves.iter().enumerate() {
            nodes[n - 1 - i] = *leaf;
        }
        for i in (0..n - leaves.len()).rev() {
            nodes[i] = hash_pair(&nodes[2 * i + 1], &nodes[2 * i + 2]);
        }
        Tree { nodes }
    }

    fn root(&self) -> H {
        self.nodes[0]
    }

    fn proof(&self, receipt: &Receipt) -> Vec<H> {
        let leaf = leaf_hash(receipt);
        let mut i = self.nodes.iter().rposition(|n| *n == leaf).expect("leaf in tree");
        let mut proof = Vec::new();
        while i > 0 {
            proof.push(self.nodes[if i % 2 == 1 { i + 1 } else { i - 1 }]);
            i = (i - 1) / 2;
        }
        proof
    }
}

fn b32(byte: u8) -> H {
    [byte; 32]
}

fn hex32(s: &str) -> H {
    let s = s.trim_start_matches("0x");
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex");
    }
    out
}

/// `count` distinct receipts, different per `seed`.
fn receipts(seed: u8, count: u8) -> Vec<Receipt> {
    (0..count).map(|i| (keccak(&[&[seed, i, 0]]), keccak(&[&[seed, i, 1]]), keccak(&[&[seed, i, 2]]))).collect()
}

#[test]
fn the_tree_builder_matches_openzeppelin_merkle_tree() {
    // StandardMerkleTree.of([[0x11..11, 0x22..22, 0x33..33]], ["bytes32","bytes32","bytes32"]).root
    let single = Tree::of(&[(b32(0x11), b32(0x22), b32(0x33))]);
    assert_eq!(single.root(), hex32("b5333b83fd385bdeadf5cdc9811efa9061293a78af78428014c0e3aeb6211036"));
    assert!(single.proof(&(b32(0x11), b32(0x22), b32(0x33))).is_empty());
    // Five leaves [i, 0x10+i, 0x20+i] for i = 1..=5 (@openzeppelin/merkle-tree 1.0.x).
    let five: Vec<Receipt> = (1..=5).map(|i| (b32(i), b32(0x10 + i), b32(0x20 + i))).collect();
    let tree = Tree::of(&five);
    assert_eq!(tree.root(), hex32("5d8f08df4abfed15b27559ae95830414ee7488e87e074ddb38cd1971340ad276"));
    assert_eq!(leaf_hash(&five[0]), hex32("3c815f49dbf44fe5387ee2f5bdfe6d8419af185f773467b5e3038a80b38c3fcd"));
    let expected = [
        "4e88a046f4f323cedbd25254a43937c283119e014696a02036e321161fab6ad0",
        "e726e47dd45a184f7e1fe7fdcc5ec0fc3cca82974c63a2768175e8878d652bd7",
        "7679f1790fd1c145fa0ec6bdf15f701ca6507db68b340ab22ccb5c47ff150563",
    ];
    assert_eq!(tree.proof(&five[0]), expected.map(hex32).to_vec());
    let expected = [
        "5ebaececbd0ebb0491fa2e81f0fcccc3edde5abe1f85faf93890a99618710cea",
        "7679f1790fd1c145fa0ec6bdf15f701ca6507db68b340ab22ccb5c47ff150563",
    ];
    assert_eq!(tree.proof(&five[4]), expected.map(hex32).to_vec());
    // The program's own hashing (solana-keccak-hasher) agrees.
    assert_eq!(dispatch_anchor::merkle::receipt_leaf(&b32(0x11), &b32(0x22), &b32(0x33)), single.root());
    assert_eq!(dispatch_anchor::merkle::process_proof(&leaf_hash(&five[0]), &tree.proof(&five[0])), tree.root());
}

// ---------------------------------------------------------------------------

struct Env {
    svm: LiteSVM,
    admin: Keypair,
    anchorer: Keypair,
}

fn config_pda() -> Address {
    pda(&[b"config"], &PROGRAM)
}

fn anchorer_pda(authority: &Address) -> Address {
    pda(&[b"anchorer", authority.as_ref()], &PROGRAM)
}

fn batch_pda(root: &H) -> Address {
    pda(&[b"batch", root], &PROGRAM)
}

fn add_anchorer_ix(admin: &Address, authority: Address) -> Instruction {
    ix(
        PROGRAM,
        accounts::AddAnchorer { admin: *admin, config: config_pda(), anchorer: anchorer_pda(&authority), system_program: SYSTEM_PROGRAM },
        instruction::AddAnchorer { authority },
    )
}

fn remove_anchorer_ix(admin: &Address, authority: &Address) -> Instruction {
    ix(
        PROGRAM,
        accounts::RemoveAnchorer { admin: *admin, config: config_pda(), anchorer: anchorer_pda(authority) },
        instruction::RemoveAnchorer {},
    )
}

fn anchor_accounts(authority: &Address, root: &H) -> accounts::AnchorBatch {
    accounts::AnchorBatch {
        authority: *authority,
        anchorer: anchorer_pda(authority),
        config: config_pda(),
        batch: batch_pda(root),
        system_program: SYSTEM_PROGRAM,
    }
}

fn anchor_ix(authority: &Address, root: H, leaf_count: u32, uri: &str) -> Instruction {
    ix(PROGRAM, anchor_accounts(authority, &root), instruction::AnchorBatch { root, leaf_count, uri: uri.to_string() })
}

fn verify_ix(batch: Address, batch_id: u64, leaf: H, proof: Vec<H>) -> Instruction {
    ix(PROGRAM, accounts::Verify { batch }, instruction::Verify { batch_id, leaf, proof })
}

fn verify_receipt_ix(batch: Address, batch_id: u64, receipt: &Receipt, proof: Vec<H>) -> Instruction {
    let (receipt_hash, provider_key, signature_hash) = *receipt;
    ix(PROGRAM, accounts::Verify { batch }, instruction::VerifyReceipt { batch_id, receipt_hash, provider_key, signature_hash, proof })
}

fn initialize_ix(admin: &Address, program_data: Address) -> Instruction {
    let accounts =
        accounts::Initialize { admin: *admin, config: config_pda(), system_program: SYSTEM_PROGRAM, program: PROGRAM, program_data };
    ix(PROGRAM, accounts, instruction::Initialize {})
}

impl Env {
    /// Initialized, with one anchorer.
    fn new() -> Self {
        let mut svm = svm_with(PROGRAM);
        let admin = deployer();
        ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), programdata(&PROGRAM))]);
        let anchorer = funded(&mut svm);
        ok(&mut svm, &admin, &[], &[add_anchorer_ix(&admin.pubkey(), anchorer.pubkey())]);
        Env { svm, admin, anchorer }
    }

    /// Anchors the tree of `receipts`; returns the tree and its batch id.
    fn anchor(&mut self, receipts: &[Receipt]) -> (Tree, u64) {
        let tree = Tree::of(receipts);
        let ix = anchor_ix(&self.anchorer.pubkey(), tree.root(), receipts.len() as u32, "ipfs://batch");
        let meta = ok(&mut self.svm, &self.anchorer, &[], &[ix]);
        (tree, event::<BatchAnchored>(&meta).batch_id)
    }

    fn run(&mut self, ix: Instruction) -> TransactionMetadata {
        ok(&mut self.svm, &self.anchorer, &[], &[ix])
    }

    fn fails(&mut self, ix: Instruction, expected: InstructionError) {
        fails(&mut self.svm, &self.anchorer, &[], &[ix], expected);
    }

    fn config(&self) -> AnchorConfig {
        account(&self.svm, &config_pda())
    }
}

/// The instruction returned Borsh `true` as this program's return data.
fn assert_true(meta: &TransactionMetadata) {
    assert_eq!(meta.return_data.program_id, PROGRAM);
    assert_eq!(meta.return_data.data, vec![1u8], "{}", meta.pretty_logs());
}

#[test]
fn only_the_upgrade_authority_initializes() {
    let mut svm = svm_with(PROGRAM);
    let stranger = funded(&mut svm);
    fails(&mut svm, &stranger, &[], &[initialize_ix(&stranger.pubkey(), programdata(&PROGRAM))], custom(Anchor::ConstraintRaw));
    // Nor with another program's ProgramData, even one the signer controls.
    let foreign = foreign_programdata(&mut svm, &stranger.pubkey());
    fails(&mut svm, &stranger, &[], &[initialize_ix(&stranger.pubkey(), foreign)], custom(Anchor::ConstraintRaw));
    // An account that is no ProgramData at all (a system account).
    fails(&mut svm, &stranger, &[], &[initialize_ix(&stranger.pubkey(), stranger.pubkey())], custom(Anchor::AccountOwnedByWrongProgram));
    assert!(svm.get_account(&config_pda()).is_none_or(|a| a.lamports == 0));

    let admin = deployer();
    ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), programdata(&PROGRAM))]);
    assert_eq!(account::<AnchorConfig>(&svm, &config_pda()).admin, admin.pubkey());
}

#[test]
fn initialize_and_the_anchorer_allowlist() {
    let mut env = Env::new();
    let config = env.config();
    assert_eq!((config.admin, config.pending_admin, config.batch_count), (env.admin.pubkey(), None, 0));
    assert_eq!(config.bump, Address::find_program_address(&[b"config"], &PROGRAM).1);
    let record: Anchorer = account(&env.svm, &anchorer_pda(&env.anchorer.pubkey()));
    assert_eq!(record.authority, env.anchorer.pubkey());
    assert_eq!(record.bump, Address::find_program_address(&[b"anchorer", env.anchorer.pubkey().as_ref()], &PROGRAM).1);

    let admin = env.admin.insecure_clone();
    let stranger = funded(&mut env.svm);
    let newcomer = Address::new_unique();
    fails(&mut env.svm, &stranger, &[], &[add_anchorer_ix(&stranger.pubkey(), newcomer)], custom(E::Unauthorized));
    let meta = ok(&mut env.svm, &admin, &[], &[add_anchorer_ix(&admin.pubkey(), newcomer)]);
    assert_eq!(event::<AnchorerAdded>(&meta).authority, newcomer);
    // Twice: the record exists (System program's AccountAlreadyInUse).
    fails(&mut env.svm, &admin, &[], &[add_anchorer_ix(&admin.pubkey(), newcomer)], custom(0u32));
    // The record of another authority under this authority's argument.
    let mut mismatched = add_anchorer_ix(&admin.pubkey(), Address::new_unique());
    mismatched.accounts[2].pubkey = anchorer_pda(&Address::new_unique());
    fails(&mut env.svm, &admin, &[], &[mismatched], custom(Anchor::ConstraintSeeds));

    fails(&mut env.svm, &stranger, &[], &[remove_anchorer_ix(&stranger.pubkey(), &newcomer)], custom(E::Unauthorized));
    let rent = env.svm.get_account(&anchorer_pda(&newcomer)).expect("record").lamports;
    let before = env.svm.get_balance(&admin.pubkey()).expect("admin");
    let meta = ok(&mut env.svm, &admin, &[], &[remove_anchorer_ix(&admin.pubkey(), &newcomer)]);
    assert_eq!(event::<AnchorerRemoved>(&meta).authority, newcomer);
    assert_eq!(env.svm.get_balance(&admin.pubkey()).expect("admin"), before + rent - meta.fee, "the rent goes back to the admin");
    assert!(env.svm.get_account(&anchorer_pda(&newcomer)).is_none_or(|a| a.lamports == 0));
    // Removing again: the record is gone.
    fails(&mut env.svm, &admin, &[], &[remove_anchorer_ix(&admin.pubkey(), &newcomer)], custom(Anchor::AccountNotInitialized));
}

#[test]
fn anchor_batch_records_the_root_once() {
    let mut env = Env::new();
    set_time(&mut env.svm, 1_750_000_000);
    let root = Tree::of(&receipts(1, 3)).root();
    let meta = env.run(anchor_ix(&env.anchorer.pubkey(), root, 3, "ipfs://one"));
    let slot = dispatch_svm::clock(&env.svm).slot;
    let e: BatchAnchored = event(&meta);
    assert_eq!(
        (e.batch_id, e.root, e.anchorer, e.leaf_count, e.uri.as_str(), e.slot),
        (1, root, env.anchorer.pubkey(), 3, "ipfs://one", slot)
    );
    let batch: Batch = account(&env.svm, &batch_pda(&root));
    assert_eq!((batch.batch_id, batch.root, batch.leaf_count, batch.anchorer), (1, root, 3, env.anchorer.pubkey()));
    assert_eq!((batch.slot, batch.anchored_at), (slot, 1_750_000_000));
    assert_eq!(batch.bump, Address::find_program_address(&[b"batch", &root], &PROGRAM).1);
    assert_eq!(env.config().batch_count, 1);

    // The same root again, by anyone: the program's own error.
    env.fails(anchor_ix(&env.anchorer.pubkey(), root, 3, "ipfs://again"), custom(E::RootAlreadyAnchored));
    let admin = env.admin.insecure_clone();
    let second = funded(&mut env.svm);
    ok(&mut env.svm, &admin, &[], &[add_anchorer_ix(&admin.pubkey(), second.pubkey())]);
    fails(&mut env.svm, &second, &[], &[anchor_ix(&second.pubkey(), root, 3, "")], custom(E::RootAlreadyAnchored));

    // Ids follow the anchoring order; a 200-byte URI fits.
    let other = Tree::of(&receipts(2, 1)).root();
    let meta = ok(&mut env.svm, &second, &[], &[anchor_ix(&second.pubkey(), other, 1, &"u".repeat(200))]);
    assert_eq!(event::<BatchAnchored>(&meta).batch_id, 2);
    assert_eq!(env.config().batch_count, 2);
}

#[test]
fn anchor_batch_checks_its_arguments_and_the_anchorer() {
    let mut env = Env::new();
    let me = env.anchorer.pubkey();
    let root = b32(7);
    env.fails(anchor_ix(&me, [0; 32], 1, ""), custom(E::ZeroRoot));
    env.fails(anchor_ix(&me, root, 0, ""), custom(E::EmptyBatch));
    env.fails(anchor_ix(&me, root, 1, &"u".repeat(201)), custom(E::UriTooLong));

    // Not on the allowlist: never added, or added and removed.
    let outsider = funded(&mut env.svm);
    fails(&mut env.svm, &outsider, &[], &[anchor_ix(&outsider.pubkey(), root, 1, "")], custom(E::NotAnAnchorer));
    // Someone else's anchorer record: the seeds do not match the signer.
    let borrowed = accounts::AnchorBatch { anchorer: anchorer_pda(&me), ..anchor_accounts(&outsider.pubkey(), &root) };
    let ix_borrowed = ix(PROGRAM, borrowed, instruction::AnchorBatch { root, leaf_count: 1, uri: String::new() });
    fails(&mut env.svm, &outsider, &[], &[ix_borrowed], custom(Anchor::ConstraintSeeds));
    // A lookalike record (same data, this program as owner) at the
    // outsider's PDA is still refused: only the admin creates records, and
    // this one names another authority.
    clone_account(&mut env.svm, &anchorer_pda(&me), &anchorer_pda(&outsider.pubkey()));
    fails(&mut env.svm, &outsider, &[], &[anchor_ix(&outsider.pubkey(), root, 1, "")], custom(E::NotAnAnchorer));

    let admin = env.admin.insecure_clone();
    ok(&mut env.svm, &admin, &[], &[remove_anchorer_ix(&admin.pubkey(), &me)]);
    env.fails(anchor_ix(&me, root, 1, ""), custom(E::NotAnAnchorer));
    ok(&mut env.svm, &admin, &[], &[add_anchorer_ix(&admin.pubkey(), me)]);

    // The batch account must be the root's PDA, the config the config PDA.
    let wrong_batch = accounts::AnchorBatch { batch: batch_pda(&b32(8)), ..anchor_accounts(&me, &root) };
    env.fails(
        ix(PROGRAM, wrong_batch, instruction::AnchorBatch { root, leaf_count: 1, uri: String::new() }),
        custom(Anchor::ConstraintSeeds),
    );
    let fake_config = Address::new_unique();
    clone_account(&mut env.svm, &config_pda(), &fake_config);
    let wrong_config = accounts::AnchorBatch { config: fake_config, ..anchor_accounts(&me, &root) };
    env.fails(
        ix(PROGRAM, wrong_config, instruction::AnchorBatch { root, leaf_count: 1, uri: String::new() }),
        custom(Anchor::ConstraintSeeds),
    );
    // The anchorer must sign.
    let mut unsigned = anchor_ix(&me, root, 1, "");
    unsigned.accounts[0].is_signer = false;
    let payer = funded(&mut env.svm);
    fails(&mut env.svm, &payer, &[], &[unsigned], custom(Anchor::AccountNotSigner));

    // The batch counter cannot wrap.
    let mut config = env.config();
    config.batch_count = u64::MAX;
    write_account(&mut env.svm, &config_pda(), &config);
    env.fails(anchor_ix(&me, root, 1, ""), custom(E::MathOverflow));
    config.batch_count = 0;
    write_account(&mut env.svm, &config_pda(), &config);
    env.run(anchor_ix(&me, root, 1, ""));
    assert!(env.svm.get_account(&batch_pda(&b32(8))).is_none_or(|a| a.lamports == 0));
}

#[test]
fn every_leaf_of_real_trees_verifies_and_returns_true() {
    let mut env = Env::new();
    for size in 1..=9u8 {
        let leaves = receipts(size, size);
        let (tree, batch_id) = env.anchor(&leaves);
        let batch = batch_pda(&tree.root());
        for receipt in &leaves {
            let proof = tree.proof(receipt);
            assert_true(&env.run(verify_receipt_ix(batch, batch_id, receipt, proof.clone())));
            assert_true(&env.run(verify_ix(batch, batch_id, leaf_hash(receipt), proof)));
        }
    }
    assert_eq!(env.config().batch_count, 9);
}

#[test]
fn the_reference_single_leaf_tree_verifies_on_chain() {
    let mut env = Env::new();
    let receipt = (b32(0x11), b32(0x22), b32(0x33));
    let root = hex32("b5333b83fd385bdeadf5cdc9811efa9061293a78af78428014c0e3aeb6211036");
    env.run(anchor_ix(&env.anchorer.pubkey(), root, 1, ""));
    assert_true(&env.run(verify_receipt_ix(batch_pda(&root), 1, &receipt, vec![])));
    assert_true(&env.run(verify_ix(batch_pda(&root), 1, root, vec![])));
    // The leaf is hashed twice: the single keccak of the encoding is not a leaf.
    let once = keccak(&[&receipt.0, &receipt.1, &receipt.2]);
    env.fails(verify_ix(batch_pda(&root), 1, once, vec![]), custom(E::InvalidProof));
}

#[test]
fn verify_rejects_wrong_batches_foreign_proofs_and_tampering() {
    let mut env = Env::new();
    let a_leaves = receipts(0xa, 5);
    let b_leaves = receipts(0xb, 4);
    let (a, a_id) = env.anchor(&a_leaves);
    let (b, b_id) = env.anchor(&b_leaves);
    let (a_batch, b_batch) = (batch_pda(&a.root()), batch_pda(&b.root()));
    let receipt = a_leaves[2];
    let proof = a.proof(&receipt);

    // The right proof, the right batch account, another batch's id.
    env.fails(verify_receipt_ix(a_batch, b_id, &receipt, proof.clone()), custom(E::WrongBatch));
    env.fails(verify_receipt_ix(a_batch, 0, &receipt, proof.clone()), custom(E::WrongBatch));
    // A proof from batch A presented against batch B.
    env.fails(verify_receipt_ix(b_batch, b_id, &receipt, proof.clone()), custom(E::InvalidProof));
    // Tampered leaf fields, each one.
    let (r, p, s) = receipt;
    for tampered in [(b32(1), p, s), (r, b32(1), s), (r, p, b32(1)), (p, r, s)] {
        env.fails(verify_receipt_ix(a_batch, a_id, &tampered, proof.clone()), custom(E::InvalidProof));
    }
    // Tampered or truncated proofs.
    let mut flipped = proof.clone();
    flipped[0][31] ^= 1;
    env.fails(verify_receipt_ix(a_batch, a_id, &receipt, flipped), custom(E::InvalidProof));
    env.fails(verify_receipt_ix(a_batch, a_id, &receipt, proof[..proof.len() - 1].to_vec()), custom(E::InvalidProof));
    // `verify` proves a node hash, as OpenZeppelin's MerkleProof.verify
    // does: an inner node with the rest of its path passes. A receipt is
    // bound only through `verify_receipt`, whose double-hashed 96-byte leaf
    // cannot be an inner node (64 bytes hashed once).
    assert_true(&env.run(verify_ix(a_batch, a_id, a.nodes[1], vec![a.nodes[2]])));
    // Too deep: 33 levels, checked before anything else.
    env.fails(verify_receipt_ix(a_batch, b_id, &receipt, vec![[0; 32]; 33]), custom(E::ProofTooLong));
    // 32 levels is allowed (and wrong here).
    env.fails(verify_receipt_ix(a_batch, a_id, &receipt, vec![[0; 32]; 32]), custom(E::InvalidProof));

    // The batch account must be a batch PDA of its own root.
    let lookalike = Address::new_unique();
    clone_account(&mut env.svm, &a_batch, &lookalike);
    env.fails(verify_receipt_ix(lookalike, a_id, &receipt, proof.clone()), custom(Anchor::ConstraintSeeds));
    // A root never anchored has no batch account.
    env.fails(verify_receipt_ix(batch_pda(&b32(9)), a_id, &receipt, proof.clone()), custom(Anchor::AccountNotInitialized));
    // The config is not a batch.
    env.fails(verify_receipt_ix(config_pda(), a_id, &receipt, proof.clone()), custom(Anchor::AccountDiscriminatorMismatch));

    assert_true(&env.run(verify_receipt_ix(a_batch, a_id, &receipt, proof)));
    assert_true(&env.run(verify_receipt_ix(b_batch, b_id, &b_leaves[3], b.proof(&b_leaves[3]))));
}

#[test]
fn initialize_runs_once() {
    let mut env = Env::new();
    // A second initialize, by anyone (the admin included), finds the config
    // in use (System program's AccountAlreadyInUse) and changes nothing.
    let other = funded(&mut env.svm);
    fails(&mut env.svm, &other, &[], &[initialize_ix(&other.pubkey(), programdata(&PROGRAM))], custom(0u32));
    let admin = env.admin.insecure_clone();
    fails(&mut env.svm, &admin, &[], &[initialize_ix(&admin.pubkey(), programdata(&PROGRAM))], custom(0u32));
    env.anchor(&receipts(3, 2));
    let config = env.config();
    assert_eq!((config.admin, config.batch_count), (env.admin.pubkey(), 1));
    // Not at another address either: the config is the PDA.
    let elsewhere = Keypair::new();
    let mut init = initialize_ix(&other.pubkey(), programdata(&PROGRAM));
    init.accounts[1] = solana_instruction::AccountMeta::new(elsewhere.pubkey(), true);
    fails(&mut env.svm, &other, &[&elsewhere], &[init], custom(Anchor::ConstraintSeeds));
}

#[test]
fn remove_anchorer_needs_the_admins_signature_and_the_config() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let me = env.anchorer.pubkey();
    let stranger = funded(&mut env.svm);
    fails(
        &mut env.svm,
        &stranger,
        &[],
        &[unsigned_by(remove_anchorer_ix(&admin.pubkey(), &me), &admin.pubkey())],
        custom(Anchor::AccountNotSigner),
    );
    let instruction = remove_anchorer_ix(&admin.pubkey(), &me);
    let lookalike = with_lookalike_config(&mut env.svm, instruction);
    fails(&mut env.svm, &admin, &[], &[lookalike], custom(Anchor::ConstraintSeeds));
    let record: Anchorer = account(&env.svm, &anchorer_pda(&me));
    assert_eq!(record.authority, me, "still an anchorer");
    env.anchor(&receipts(4, 1));
}

#[test]
fn prefunded_addresses_block_neither_initialisation_nor_anchorers_nor_batches() {
    let mut svm = svm_with(PROGRAM);
    let admin = deployer();
    let griefer = funded(&mut svm);
    let anchorer = funded(&mut svm);
    let gift = smallest_gift(&svm);
    prefund(&mut svm, &griefer, &config_pda(), gift);
    ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), programdata(&PROGRAM))]);
    assert_eq!(account::<AnchorConfig>(&svm, &config_pda()).admin, admin.pubkey());
    prefund(&mut svm, &griefer, &anchorer_pda(&anchorer.pubkey()), 10_000_000);
    ok(&mut svm, &admin, &[], &[add_anchorer_ix(&admin.pubkey(), anchorer.pubkey())]);
    assert_eq!(account::<Anchorer>(&svm, &anchorer_pda(&anchorer.pubkey())).authority, anchorer.pubkey());

    // A root is public once the EVM anchor lands: anyone can fund its PDA first.
    let rent = svm.minimum_balance_for_rent_exemption(8 + Batch::INIT_SPACE);
    for (seed, gift) in [(5u8, smallest_gift(&svm)), (6u8, rent + 1)] {
        let tree = Tree::of(&receipts(seed, 3));
        let address = batch_pda(&tree.root());
        prefund(&mut svm, &griefer, &address, gift);
        let meta = ok(&mut svm, &anchorer, &[], &[anchor_ix(&anchorer.pubkey(), tree.root(), 3, "")]);
        let batch_id = event::<BatchAnchored>(&meta).batch_id;
        let created = svm.get_account(&address).expect("batch");
        assert_eq!((created.owner, created.lamports), (PROGRAM, gift.max(rent)));
        let batch: Batch = account(&svm, &address);
        assert_eq!((batch.batch_id, batch.root, batch.anchorer), (batch_id, tree.root(), anchorer.pubkey()));
        let receipt = receipts(seed, 3)[1];
        let verify = verify_receipt_ix(address, batch_id, &receipt, tree.proof(&receipt));
        assert_true(&ok(&mut svm, &anchorer, &[], &[verify]));
        fails(&mut svm, &anchorer, &[], &[anchor_ix(&anchorer.pubkey(), tree.root(), 3, "")], custom(E::RootAlreadyAnchored));
    }
}

#[test]
fn the_admin_hands_over_only_by_propose_and_accept() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    check_admin_handover_of!(dispatch_anchor, AnchorConfig, ReceiptAnchorError, &mut env.svm, &admin, &|admin| add_anchorer_ix(
        admin,
        Address::new_unique()
    ));
}
