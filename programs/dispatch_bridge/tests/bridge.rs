//! dispatch_bridge as real SBF: the .so built by toolchain/sbf/build-sbf.sh
//! (`dispatch_bridge.so` in `DISPATCH_SBF_DIR`, which ./dev sets) runs in LiteSVM, deployed as an upgradeable program (with its ProgramData
//! and upgrade authority), next to the real SPL Token and Associated Token
//! programs. Every account constraint and every error variant is triggered
//! and asserted as the exact error a client sees; plus the 2-of-3 threshold,
//! replay, the rate limits with their linear refill and the inbound queue,
//! pause, the admin handover, and the compute units of lock and release next
//! to a plain SPL transfer.
//!
//! Run through ./dev (`./dev run cargo test -p dispatch_bridge`): its setup
//! builds every program to SBF, cached by the hash of the sources.

#[path = "../../test_support.rs"]
#[allow(unused_macros)]
mod support;

use std::path::PathBuf;

use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::{AnchorDeserialize, Event};
use anchor_spl::associated_token::get_associated_token_address;
use base64::Engine;
use dispatch_bridge::{
    accounts, instruction, BridgeConfig, BridgeError as E, BridgeMessage, InboundMessage, InboundStatus, InitializeArgs, OutboundMessage,
};
use dispatch_bridge::{
    AdminAccepted, AdminProposed, Attested, AttestersUpdated, BridgePaused, BridgeUnpaused, Initialized, LimitsUpdated, Locked,
    PauserUpdated, Queued, Released, ThresholdUpdated,
};
use litesvm::types::TransactionMetadata;
use litesvm::LiteSVM;
use sha3::{Digest, Keccak256};
use solana_address::Address;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;
use support::*;

const PROGRAM: Address = dispatch_bridge::ID;
const ATA_PROGRAM: Address = anchor_spl::associated_token::ID;
const LOADER_V3: Address = solana_sdk_ids::bpf_loader_upgradeable::ID;
const T0: i64 = 1_750_000_000;
const DAY: i64 = 86_400;
const FUNDS: u64 = 100_000 * BOLT;
const OUT_CAP: u64 = 10_000 * BOLT;
const IN_CAP: u64 = 1_000 * BOLT;
const QUEUE_DELAY: i64 = 3_600;
const PEER_BRIDGE_EVM: [u8; 20] = [0x42; 20];

// ---------------------------------------------------------------------------
// Loading the SBF program

/// The program's bytes: `dispatch_bridge.so` in `DISPATCH_SBF_DIR`, the build `./dev` setup makes of every program
/// (toolchain/sbf/build-sbf.sh, cached by the hash of the sources, so it is
/// never older than them); a missing build panics with how to make it.
fn program_bytes() -> Vec<u8> {
    let Ok(dir) = std::env::var("DISPATCH_SBF_DIR") else {
        panic!("DISPATCH_SBF_DIR is not set: run the tests through ./dev, whose setup builds the programs to SBF")
    };
    let path = PathBuf::from(dir).join("dispatch_bridge.so");
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("the dispatch_bridge SBF program {} is missing ({e}): rerun ./dev setup", path.display()))
}

/// Feature `virtual_address_space_adjustments` (SIMD-0219's stricter ABI):
/// without it (mainnet and devnet as of this writing, LiteSVM's default)
/// SBPF v0 stack frames have 4 KB gaps between them, and the upstream LLVM
/// BPF backend passes the 6th+ arguments of a call above the caller's frame
/// (`*(u64 *)(r10 + 8)`, read by the callee at `r10 - 4088`): that lands in
/// the gap, "Access violation in stack frame", e.g. core's `pad_integral`
/// behind every `{}` of an integer, so every Anchor error log. Without gaps
/// (this feature) the frames are contiguous and the convention works.
/// docs/bridge-solana.md, "SBF build".
const VIRTUAL_ADDRESS_SPACE_ADJUSTMENTS: &str = "7VgiehxNxu53KdxgLspGQY8myE6f7UokaWa4jsGcaSz";

/// LiteSVM as `LiteSVM::new()` builds it (mainnet features, builtins, SPL
/// Token, Token-2022, ATA, Memo, sysvars, signature and blockhash checks),
/// plus contiguous stack frames (see above).
fn new_svm() -> LiteSVM {
    let mut features = LiteSVM::mainnet_feature_set();
    features.activate(&VIRTUAL_ADDRESS_SPACE_ADJUSTMENTS.parse().expect("feature id"), 0);
    LiteSVM::default()
        .with_feature_set(features)
        .with_builtins()
        .with_lamports(1_000_000 * 1_000_000_000)
        .with_sysvars()
        .with_feature_accounts()
        .with_default_programs()
        .with_sigverify(true)
        .with_blockhash_check(true)
}

/// The ProgramData address of `program` (loader-v3 PDA `[program]`).
fn program_data_of(program: &Address) -> Address {
    pda(&[program.as_ref()], &LOADER_V3)
}

/// Deploys the .so at `program` as an upgradeable program whose upgrade
/// authority is `authority`: LiteSVM's `add_program` writes the Program and
/// ProgramData accounts of loader v3 (authority none); the authority is then
/// set in ProgramData's metadata (`u32 tag 3, u64 slot, Option<Pubkey>`).
fn deploy(svm: &mut LiteSVM, program: Address, authority: Option<Address>) {
    svm.add_program(program, &program_bytes()).expect("the .so passes LiteSVM's loader and verifier");
    let address = program_data_of(&program);
    let mut data = svm.get_account(&address).expect("ProgramData");
    assert_eq!(u32::from_le_bytes(data.data[0..4].try_into().unwrap()), 3, "a ProgramData account");
    match authority {
        Some(key) => {
            data.data[12] = 1;
            data.data[13..45].copy_from_slice(key.as_ref());
        }
        None => data.data[12..45].fill(0),
    }
    svm.set_account(address, data).expect("set ProgramData");
}

/// The events `T` the transaction logged with `emit!` (`Program data:`
/// lines: discriminator then Borsh).
fn events<T: Event + AnchorDeserialize>(meta: &TransactionMetadata) -> Vec<T> {
    meta.logs
        .iter()
        .filter_map(|line| line.strip_prefix("Program data: "))
        .filter_map(|b64| {
            let data = base64::engine::general_purpose::STANDARD.decode(b64).expect("base64 event");
            let body = data.strip_prefix(T::DISCRIMINATOR)?;
            Some(T::try_from_slice(body).expect("event decodes"))
        })
        .collect()
}

fn event<T: Event + AnchorDeserialize>(meta: &TransactionMetadata) -> T {
    let mut all = events::<T>(meta);
    assert_eq!(all.len(), 1, "expected exactly one event:\n{}", meta.pretty_logs());
    all.remove(0)
}

// ---------------------------------------------------------------------------
// The bridge's accounts and instructions

fn keccak(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

fn solana_chain() -> [u8; 32] {
    keccak(b"solana:localnet")
}

fn evm_chain() -> [u8; 32] {
    keccak(b"eip155:31337")
}

fn pad(address: [u8; 20]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(&address);
    out
}

fn config_pda() -> Address {
    pda(&[b"config"], &PROGRAM)
}

fn custody_pda() -> Address {
    pda(&[b"custody"], &PROGRAM)
}

fn outbound_pda(sequence: u64) -> Address {
    pda(&[b"outbound", &sequence.to_le_bytes()], &PROGRAM)
}

fn inbound_pda(digest: &[u8; 32]) -> Address {
    pda(&[b"inbound", digest], &PROGRAM)
}

fn init_args(attesters: &[Address], threshold: u8) -> InitializeArgs {
    InitializeArgs {
        pauser: Address::new_unique(),
        chain_id: solana_chain(),
        peer_chain_id: evm_chain(),
        peer_bridge: pad(PEER_BRIDGE_EVM),
        attesters: attesters.to_vec(),
        threshold,
        outbound_capacity: OUT_CAP,
        inbound_capacity: IN_CAP,
        queue_delay: QUEUE_DELAY,
    }
}

fn initialize_accounts(admin: &Address, mint: &Address) -> accounts::Initialize {
    accounts::Initialize {
        admin: *admin,
        config: config_pda(),
        mint: *mint,
        custody: custody_pda(),
        program: PROGRAM,
        program_data: program_data_of(&PROGRAM),
        token_program: TOKEN_PROGRAM,
        system_program: SYSTEM_PROGRAM,
    }
}

fn initialize_ix(admin: &Address, mint: &Address, args: InitializeArgs) -> Instruction {
    ix(PROGRAM, initialize_accounts(admin, mint), instruction::Initialize { args })
}

/// An inbound message from the peer bridge for `recipient` on this chain.
fn inbound(sequence: u64, amount: u64, recipient: &Address) -> BridgeMessage {
    BridgeMessage {
        version: 1,
        kind: 1,
        source_chain: evm_chain(),
        source_bridge: pad(PEER_BRIDGE_EVM),
        sequence,
        amount,
        sender: pad([0x77; 20]),
        recipient: recipient.to_bytes(),
        destination_chain: solana_chain(),
    }
}

fn attest_accounts(mint: Address, attester: &Address, message: &BridgeMessage) -> accounts::Attest {
    let recipient = Address::new_from_array(message.recipient);
    accounts::Attest {
        attester: *attester,
        config: config_pda(),
        inbound: inbound_pda(&message.digest()),
        custody: custody_pda(),
        mint,
        recipient,
        recipient_token: get_associated_token_address(&recipient, &mint),
        token_program: TOKEN_PROGRAM,
        associated_token_program: ATA_PROGRAM,
        system_program: SYSTEM_PROGRAM,
    }
}

fn complete_accounts(mint: Address, payer: &Address, message: &BridgeMessage) -> accounts::CompleteQueued {
    let recipient = Address::new_from_array(message.recipient);
    accounts::CompleteQueued {
        payer: *payer,
        config: config_pda(),
        inbound: inbound_pda(&message.digest()),
        custody: custody_pda(),
        mint,
        recipient,
        recipient_token: get_associated_token_address(&recipient, &mint),
        token_program: TOKEN_PROGRAM,
        associated_token_program: ATA_PROGRAM,
        system_program: SYSTEM_PROGRAM,
    }
}

struct Env {
    svm: LiteSVM,
    admin: Keypair,
    pauser: Keypair,
    attesters: Vec<Keypair>,
    mint: Address,
    user: Keypair,
    user_token: Address,
}

impl Env {
    /// Deployed with `admin` as upgrade authority, initialised 2-of-3 at
    /// T0; `user` holds `FUNDS` BOLT.
    fn new() -> Self {
        Self::with(3, 2)
    }

    fn with(attesters: usize, threshold: u8) -> Self {
        let mut svm = new_svm();
        let admin = funded(&mut svm);
        deploy(&mut svm, PROGRAM, Some(admin.pubkey()));
        set_time(&mut svm, T0);
        let mint = create_mint(&mut svm, &admin, &admin.pubkey());
        let pauser = funded(&mut svm);
        let attesters: Vec<Keypair> = (0..attesters).map(|_| funded(&mut svm)).collect();
        let keys: Vec<Address> = attesters.iter().map(|k| k.pubkey()).collect();
        let args = InitializeArgs { pauser: pauser.pubkey(), ..init_args(&keys, threshold) };
        ok(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, args)]);
        let user = funded(&mut svm);
        let user_token = create_token_account(&mut svm, &admin, &mint, &user.pubkey());
        mint_to(&mut svm, &admin, &mint, &user_token, FUNDS);
        Env { svm, admin, pauser, attesters, mint, user, user_token }
    }

    fn config(&self) -> BridgeConfig {
        account(&self.svm, &config_pda())
    }

    fn custody(&self) -> u64 {
        token_balance(&self.svm, &custody_pda())
    }

    fn lock_accounts(&self, sequence: u64) -> accounts::Lock {
        accounts::Lock {
            sender: self.user.pubkey(),
            config: config_pda(),
            outbound: outbound_pda(sequence),
            sender_token: self.user_token,
            custody: custody_pda(),
            mint: self.mint,
            token_program: TOKEN_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        }
    }

    fn lock_ix(&self, amount: u64, evm_recipient: [u8; 20]) -> Instruction {
        let sequence = self.config().next_sequence;
        ix(PROGRAM, self.lock_accounts(sequence), instruction::Lock { amount, evm_recipient })
    }

    fn lock(&mut self, amount: u64) -> TransactionMetadata {
        let ix = self.lock_ix(amount, [0xee; 20]);
        ok(&mut self.svm, &self.user, &[], &[ix])
    }

    fn lock_fails(&mut self, ix: Instruction, expected: u32) {
        fails(&mut self.svm, &self.user, &[], &[ix], custom(expected));
    }

    fn attest_accounts(&self, attester: &Address, message: &BridgeMessage) -> accounts::Attest {
        attest_accounts(self.mint, attester, message)
    }

    fn attest_ix(&self, attester: &Address, message: &BridgeMessage) -> Instruction {
        ix(PROGRAM, self.attest_accounts(attester, message), instruction::Attest { message: message.clone() })
    }

    /// Attester `i` attests `message`.
    fn attest(&mut self, i: usize, message: &BridgeMessage) -> TransactionMetadata {
        let signer = self.attesters[i].insecure_clone();
        let ix = self.attest_ix(&signer.pubkey(), message);
        ok(&mut self.svm, &signer, &[], &[ix])
    }

    fn attest_fails(&mut self, signer: &Keypair, ix: Instruction, expected: u32) {
        fails(&mut self.svm, signer, &[], &[ix], custom(expected));
    }

    fn complete_accounts(&self, payer: &Address, message: &BridgeMessage) -> accounts::CompleteQueued {
        complete_accounts(self.mint, payer, message)
    }

    fn complete_ix(&self, payer: &Address, message: &BridgeMessage) -> Instruction {
        ix(PROGRAM, self.complete_accounts(payer, message), instruction::CompleteQueued { digest: message.digest() })
    }

    fn record(&self, message: &BridgeMessage) -> InboundMessage {
        account(&self.svm, &inbound_pda(&message.digest()))
    }

    fn recipient_balance(&self, recipient: &Address) -> u64 {
        self.svm
            .get_account(&get_associated_token_address(recipient, &self.mint))
            .map_or(0, |_| token_balance(&self.svm, &get_associated_token_address(recipient, &self.mint)))
    }
}

fn admin_ix<A: anchor_lang::ToAccountMetas, D: anchor_lang::InstructionData>(accounts: A, data: D) -> Instruction {
    ix(PROGRAM, accounts, data)
}

fn set_attesters_ix(admin: &Address, attesters: Vec<Address>) -> Instruction {
    admin_ix(accounts::SetAttesters { admin: *admin, config: config_pda() }, instruction::SetAttesters { attesters })
}

fn set_threshold_ix(admin: &Address, threshold: u8) -> Instruction {
    admin_ix(accounts::SetThreshold { admin: *admin, config: config_pda() }, instruction::SetThreshold { threshold })
}

fn set_limits_ix(admin: &Address, outbound_capacity: u64, inbound_capacity: u64, queue_delay: i64) -> Instruction {
    admin_ix(
        accounts::SetLimits { admin: *admin, config: config_pda() },
        instruction::SetLimits { outbound_capacity, inbound_capacity, queue_delay },
    )
}

fn set_pauser_ix(admin: &Address, pauser: Address) -> Instruction {
    admin_ix(accounts::SetPauser { admin: *admin, config: config_pda() }, instruction::SetPauser { pauser })
}

fn pause_ix(authority: &Address) -> Instruction {
    admin_ix(accounts::Pause { authority: *authority, config: config_pda() }, instruction::Pause {})
}

fn unpause_ix(admin: &Address) -> Instruction {
    admin_ix(accounts::Unpause { admin: *admin, config: config_pda() }, instruction::Unpause {})
}

// ---------------------------------------------------------------------------
// The message encoding

/// The v1 encoding against digests computed independently (Python
/// `eth_utils.keccak` over `struct.pack('>QQ', ...)` of the same fields).
/// TODO(bridge): also check every vector of tests/bridge/vectors.json (the
/// EVM engineer's shared file, branch `bridge`) once it is merged.
#[test]
fn the_message_encodes_to_the_agreed_178_bytes() {
    let evm_sender = pad(hex20("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
    let message = BridgeMessage {
        version: 1,
        kind: 1,
        source_chain: evm_chain(),
        source_bridge: pad(hex20("5FbDB2315678afecb367f032d93F642f64180aa3")),
        sequence: 7,
        amount: 1_500_000_000,
        sender: evm_sender,
        recipient: core::array::from_fn(|i| i as u8 + 1),
        destination_chain: solana_chain(),
    };
    let bytes = message.encode();
    assert_eq!(bytes.len(), 178);
    assert_eq!(&bytes[..2], &[1, 1]);
    assert_eq!(&bytes[2..34], &evm_chain());
    assert_eq!(&bytes[34..46], &[0u8; 12]);
    assert_eq!(&bytes[66..74], &[0, 0, 0, 0, 0, 0, 0, 7], "sequence is big-endian");
    assert_eq!(&bytes[74..82], &1_500_000_000u64.to_be_bytes(), "amount is big-endian");
    assert_eq!(&bytes[82..114], &evm_sender);
    assert_eq!(bytes[114], 1);
    assert_eq!(bytes[145], 32);
    assert_eq!(&bytes[146..], &solana_chain());
    assert_eq!(hex(&message.digest()), "bd3bf2326cb41099e82ebc1cef46e55b0b4c0512323f3d473823c3457ba9bcac");
    assert_eq!(message.digest(), keccak(&bytes));

    // Extremes: u64::MAX fields, all-ones sender, the other direction.
    let extreme = BridgeMessage {
        version: 1,
        kind: 1,
        source_chain: solana_chain(),
        source_bridge: core::array::from_fn(|i| i as u8 + 100),
        sequence: u64::MAX,
        amount: u64::MAX,
        sender: [0xff; 32],
        recipient: pad(core::array::from_fn(|i| if i == 19 { 0xff } else { 0 })),
        destination_chain: evm_chain(),
    };
    assert_eq!(hex(&extreme.digest()), "df04cf810a36ba3e841764db33a2e16b6b930e23d93992f863004f614d849cf9");
}

fn hex20(s: &str) -> [u8; 20] {
    core::array::from_fn(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------
// initialize

#[test]
fn only_the_upgrade_authority_initializes() {
    let mut svm = new_svm();
    let authority = funded(&mut svm);
    let stranger = funded(&mut svm);
    deploy(&mut svm, PROGRAM, Some(authority.pubkey()));
    let mint = create_mint(&mut svm, &authority, &authority.pubkey());
    let keys = [Address::new_unique()];
    let args = || init_args(&keys, 1);

    fails(&mut svm, &stranger, &[], &[initialize_ix(&stranger.pubkey(), &mint, args())], custom(E::Unauthorized));
    // Another upgradeable program's ProgramData, whose authority is the stranger.
    let other = Address::new_unique();
    deploy(&mut svm, other, Some(stranger.pubkey()));
    let accounts = accounts::Initialize { program_data: program_data_of(&other), ..initialize_accounts(&stranger.pubkey(), &mint) };
    fails(&mut svm, &stranger, &[], &[ix(PROGRAM, accounts, instruction::Initialize { args: args() })], custom(E::Unauthorized));
    // Not a ProgramData at all, not this program.
    let accounts = accounts::Initialize { program_data: mint, ..initialize_accounts(&authority.pubkey(), &mint) };
    fails(
        &mut svm,
        &authority,
        &[],
        &[ix(PROGRAM, accounts, instruction::Initialize { args: args() })],
        custom(Anchor::AccountOwnedByWrongProgram),
    );
    let accounts = accounts::Initialize { program: other, ..initialize_accounts(&authority.pubkey(), &mint) };
    fails(&mut svm, &authority, &[], &[ix(PROGRAM, accounts, instruction::Initialize { args: args() })], custom(Anchor::InvalidProgramId));
    // A mint of Token-2022 is refused; so is another token program.
    let token_2022: Address = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb".parse().unwrap();
    let accounts = accounts::Initialize { token_program: token_2022, ..initialize_accounts(&authority.pubkey(), &mint) };
    fails(&mut svm, &authority, &[], &[ix(PROGRAM, accounts, instruction::Initialize { args: args() })], custom(Anchor::InvalidProgramId));
    fails(
        &mut svm,
        &authority,
        &[],
        &[initialize_ix(&authority.pubkey(), &authority.pubkey(), args())],
        custom(Anchor::AccountOwnedByWrongProgram),
    );
    // The config and custody must be the program's PDAs.
    let accounts = accounts::Initialize { config: Address::new_unique(), ..initialize_accounts(&authority.pubkey(), &mint) };
    fails(&mut svm, &authority, &[], &[ix(PROGRAM, accounts, instruction::Initialize { args: args() })], custom(Anchor::ConstraintSeeds));
    let accounts = accounts::Initialize { custody: Address::new_unique(), ..initialize_accounts(&authority.pubkey(), &mint) };
    fails(&mut svm, &authority, &[], &[ix(PROGRAM, accounts, instruction::Initialize { args: args() })], custom(Anchor::ConstraintSeeds));
    // The authority must sign (paid by someone else here).
    let mut unsigned = initialize_ix(&authority.pubkey(), &mint, args());
    unsigned.accounts[0].is_signer = false;
    fails(&mut svm, &stranger, &[], &[unsigned], custom(Anchor::AccountNotSigner));
    assert!(svm.get_account(&config_pda()).is_none());

    set_time(&mut svm, T0);
    let meta = ok(&mut svm, &authority, &[], &[initialize_ix(&authority.pubkey(), &mint, args())]);
    let config: BridgeConfig = account(&svm, &config_pda());
    assert_eq!(
        (config.admin, config.pending_admin, config.paused, config.mint, config.custody),
        (authority.pubkey(), None, false, mint, custody_pda())
    );
    assert_eq!((config.chain_id, config.peer_chain_id, config.peer_bridge), (solana_chain(), evm_chain(), pad(PEER_BRIDGE_EVM)));
    assert_eq!((config.attesters.as_slice(), config.threshold, config.next_sequence), (keys.as_slice(), 1, 0));
    assert_eq!((config.outbound_limit.capacity, config.outbound_limit.level, config.outbound_limit.last_update), (OUT_CAP, OUT_CAP, T0));
    assert_eq!((config.inbound_limit.capacity, config.inbound_limit.level, config.queue_delay), (IN_CAP, IN_CAP, QUEUE_DELAY));
    assert_eq!(
        (config.bump, config.custody_bump),
        (Address::find_program_address(&[b"config"], &PROGRAM).1, Address::find_program_address(&[b"custody"], &PROGRAM).1)
    );
    // The custody vault: a token account of the mint owned by the config PDA.
    let custody = svm.get_account(&custody_pda()).unwrap();
    assert_eq!(custody.owner, TOKEN_PROGRAM);
    let vault = <spl_token_interface::state::Account as solana_program_pack::Pack>::unpack(&custody.data).unwrap();
    assert_eq!((vault.mint, vault.owner, vault.amount), (mint, config_pda(), 0));
    let e: Initialized = event(&meta);
    assert_eq!((e.admin, e.mint, e.custody, e.attesters, e.threshold), (authority.pubkey(), mint, custody_pda(), keys.to_vec(), 1));
    // Once only (the System program's "already in use").
    fails(&mut svm, &authority, &[], &[initialize_ix(&authority.pubkey(), &mint, args())], custom(0u32));
}

#[test]
fn an_immutable_program_cannot_be_initialized() {
    let mut svm = new_svm();
    let authority = funded(&mut svm);
    deploy(&mut svm, PROGRAM, None);
    let mint = create_mint(&mut svm, &authority, &authority.pubkey());
    fails(
        &mut svm,
        &authority,
        &[],
        &[initialize_ix(&authority.pubkey(), &mint, init_args(&[Address::new_unique()], 1))],
        custom(E::Unauthorized),
    );
}

#[test]
fn initialize_validates_attesters_threshold_peer_and_delay() {
    let mut svm = new_svm();
    let admin = funded(&mut svm);
    deploy(&mut svm, PROGRAM, Some(admin.pubkey()));
    let mint = create_mint(&mut svm, &admin, &admin.pubkey());
    let a: Vec<Address> = (0..9).map(|_| Address::new_unique()).collect();
    let mut try_init = |args: InitializeArgs, expected: E| {
        fails(&mut svm, &admin, &[], &[initialize_ix(&admin.pubkey(), &mint, args)], custom(expected));
    };
    try_init(init_args(&[], 0), E::InvalidAttesters);
    try_init(init_args(&a[..9], 1), E::InvalidAttesters);
    try_init(init_args(&[a[0], a[1], a[0]], 1), E::InvalidAttesters);
    try_init(init_args(&[a[0], Address::default()], 1), E::InvalidAttesters);
    try_init(init_args(&a[..3], 0), E::InvalidThreshold);
    try_init(init_args(&a[..3], 4), E::InvalidThreshold);
    try_init(InitializeArgs { peer_chain_id: solana_chain(), ..init_args(&a[..3], 2) }, E::InvalidPeer);
    try_init(InitializeArgs { peer_bridge: [0u8; 32], ..init_args(&a[..3], 2) }, E::InvalidPeer);
    let mut not_evm = pad(PEER_BRIDGE_EVM);
    not_evm[11] = 1;
    try_init(InitializeArgs { peer_bridge: not_evm, ..init_args(&a[..3], 2) }, E::InvalidPeer);
    try_init(InitializeArgs { queue_delay: -1, ..init_args(&a[..3], 2) }, E::InvalidLimits);
    // The limits: 8 attesters, threshold 8, capacities 0, delay 0 are valid.
    ok(
        &mut svm,
        &admin,
        &[],
        &[initialize_ix(
            &admin.pubkey(),
            &mint,
            InitializeArgs { outbound_capacity: 0, inbound_capacity: 0, queue_delay: 0, ..init_args(&a[..8], 8) },
        )],
    );
    let config: BridgeConfig = account(&svm, &config_pda());
    assert_eq!((config.attesters.len(), config.threshold), (8, 8));
}

// ---------------------------------------------------------------------------
// lock

#[test]
fn lock_moves_bolt_into_custody_and_records_the_message() {
    let mut env = Env::new();
    set_time(&mut env.svm, T0 + 10);
    let recipient = [0xab; 20];
    let ix = env.lock_ix(250 * BOLT, recipient);
    let meta = ok(&mut env.svm, &env.user, &[], &[ix]);
    assert_eq!(token_balance(&env.svm, &env.user_token), FUNDS - 250 * BOLT);
    assert_eq!(env.custody(), 250 * BOLT);

    let expected = BridgeMessage {
        version: 1,
        kind: 1,
        source_chain: solana_chain(),
        source_bridge: PROGRAM.to_bytes(),
        sequence: 0,
        amount: 250 * BOLT,
        sender: env.user.pubkey().to_bytes(),
        recipient: pad(recipient),
        destination_chain: evm_chain(),
    };
    let record: OutboundMessage = account(&env.svm, &outbound_pda(0));
    let slot = dispatch_svm::clock(&env.svm).slot;
    assert_eq!(record.message, expected);
    assert_eq!(record.digest, keccak(&expected.encode()));
    assert_eq!(
        (record.slot, record.locked_at, record.bump),
        (slot, T0 + 10, Address::find_program_address(&[b"outbound", &0u64.to_le_bytes()], &PROGRAM).1)
    );
    let e: Locked = event(&meta);
    assert_eq!((e.message, e.digest, e.slot), (expected, record.digest, slot));

    // Sequences count up, one record each.
    env.lock(BOLT);
    env.lock(2 * BOLT);
    let config = env.config();
    assert_eq!(config.next_sequence, 3);
    let records: Vec<OutboundMessage> = (0..3).map(|s| account(&env.svm, &outbound_pda(s))).collect();
    assert_eq!(
        records.iter().map(|r| (r.message.sequence, r.message.amount)).collect::<Vec<_>>(),
        vec![(0, 250 * BOLT), (1, BOLT), (2, 2 * BOLT)]
    );
    assert_eq!(config.outbound_limit.level, OUT_CAP - 253 * BOLT);
    assert_eq!(env.custody(), 253 * BOLT);
}

#[test]
fn lock_rejects_bad_amounts_recipients_and_accounts() {
    let mut env = Env::new();
    env.lock_fails(env.lock_ix(0, [1; 20]), E::ZeroAmount.into());
    env.lock_fails(env.lock_ix(BOLT, [0; 20]), E::MalformedRecipient.into());
    env.lock_fails(env.lock_ix(FUNDS + 1, [1; 20]), E::InsufficientBalance.into());

    let other_mint = create_mint(&mut env.svm, &env.admin, &env.admin.pubkey());
    let other_token = create_token_account(&mut env.svm, &env.admin, &other_mint, &env.user.pubkey());
    mint_to(&mut env.svm, &env.admin, &other_mint, &other_token, FUNDS);
    let with = |accounts: accounts::Lock| ix(PROGRAM, accounts, instruction::Lock { amount: BOLT, evm_recipient: [1; 20] });
    env.lock_fails(with(accounts::Lock { sender_token: other_token, ..env.lock_accounts(0) }), E::WrongMint.into());
    env.lock_fails(with(accounts::Lock { mint: other_mint, ..env.lock_accounts(0) }), E::WrongMint.into());
    let victim = create_token_account(&mut env.svm, &env.admin, &env.mint, &Address::new_unique());
    mint_to(&mut env.svm, &env.admin, &env.mint, &victim, FUNDS);
    env.lock_fails(with(accounts::Lock { sender_token: victim, ..env.lock_accounts(0) }), E::WrongTokenOwner.into());
    // A custody lookalike (same mint, config-owned) at another address.
    let fake_custody = create_token_account(&mut env.svm, &env.admin, &env.mint, &config_pda());
    env.lock_fails(with(accounts::Lock { custody: fake_custody, ..env.lock_accounts(0) }), Anchor::ConstraintAddress.into());
    let fake_config = Address::new_unique();
    clone_account(&mut env.svm, &config_pda(), &fake_config);
    env.lock_fails(with(accounts::Lock { config: fake_config, ..env.lock_accounts(0) }), Anchor::ConstraintSeeds.into());
    // The record of another sequence than the next one.
    env.lock_fails(with(env.lock_accounts(1)), Anchor::ConstraintSeeds.into());
    let token_2022: Address = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb".parse().unwrap();
    env.lock_fails(with(accounts::Lock { token_program: token_2022, ..env.lock_accounts(0) }), Anchor::InvalidProgramId.into());
    let mut unsigned = with(env.lock_accounts(0));
    unsigned.accounts[0].is_signer = false;
    let payer = funded(&mut env.svm);
    fails(&mut env.svm, &payer, &[], &[unsigned], custom(Anchor::AccountNotSigner));

    assert_eq!(token_balance(&env.svm, &env.user_token), FUNDS);
    assert_eq!(token_balance(&env.svm, &victim), FUNDS);
    assert_eq!((env.custody(), env.config().next_sequence), (0, 0));
}

#[test]
fn lock_over_the_outbound_limit_fails_and_the_limit_refills_linearly() {
    let mut env = Env::new();
    env.lock(OUT_CAP - BOLT);
    env.lock_fails(env.lock_ix(BOLT + 1, [1; 20]), E::RateLimited.into());
    env.lock(BOLT);
    env.lock_fails(env.lock_ix(1, [1; 20]), E::RateLimited.into());
    // A quarter of a day refills a quarter of the capacity, not one unit more.
    set_time(&mut env.svm, T0 + DAY / 4);
    env.lock_fails(env.lock_ix(OUT_CAP / 4 + 1, [1; 20]), E::RateLimited.into());
    env.lock(OUT_CAP / 4);
    // Refill stops at the capacity.
    set_time(&mut env.svm, T0 + 10 * DAY);
    env.lock_fails(env.lock_ix(OUT_CAP + 1, [1; 20]), E::RateLimited.into());
    env.lock(OUT_CAP);
    assert_eq!(env.custody(), 2 * OUT_CAP + OUT_CAP / 4);
    assert_eq!(env.config().next_sequence, 4);
    assert_eq!(env.config().outbound_limit.level, 0);
}

#[test]
fn the_sequence_cannot_wrap() {
    let mut env = Env::new();
    let mut config = env.config();
    config.next_sequence = u64::MAX;
    write_account(&mut env.svm, &config_pda(), &config);
    let ix = ix(PROGRAM, env.lock_accounts(u64::MAX), instruction::Lock { amount: BOLT, evm_recipient: [1; 20] });
    env.lock_fails(ix, E::MathOverflow.into());
}

// ---------------------------------------------------------------------------
// attest, release, replay

/// An environment whose custody holds 5 000 BOLT (locked by the user).
fn funded_env() -> Env {
    let mut env = Env::new();
    env.lock(5_000 * BOLT);
    env
}

#[test]
fn two_of_three_attestations_release_to_the_recipients_associated_account() {
    let mut env = funded_env();
    let recipient = Address::new_unique();
    let message = inbound(0, 100 * BOLT, &recipient);
    let digest = message.digest();

    let meta = env.attest(0, &message);
    let e: Attested = event(&meta);
    assert_eq!((e.digest, e.attester, e.attestations, e.threshold), (digest, env.attesters[0].pubkey(), 1, 2));
    assert!(events::<Released>(&meta).is_empty());
    let record = env.record(&message);
    assert_eq!(
        (record.status, record.attesters.clone(), record.digest, record.message.clone()),
        (InboundStatus::Pending, vec![env.attesters[0].pubkey()], digest, message.clone())
    );
    assert_eq!(record.bump, Address::find_program_address(&[b"inbound", &digest], &PROGRAM).1);
    assert!(env.svm.get_account(&get_associated_token_address(&recipient, &env.mint)).is_none(), "nothing released at 1 of 2");
    assert_eq!(env.custody(), 5_000 * BOLT);

    // The same attester again: refused.
    let again = env.attest_ix(&env.attesters[0].pubkey(), &message);
    let first = env.attesters[0].insecure_clone();
    env.attest_fails(&first, again, E::DuplicateAttestation.into());

    // The second distinct attester reaches 2-of-3: released, ATA created.
    let meta = env.attest(2, &message);
    assert_eq!(event::<Attested>(&meta).attestations, 2);
    let e: Released = event(&meta);
    assert_eq!((e.digest, e.sequence, e.recipient, e.amount, e.from_queue), (digest, 0, recipient, 100 * BOLT, false));
    assert_eq!(env.recipient_balance(&recipient), 100 * BOLT);
    assert_eq!(env.custody(), 4_900 * BOLT);
    let record = env.record(&message);
    assert_eq!(record.status, InboundStatus::Executed);
    assert_eq!(env.config().inbound_limit.level, IN_CAP - 100 * BOLT);

    // Replay: the third attester, the first again, the whole message again.
    let third = env.attesters[1].insecure_clone();
    let ix = env.attest_ix(&third.pubkey(), &message);
    env.attest_fails(&third, ix, E::AlreadyExecuted.into());
    let ix = env.attest_ix(&first.pubkey(), &message);
    env.attest_fails(&first, ix, E::AlreadyExecuted.into());
    assert_eq!(env.recipient_balance(&recipient), 100 * BOLT);
    assert_eq!(env.custody(), 4_900 * BOLT);

    // The same transfer with the next sequence is another message.
    let next = inbound(1, 100 * BOLT, &recipient);
    env.attest(1, &next);
    env.attest(0, &next);
    assert_eq!(env.recipient_balance(&recipient), 200 * BOLT, "an existing ATA is credited");
}

#[test]
fn a_released_message_cannot_be_replayed() {
    let mut env = funded_env();
    let recipient = Address::new_unique();
    let message = inbound(0, 100 * BOLT, &recipient);
    env.attest(0, &message);
    // Attesters 1 and 2 in one transaction: the second attestation finds the
    // message executed and the whole transaction, release included, reverts.
    let (one, two) = (env.attesters[1].insecure_clone(), env.attesters[2].insecure_clone());
    let both = [env.attest_ix(&one.pubkey(), &message), env.attest_ix(&two.pubkey(), &message)];
    let err = send(&mut env.svm, &one, &[&two], &both).expect_err("the second attestation replays");
    assert_eq!(err.err, TransactionError::InstructionError(1, custom(E::AlreadyExecuted)));
    assert_eq!((env.recipient_balance(&recipient), env.custody()), (0, 5_000 * BOLT));
    assert_eq!(env.record(&message).status, InboundStatus::Pending);

    env.attest(1, &message);
    assert_eq!((env.recipient_balance(&recipient), env.custody()), (100 * BOLT, 4_900 * BOLT));
    // Every attester, every route: AlreadyExecuted, nothing moves.
    for i in 0..3 {
        let signer = env.attesters[i].insecure_clone();
        let ix = env.attest_ix(&signer.pubkey(), &message);
        env.attest_fails(&signer, ix, E::AlreadyExecuted.into());
    }
    let anyone = funded(&mut env.svm);
    let ix = env.complete_ix(&anyone.pubkey(), &message);
    fails(&mut env.svm, &anyone, &[], &[ix], custom(E::AlreadyExecuted));
    assert_eq!((env.recipient_balance(&recipient), env.custody()), (100 * BOLT, 4_900 * BOLT));
    assert_eq!(env.config().inbound_limit.level, IN_CAP - 100 * BOLT, "no capacity taken by the replays");
}

#[test]
fn attest_rejects_messages_not_from_the_peer_for_this_chain() {
    let mut env = funded_env();
    let recipient = Address::new_unique();
    let good = inbound(0, BOLT, &recipient);
    let signer = env.attesters[0].insecure_clone();
    let cases: Vec<(BridgeMessage, E)> = vec![
        (BridgeMessage { version: 2, ..good.clone() }, E::UnsupportedVersion),
        (BridgeMessage { kind: 2, ..good.clone() }, E::UnsupportedKind),
        (BridgeMessage { destination_chain: keccak(b"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"), ..good.clone() }, E::WrongChain),
        (BridgeMessage { destination_chain: evm_chain(), ..good.clone() }, E::WrongChain),
        (BridgeMessage { source_chain: keccak(b"eip155:10143"), ..good.clone() }, E::WrongSourceChain),
        (BridgeMessage { source_bridge: pad([0x43; 20]), ..good.clone() }, E::WrongSourceBridge),
        (BridgeMessage { amount: 0, ..good.clone() }, E::ZeroAmount),
        (BridgeMessage { recipient: [0; 32], ..good.clone() }, E::MalformedRecipient),
    ];
    for (message, expected) in cases {
        let ix = env.attest_ix(&signer.pubkey(), &message);
        env.attest_fails(&signer, ix, expected.into());
        assert!(env.svm.get_account(&inbound_pda(&message.digest())).is_none(), "no record left behind");
    }
    // The recipient account and its token account must be the message's.
    let with = |accounts: accounts::Attest| ix(PROGRAM, accounts, instruction::Attest { message: good.clone() });
    let other = Address::new_unique();
    env.attest_fails(
        &signer,
        with(accounts::Attest { recipient: other, ..env.attest_accounts(&signer.pubkey(), &good) }),
        E::MalformedRecipient.into(),
    );
    let wrong_token = get_associated_token_address(&other, &env.mint);
    env.attest_fails(
        &signer,
        with(accounts::Attest { recipient_token: wrong_token, ..env.attest_accounts(&signer.pubkey(), &good) }),
        E::MalformedRecipient.into(),
    );
    assert_eq!(env.custody(), 5_000 * BOLT);
}

#[test]
fn attest_checks_the_attester_and_its_accounts() {
    let mut env = funded_env();
    let message = inbound(0, BOLT, &Address::new_unique());
    let stranger = funded(&mut env.svm);
    let by_stranger = env.attest_ix(&stranger.pubkey(), &message);
    env.attest_fails(&stranger, by_stranger, E::UnknownAttester.into());

    let signer = env.attesters[0].insecure_clone();
    let with = |accounts: accounts::Attest| ix(PROGRAM, accounts, instruction::Attest { message: message.clone() });
    let mint = env.mint;
    let base = || attest_accounts(mint, &signer.pubkey(), &message);
    // The record of another digest.
    let other = inbound(1, BOLT, &Address::new_unique());
    env.attest_fails(&signer, with(accounts::Attest { inbound: inbound_pda(&other.digest()), ..base() }), Anchor::ConstraintSeeds.into());
    let fake_config = Address::new_unique();
    clone_account(&mut env.svm, &config_pda(), &fake_config);
    env.attest_fails(&signer, with(accounts::Attest { config: fake_config, ..base() }), Anchor::ConstraintSeeds.into());
    let fake_custody = create_token_account(&mut env.svm, &env.admin, &env.mint, &config_pda());
    env.attest_fails(&signer, with(accounts::Attest { custody: fake_custody, ..base() }), Anchor::ConstraintAddress.into());
    let other_mint = create_mint(&mut env.svm, &env.admin, &env.admin.pubkey());
    env.attest_fails(&signer, with(accounts::Attest { mint: other_mint, ..base() }), E::WrongMint.into());
    let token_2022: Address = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb".parse().unwrap();
    env.attest_fails(&signer, with(accounts::Attest { token_program: token_2022, ..base() }), Anchor::InvalidProgramId.into());
    env.attest_fails(
        &signer,
        with(accounts::Attest { associated_token_program: TOKEN_PROGRAM, ..base() }),
        Anchor::InvalidProgramId.into(),
    );
    let mut unsigned = with(base());
    unsigned.accounts[0].is_signer = false;
    let payer = funded(&mut env.svm);
    fails(&mut env.svm, &payer, &[], &[unsigned], custom(Anchor::AccountNotSigner));
    assert!(env.svm.get_account(&inbound_pda(&message.digest())).is_none());
}

#[test]
fn a_release_needs_the_bolt_in_custody() {
    let mut env = Env::new();
    env.lock(10 * BOLT);
    let message = inbound(0, 10 * BOLT + 1, &Address::new_unique());
    env.attest(0, &message);
    let signer = env.attesters[1].insecure_clone();
    let ix = env.attest_ix(&signer.pubkey(), &message);
    env.attest_fails(&signer, ix, E::InsufficientCustody.into());
    assert_eq!(env.record(&message).status, InboundStatus::Pending);
    assert_eq!(env.custody(), 10 * BOLT);
}

#[test]
fn removed_attesters_stop_counting_and_new_ones_can_attest() {
    let mut env = funded_env();
    let recipient = Address::new_unique();
    let message = inbound(0, 10 * BOLT, &recipient);
    env.attest(0, &message);
    // Attester 0 is replaced by a new key: its attestation no longer counts.
    let admin = env.admin.insecure_clone();
    let new = funded(&mut env.svm);
    let keys = vec![new.pubkey(), env.attesters[1].pubkey(), env.attesters[2].pubkey()];
    let meta = ok(&mut env.svm, &admin, &[], &[set_attesters_ix(&admin.pubkey(), keys.clone())]);
    let e: AttestersUpdated = event(&meta);
    assert_eq!((e.attesters, e.threshold), (keys, 2));
    let old = env.attesters[0].insecure_clone();
    let ix = env.attest_ix(&old.pubkey(), &message);
    env.attest_fails(&old, ix, E::UnknownAttester.into());

    let meta = env.attest(1, &message);
    assert_eq!(event::<Attested>(&meta).attestations, 1, "the removed key's attestation was dropped");
    assert_eq!(env.recipient_balance(&recipient), 0);
    let ix = env.attest_ix(&new.pubkey(), &message);
    let meta = ok(&mut env.svm, &new, &[], &[ix]);
    assert_eq!(event::<Released>(&meta).amount, 10 * BOLT);
    assert_eq!(env.record(&message).attesters, vec![env.attesters[1].pubkey(), new.pubkey()]);
}

// ---------------------------------------------------------------------------
// The inbound queue

#[test]
fn over_the_inbound_limit_the_release_is_queued_and_anyone_completes_it_after_the_delay() {
    let mut env = funded_env();
    let recipient = Address::new_unique();
    let small = inbound(0, IN_CAP - 100 * BOLT, &recipient);
    env.attest(0, &small);
    env.attest(1, &small);
    assert_eq!(env.recipient_balance(&recipient), IN_CAP - 100 * BOLT);

    let big = inbound(1, 200 * BOLT, &recipient);
    env.attest(0, &big);
    set_time(&mut env.svm, T0 + 100);
    let meta = env.attest(1, &big);
    let e: Queued = event(&meta);
    assert_eq!((e.digest, e.amount, e.release_after), (big.digest(), 200 * BOLT, T0 + 100 + QUEUE_DELAY));
    assert!(events::<Released>(&meta).is_empty());
    let record = env.record(&big);
    assert_eq!((record.status, record.release_after), (InboundStatus::Queued, T0 + 100 + QUEUE_DELAY));
    assert_eq!(env.recipient_balance(&recipient), IN_CAP - 100 * BOLT);
    assert_eq!(env.config().inbound_limit.level, 100 * BOLT, "a queued transfer takes no capacity");

    // A late attestation of a queued message is recorded, nothing more.
    let meta = env.attest(2, &big);
    assert_eq!(event::<Attested>(&meta).attestations, 3);
    assert!(events::<Released>(&meta).is_empty() && events::<Queued>(&meta).is_empty());

    let anyone = funded(&mut env.svm);
    let ix = env.complete_ix(&anyone.pubkey(), &big);
    fails(&mut env.svm, &anyone, &[], std::slice::from_ref(&ix), custom(E::NotDue));
    set_time(&mut env.svm, T0 + 100 + QUEUE_DELAY - 1);
    fails(&mut env.svm, &anyone, &[], std::slice::from_ref(&ix), custom(E::NotDue));
    set_time(&mut env.svm, T0 + 100 + QUEUE_DELAY);
    let meta = ok(&mut env.svm, &anyone, &[], std::slice::from_ref(&ix));
    let e: Released = event(&meta);
    assert_eq!((e.digest, e.sequence, e.recipient, e.amount, e.from_queue), (big.digest(), 1, recipient, 200 * BOLT, true));
    assert_eq!(env.recipient_balance(&recipient), IN_CAP + 100 * BOLT);
    assert_eq!(env.record(&big).status, InboundStatus::Executed);
    // Once only, and attestations of it fail too.
    fails(&mut env.svm, &anyone, &[], &[ix], custom(E::AlreadyExecuted));
    let ix = env.attest_ix(&env.attesters[0].pubkey(), &big);
    let first = env.attesters[0].insecure_clone();
    env.attest_fails(&first, ix, E::AlreadyExecuted.into());
    assert_eq!(env.custody(), 5_000 * BOLT - IN_CAP - 100 * BOLT);
}

#[test]
fn complete_queued_checks_status_attesters_and_accounts() {
    let mut env = funded_env();
    let recipient = Address::new_unique();
    let anyone = funded(&mut env.svm);
    // Pending (1 of 2): not queued.
    let pending = inbound(0, BOLT, &recipient);
    env.attest(0, &pending);
    let not_queued = env.complete_ix(&anyone.pubkey(), &pending);
    fails(&mut env.svm, &anyone, &[], &[not_queued], custom(E::NotQueued));
    // No record at all: Anchor's account check.
    let unknown = inbound(9, BOLT, &recipient);
    let no_record = env.complete_ix(&anyone.pubkey(), &unknown);
    fails(&mut env.svm, &anyone, &[], &[no_record], custom(Anchor::AccountNotInitialized));

    let big = inbound(1, IN_CAP + 1, &recipient);
    env.attest(0, &big);
    env.attest(1, &big);
    assert_eq!(env.record(&big).status, InboundStatus::Queued);
    set_time(&mut env.svm, T0 + QUEUE_DELAY);
    let with = |accounts: accounts::CompleteQueued| ix(PROGRAM, accounts, instruction::CompleteQueued { digest: big.digest() });
    let mint = env.mint;
    let base = || complete_accounts(mint, &anyone.pubkey(), &big);
    let other = Address::new_unique();
    fails(&mut env.svm, &anyone, &[], &[with(accounts::CompleteQueued { recipient: other, ..base() })], custom(E::MalformedRecipient));
    fails(
        &mut env.svm,
        &anyone,
        &[],
        &[with(accounts::CompleteQueued { recipient_token: get_associated_token_address(&other, &env.mint), ..base() })],
        custom(E::MalformedRecipient),
    );
    // The digest argument must match the record's address.
    let wrong_digest = ix(PROGRAM, base(), instruction::CompleteQueued { digest: pending.digest() });
    fails(&mut env.svm, &anyone, &[], &[wrong_digest], custom(Anchor::ConstraintSeeds));
    let fake_custody = create_token_account(&mut env.svm, &env.admin, &env.mint, &config_pda());
    fails(
        &mut env.svm,
        &anyone,
        &[],
        &[with(accounts::CompleteQueued { custody: fake_custody, ..base() })],
        custom(Anchor::ConstraintAddress),
    );
    let other_mint = create_mint(&mut env.svm, &env.admin, &env.admin.pubkey());
    fails(&mut env.svm, &anyone, &[], &[with(accounts::CompleteQueued { mint: other_mint, ..base() })], custom(E::WrongMint));
    let fake_config = Address::new_unique();
    clone_account(&mut env.svm, &config_pda(), &fake_config);
    fails(&mut env.svm, &anyone, &[], &[with(accounts::CompleteQueued { config: fake_config, ..base() })], custom(Anchor::ConstraintSeeds));
    let token_2022: Address = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb".parse().unwrap();
    fails(
        &mut env.svm,
        &anyone,
        &[],
        &[with(accounts::CompleteQueued { token_program: token_2022, ..base() })],
        custom(Anchor::InvalidProgramId),
    );
    fails(
        &mut env.svm,
        &anyone,
        &[],
        &[with(accounts::CompleteQueued { associated_token_program: TOKEN_PROGRAM, ..base() })],
        custom(Anchor::InvalidProgramId),
    );
    let mut unsigned = with(base());
    unsigned.accounts[0].is_signer = false;
    let payer = funded(&mut env.svm);
    fails(&mut env.svm, &payer, &[], &[unsigned], custom(Anchor::AccountNotSigner));

    // The admin removes one of the two attesters during the delay: the
    // queued message no longer has its threshold.
    let admin = env.admin.insecure_clone();
    let keys = vec![env.attesters[1].pubkey(), env.attesters[2].pubkey(), Address::new_unique()];
    ok(&mut env.svm, &admin, &[], &[set_attesters_ix(&admin.pubkey(), keys)]);
    fails(&mut env.svm, &anyone, &[], &[with(base())], custom(E::InsufficientAttestations));
    // Another current attester restores it.
    env.attest(2, &big);
    ok(&mut env.svm, &anyone, &[], &[with(base())]);
    assert_eq!(env.recipient_balance(&recipient), IN_CAP + 1);
}

#[test]
fn a_queue_delay_that_overflows_the_clock_is_an_error() {
    let mut env = funded_env();
    let admin = env.admin.insecure_clone();
    ok(&mut env.svm, &admin, &[], &[set_limits_ix(&admin.pubkey(), OUT_CAP, 0, i64::MAX)]);
    let message = inbound(0, BOLT, &Address::new_unique());
    env.attest(0, &message);
    let signer = env.attesters[1].insecure_clone();
    let ix = env.attest_ix(&signer.pubkey(), &message);
    env.attest_fails(&signer, ix, E::MathOverflow.into());
}

#[test]
fn the_inbound_limit_refills_linearly_too() {
    let mut env = funded_env();
    let recipient = Address::new_unique();
    let release = |env: &mut Env, sequence: u64, amount: u64| -> InboundStatus {
        let message = inbound(sequence, amount, &recipient);
        env.attest(0, &message);
        env.attest(1, &message);
        env.record(&message).status
    };
    assert_eq!(release(&mut env, 0, IN_CAP), InboundStatus::Executed);
    assert_eq!(release(&mut env, 1, 1), InboundStatus::Queued);
    set_time(&mut env.svm, T0 + DAY / 2);
    assert_eq!(release(&mut env, 2, IN_CAP / 2 + 1), InboundStatus::Queued);
    assert_eq!(release(&mut env, 3, IN_CAP / 2), InboundStatus::Executed);
    assert_eq!(env.recipient_balance(&recipient), IN_CAP + IN_CAP / 2);
}

// ---------------------------------------------------------------------------
// pause

#[test]
fn the_pauser_or_admin_pauses_only_the_admin_unpauses() {
    let mut env = funded_env();
    let (admin, pauser) = (env.admin.insecure_clone(), env.pauser.insecure_clone());
    let stranger = funded(&mut env.svm);
    fails(&mut env.svm, &stranger, &[], &[pause_ix(&stranger.pubkey())], custom(E::Unauthorized));
    let message = inbound(0, IN_CAP + 1, &Address::new_unique());
    env.attest(0, &message);
    env.attest(1, &message);

    let meta = ok(&mut env.svm, &pauser, &[], &[pause_ix(&pauser.pubkey())]);
    assert_eq!(event::<BridgePaused>(&meta).by, pauser.pubkey());
    assert!(env.config().paused);
    env.lock_fails(env.lock_ix(BOLT, [1; 20]), E::Paused.into());
    let other = inbound(1, BOLT, &Address::new_unique());
    let signer = env.attesters[0].insecure_clone();
    let ix = env.attest_ix(&signer.pubkey(), &other);
    env.attest_fails(&signer, ix, E::Paused.into());
    set_time(&mut env.svm, T0 + QUEUE_DELAY);
    let ix = env.complete_ix(&stranger.pubkey(), &message);
    fails(&mut env.svm, &stranger, &[], std::slice::from_ref(&ix), custom(E::Paused));

    // The pauser cannot unpause; the admin can (and may pause too).
    fails(&mut env.svm, &pauser, &[], &[unpause_ix(&pauser.pubkey())], custom(E::Unauthorized));
    let meta = ok(&mut env.svm, &admin, &[], &[unpause_ix(&admin.pubkey())]);
    assert_eq!(event::<BridgeUnpaused>(&meta).by, admin.pubkey());
    ok(&mut env.svm, &stranger, &[], &[ix]);
    env.lock(BOLT);
    let meta = ok(&mut env.svm, &admin, &[], &[pause_ix(&admin.pubkey())]);
    assert_eq!(event::<BridgePaused>(&meta).by, admin.pubkey());
    let mut unsigned = pause_ix(&pauser.pubkey());
    unsigned.accounts[0].is_signer = false;
    fails(&mut env.svm, &stranger, &[], &[unsigned], custom(Anchor::AccountNotSigner));
}

// ---------------------------------------------------------------------------
// admin

#[test]
fn admin_setters_are_admin_only_and_validated() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let stranger = funded(&mut env.svm);
    let s = stranger.pubkey();
    let keys: Vec<Address> = env.attesters.iter().map(|k| k.pubkey()).collect();
    for ix in
        [set_attesters_ix(&s, keys.clone()), set_threshold_ix(&s, 1), set_limits_ix(&s, 1, 1, 1), set_pauser_ix(&s, s), unpause_ix(&s)]
    {
        fails(&mut env.svm, &stranger, &[], &[ix], custom(E::Unauthorized));
    }
    // A lookalike config (same data, admin included) at another address.
    let fake_config = Address::new_unique();
    clone_account(&mut env.svm, &config_pda(), &fake_config);
    let with_fake = |admin: &Address| {
        let mut ix = set_threshold_ix(admin, 1);
        ix.accounts[1].pubkey = fake_config;
        ix
    };
    fails(&mut env.svm, &admin, &[], &[with_fake(&admin.pubkey())], custom(Anchor::ConstraintSeeds));
    let mut fake_pause = pause_ix(&admin.pubkey());
    fake_pause.accounts[1].pubkey = fake_config;
    fails(&mut env.svm, &admin, &[], &[fake_pause], custom(Anchor::ConstraintSeeds));
    let mut unsigned = set_threshold_ix(&admin.pubkey(), 1);
    unsigned.accounts[0].is_signer = false;
    fails(&mut env.svm, &stranger, &[], &[unsigned], custom(Anchor::AccountNotSigner));
    // The pauser has no admin power either.
    let pauser = env.pauser.insecure_clone();
    fails(&mut env.svm, &pauser, &[], &[set_threshold_ix(&pauser.pubkey(), 1)], custom(E::Unauthorized));

    let a = admin.pubkey();
    let mut bad = |ix: Instruction, expected: E| fails(&mut env.svm, &admin, &[], &[ix], custom(expected));
    bad(set_attesters_ix(&a, vec![]), E::InvalidAttesters);
    bad(set_attesters_ix(&a, (0..9).map(|_| Address::new_unique()).collect()), E::InvalidAttesters);
    bad(set_attesters_ix(&a, vec![keys[0], keys[0]]), E::InvalidAttesters);
    bad(set_attesters_ix(&a, vec![keys[0], Address::default()]), E::InvalidAttesters);
    bad(set_attesters_ix(&a, vec![keys[0]]), E::InvalidThreshold);
    bad(set_threshold_ix(&a, 0), E::InvalidThreshold);
    bad(set_threshold_ix(&a, 4), E::InvalidThreshold);
    bad(set_limits_ix(&a, 1, 1, -1), E::InvalidLimits);

    let meta = ok(&mut env.svm, &admin, &[], &[set_threshold_ix(&a, 3)]);
    assert_eq!(event::<ThresholdUpdated>(&meta).threshold, 3);
    let new_pauser = Address::new_unique();
    let meta = ok(&mut env.svm, &admin, &[], &[set_pauser_ix(&a, new_pauser)]);
    assert_eq!(event::<PauserUpdated>(&meta).pauser, new_pauser);
    fails(&mut env.svm, &pauser, &[], &[pause_ix(&pauser.pubkey())], custom(E::Unauthorized));
    let config = env.config();
    assert_eq!((config.threshold, config.pauser), (3, new_pauser));
}

#[test]
fn set_limits_moves_the_available_level_by_the_capacity_change() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    env.lock(4_000 * BOLT); // outbound level 6 000 of 10 000
                            // Raise the outbound capacity by 5 000: 11 000 available at once.
    let meta = ok(&mut env.svm, &admin, &[], &[set_limits_ix(&admin.pubkey(), OUT_CAP + 5_000 * BOLT, IN_CAP / 2, 60)]);
    let e: LimitsUpdated = event(&meta);
    assert_eq!((e.outbound.capacity, e.outbound.level), (OUT_CAP + 5_000 * BOLT, 11_000 * BOLT));
    assert_eq!((e.inbound.capacity, e.inbound.level, e.queue_delay), (IN_CAP / 2, IN_CAP / 2, 60));
    env.lock_fails(env.lock_ix(11_000 * BOLT + 1, [1; 20]), E::RateLimited.into());
    // Cut it by 10 000: 1 000 left.
    ok(&mut env.svm, &admin, &[], &[set_limits_ix(&admin.pubkey(), 5_000 * BOLT, IN_CAP / 2, 60)]);
    assert_eq!(env.config().outbound_limit.level, 1_000 * BOLT);
    env.lock_fails(env.lock_ix(1_000 * BOLT + 1, [1; 20]), E::RateLimited.into());
    env.lock(1_000 * BOLT);
    // A capacity of zero stops all locks.
    ok(&mut env.svm, &admin, &[], &[set_limits_ix(&admin.pubkey(), 0, IN_CAP, 60)]);
    set_time(&mut env.svm, T0 + 10 * DAY);
    env.lock_fails(env.lock_ix(1, [1; 20]), E::RateLimited.into());
}

#[test]
fn the_admin_hands_over_only_by_propose_and_accept() {
    let mut env = Env::new();
    let admin = env.admin.insecure_clone();
    let config = config_pda();
    check_admin_handover(
        &mut env.svm,
        &admin,
        AdminFlow {
            propose: &|admin, new_admin| {
                ix(PROGRAM, accounts::ProposeAdmin { admin: *admin, config }, instruction::ProposeAdmin { new_admin })
            },
            accept: &|new_admin| ix(PROGRAM, accounts::AcceptAdmin { new_admin: *new_admin, config }, instruction::AcceptAdmin {}),
            admin_only: &|admin| set_threshold_ix(admin, 1),
            read: &|svm| {
                let c: BridgeConfig = account(svm, &config);
                (c.admin, c.pending_admin)
            },
            proposed: &|meta| {
                let e: AdminProposed = event(meta);
                (e.admin, e.pending_admin)
            },
            accepted: &|meta| event::<AdminAccepted>(meta).admin,
            unauthorized: E::Unauthorized.into(),
            no_pending_admin: E::NoPendingAdmin.into(),
        },
    );
    assert_eq!(env.config().threshold, 1);
}

// ---------------------------------------------------------------------------
// Compute units

/// Prints the compute units of lock, of a non-final attestation, of the
/// releasing attestation (with and without creating the ATA), of
/// complete_queued, and of a plain SPL `transfer_checked` in the same SVM.
#[test]
fn compute_units_of_lock_and_release_next_to_an_spl_transfer() {
    let mut env = Env::new();
    let lock = env.lock(2_000 * BOLT).compute_units_consumed;
    let lock_again = env.lock(BOLT).compute_units_consumed;

    let recipient = Address::new_unique();
    let first = inbound(0, BOLT, &recipient);
    let attest_first = env.attest(0, &first).compute_units_consumed;
    let release_new_ata = env.attest(1, &first).compute_units_consumed;
    let second = inbound(1, BOLT, &recipient);
    env.attest(0, &second);
    let release_existing_ata = env.attest(1, &second).compute_units_consumed;

    let queued = inbound(2, IN_CAP, &recipient);
    env.attest(0, &queued);
    env.attest(1, &queued);
    set_time(&mut env.svm, T0 + QUEUE_DELAY);
    let anyone = funded(&mut env.svm);
    let ix = env.complete_ix(&anyone.pubkey(), &queued);
    let complete = ok(&mut env.svm, &anyone, &[], &[ix]).compute_units_consumed;

    let to = create_token_account(&mut env.svm, &env.admin, &env.mint, &Address::new_unique());
    let transfer = spl_token_interface::instruction::transfer_checked(
        &TOKEN_PROGRAM,
        &env.user_token,
        &env.mint,
        &to,
        &env.user.pubkey(),
        &[],
        BOLT,
        DECIMALS,
    )
    .unwrap();
    let spl = ok(&mut env.svm, &env.user, &[], &[transfer]).compute_units_consumed;

    println!("dispatch_bridge compute units (SBF, LiteSVM):");
    println!("  lock (first, creates outbound record)  {lock}");
    println!("  lock (next)                             {lock_again}");
    println!("  attest (1 of 2, creates inbound record) {attest_first}");
    println!("  attest + release (creates the ATA)      {release_new_ata}");
    println!("  attest + release (existing ATA)         {release_existing_ata}");
    println!("  complete_queued (existing ATA)          {complete}");
    println!("  SPL Token transfer_checked alone        {spl}");
    for cu in [lock, lock_again, attest_first, release_new_ata, release_existing_ata, complete] {
        assert!(cu > spl && cu < 200_000, "{cu} CU");
    }
    // Sanity: the failed-transaction path is distinguishable.
    let zero = env.lock_ix(0, [1; 20]);
    let err = send(&mut env.svm, &env.user, &[], &[zero]).expect_err("zero");
    assert_eq!(err.err, TransactionError::InstructionError(0, custom(E::ZeroAmount)));
}
