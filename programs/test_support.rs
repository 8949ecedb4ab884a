//! Test helpers shared by the programs' Rust tests, included by each test
//! target with `#[path = "../../test_support.rs"] mod support;`.
//!
//! A file rather than a crate: every directory under `programs/` is a
//! workspace member and a program whose IDL `scripts/gen_idl.sh` builds, so a
//! helper crate there would be taken for another program.
//!
//! The tests run each program's **SBF build** (`$DISPATCH_SBF_DIR/<name>.so`,
//! built by `toolchain/sbf/build-sbf.sh`; `./dev` sets the variable) in
//! LiteSVM, with the real SPL Token program for CPIs, deployed as a validator
//! holds it (BPF upgradeable loader, upgrade authority [`deployer`]). Errors
//! are asserted as the exact `InstructionError` a client sees; events are read
//! from the `Program data:` logs of `emit!`.
//!
//! Signatures that changed with the move to SBF:
//! - `svm_with(program_id: Address) -> LiteSVM` (was `svm_with(program_id,
//!   entry)`): deploys the including crate's own SBF build
//!   (`CARGO_PKG_NAME`) at `program_id`, upgrade authority [`deployer`]
//!   (funded). [`deploy`] adds another program's build.
//! - `initialize` is gated on the upgrade authority: sign it with
//!   [`deployer`] and pass `program: ID, program_data: programdata(&ID)`.
//! - `event_authority` is gone (no `#[event_cpi]` any more).
#![allow(dead_code)]

use anchor_lang::error::ErrorCode::{AccountNotSigner, ConstraintSeeds};
use anchor_lang::{AccountDeserialize, Event, InstructionData, ToAccountMetas};
use dispatch_svm::LiteSVM;
use litesvm::types::{FailedTransactionMetadata, TransactionMetadata};
use solana_address::Address;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;

#[allow(unused_imports)]
pub use dispatch_svm::programdata_address as programdata;
/// The SPL Token helpers every test needs live in dispatch-svm (one copy for svm, node and programs);
/// each test target uses a different subset of them.
#[allow(unused_imports)]
pub use dispatch_svm::testkit::{create_mint, create_token_account, funded, mint_to, send, supply, token_balance, DECIMALS};

/// One BOLT in base units.
pub const BOLT: u64 = 1_000_000_000;
/// The SPL Token program (the real SBF binary LiteSVM preloads).
pub const TOKEN_PROGRAM: Address = spl_token_interface::ID;
pub const SYSTEM_PROGRAM: Address = solana_sdk_ids::system_program::ID;

/// The upgrade authority of every program [`svm_with`] and [`deploy`]
/// deploy (a fixed key, funded by `svm_with`): the only signer `initialize`
/// accepts.
pub fn deployer() -> Keypair {
    Keypair::new_from_array([0xde; 32])
}

/// A new SVM with this crate's SBF build (`$DISPATCH_SBF_DIR/<CARGO_PKG_NAME>.so`)
/// deployed at `program_id`, upgrade authority [`deployer`], who is funded.
pub fn svm_with(program_id: Address) -> LiteSVM {
    let mut svm = dispatch_svm::new_svm();
    deploy(&mut svm, program_id, env!("CARGO_PKG_NAME"));
    svm.airdrop(&deployer().pubkey(), dispatch_svm::testkit::FUNDED_LAMPORTS).expect("airdrop to the deployer");
    svm
}

/// Deploys program `name`'s SBF build at `program_id` (BPF upgradeable
/// loader, upgrade authority [`deployer`]).
pub fn deploy(svm: &mut LiteSVM, program_id: Address, name: &str) {
    let elf = dispatch_svm::sbf_program(name);
    if let Err(e) = dispatch_svm::deploy_upgradeable(svm, program_id, &elf, Some(&deployer().pubkey())) {
        panic!("{name}.so does not load: {e:?}");
    }
}

/// Deploys this crate's SBF build once more, at a new id with `authority`
/// as upgrade authority, and returns that copy's ProgramData address: what
/// an attacker would pass to `initialize` as `program_data`.
pub fn foreign_programdata(svm: &mut LiteSVM, authority: &Address) -> Address {
    let id = Address::new_unique();
    let elf = dispatch_svm::sbf_program(env!("CARGO_PKG_NAME"));
    dispatch_svm::deploy_upgradeable(svm, id, &elf, Some(authority)).expect("the copy deploys")
}

/// An instruction of `program_id` from Anchor's generated client structs.
pub fn ix(program_id: Address, accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// Sends `instructions` paid by `payer` and signed by `signers`, then
/// expires the blockhash so an identical transaction may follow.
#[allow(clippy::result_large_err)] // LiteSVM's own result type
/// Sends and expects success, printing the logs otherwise.
pub fn ok(svm: &mut LiteSVM, payer: &Keypair, signers: &[&Keypair], instructions: &[Instruction]) -> TransactionMetadata {
    match send(svm, payer, signers, instructions) {
        Ok(meta) => meta,
        Err(failed) => panic!("transaction failed: {:?}\n{}", failed.err, failed.meta.pretty_logs()),
    }
}

/// Sends and expects instruction 0 to fail with `expected`; returns the
/// failure (its logs) for further checks.
pub fn fails(
    svm: &mut LiteSVM,
    payer: &Keypair,
    signers: &[&Keypair],
    instructions: &[Instruction],
    expected: InstructionError,
) -> FailedTransactionMetadata {
    match send(svm, payer, signers, instructions) {
        Ok(meta) => panic!("expected {expected:?}, the transaction succeeded:\n{}", meta.pretty_logs()),
        Err(failed) => {
            assert_eq!(failed.err, TransactionError::InstructionError(0, expected.clone()), "{}", failed.meta.pretty_logs());
            failed
        }
    }
}

/// The instruction error a client sees for a program's error enum variant
/// (6000 + n) or one of Anchor's `ErrorCode`s (2000.. constraints, 3000..
/// accounts).
pub fn custom(code: impl Into<u32>) -> InstructionError {
    InstructionError::Custom(code.into())
}

/// Reads and decodes an Anchor account (discriminator checked).
pub fn account<T: AccountDeserialize>(svm: &LiteSVM, address: &Address) -> T {
    let data = svm.get_account(address).expect("account exists").data;
    T::try_deserialize(&mut data.as_slice()).expect("decodes as the expected account")
}

/// Overwrites an Anchor account's data with `value` (same size), e.g. to
/// reach counter values no test could reach by transactions.
pub fn write_account<T: anchor_lang::AccountSerialize>(svm: &mut LiteSVM, address: &Address, value: &T) {
    let mut account = svm.get_account(address).expect("account exists");
    let mut data = Vec::new();
    value.try_serialize(&mut data).expect("serializes");
    account.data[..data.len()].copy_from_slice(&data);
    svm.set_account(*address, account).expect("set account");
}

/// Copies the account at `from` to `to` (same owner and data): a lookalike
/// at the wrong address, for seeds and address constraints.
pub fn clone_account(svm: &mut LiteSVM, from: &Address, to: &Address) {
    let account = svm.get_account(from).expect("account exists");
    svm.set_account(*to, account).expect("set account");
}

/// The events of type `T` the transaction emitted with `emit!`: the
/// `Program data:` log lines whose data is `T`'s discriminator and the
/// Borsh-encoded event.
pub fn events<T: Event>(meta: &TransactionMetadata) -> Vec<T> {
    dispatch_svm::testkit::program_data(&meta.logs)
        .iter()
        .filter_map(|data| data.strip_prefix(T::DISCRIMINATOR))
        .map(|body| T::try_from_slice(body).expect("event decodes"))
        .collect()
}

/// The single event of type `T` the transaction emitted.
pub fn event<T: Event>(meta: &TransactionMetadata) -> T {
    let mut all = events::<T>(meta);
    assert_eq!(all.len(), 1, "expected exactly one event:\n{}", meta.pretty_logs());
    all.remove(0)
}

/// Sets the Clock sysvar's unix time (and moves the slot forward by one).
pub fn set_time(svm: &mut LiteSVM, unix_timestamp: i64) {
    let slot = dispatch_svm::clock(svm).slot + 1;
    dispatch_svm::warp_clock(svm, slot, unix_timestamp);
}

/// The Clock sysvar's unix time.
pub fn now(svm: &LiteSVM) -> i64 {
    dispatch_svm::clock(svm).unix_timestamp
}

/// The PDA of `seeds` under `program_id`.
pub fn pda(seeds: &[&[u8]], program_id: &Address) -> Address {
    Address::find_program_address(seeds, program_id).0
}

/// One program's admin instructions and views, for [`check_admin_handover`].
pub struct AdminFlow<'a> {
    /// `propose_admin(new_admin)` signed by the given key.
    pub propose: &'a dyn Fn(&Address, Address) -> Instruction,
    /// `accept_admin()` signed by the given key.
    pub accept: &'a dyn Fn(&Address) -> Instruction,
    /// Some admin-only instruction (it must succeed for the admin) signed
    /// by the given key.
    pub admin_only: &'a dyn Fn(&Address) -> Instruction,
    /// The config's `(admin, pending_admin)`.
    pub read: &'a dyn Fn(&LiteSVM) -> (Address, Option<Address>),
    /// `(admin, pending_admin)` of the `AdminProposed` event.
    pub proposed: &'a dyn Fn(&TransactionMetadata) -> (Address, Address),
    /// `admin` of the `AdminAccepted` event.
    pub accepted: &'a dyn Fn(&TransactionMetadata) -> Address,
    /// The program's `Unauthorized` and `NoPendingAdmin` codes.
    pub unauthorized: u32,
    pub no_pending_admin: u32,
}

/// The handover every config follows: only the admin proposes, only the
/// proposed key accepts (signing), nothing changes until it does, then the
/// old admin has no power left and the proposal cannot be replayed.
pub fn check_admin_handover(svm: &mut LiteSVM, admin: &Keypair, flow: AdminFlow) {
    let next = funded(svm);
    let stranger = funded(svm);
    let decoy = funded(svm);

    fails(svm, &next, &[], &[(flow.accept)(&next.pubkey())], custom(flow.no_pending_admin));
    fails(svm, &stranger, &[], &[(flow.propose)(&stranger.pubkey(), stranger.pubkey())], custom(flow.unauthorized));
    fails(svm, &stranger, &[], &[(flow.admin_only)(&stranger.pubkey())], custom(flow.unauthorized));
    // The real admin's key, but not its signature (a stranger pays).
    fails(
        svm,
        &stranger,
        &[],
        &[unsigned_by((flow.propose)(&admin.pubkey(), stranger.pubkey()), &admin.pubkey())],
        custom(AccountNotSigner),
    );
    fails(svm, &stranger, &[], &[unsigned_by((flow.admin_only)(&admin.pubkey()), &admin.pubkey())], custom(AccountNotSigner));
    // A lookalike of the config (same owner and data) at another address.
    let lookalike = with_lookalike_config(svm, (flow.propose)(&admin.pubkey(), next.pubkey()));
    fails(svm, admin, &[], &[lookalike], custom(ConstraintSeeds));
    let lookalike = with_lookalike_config(svm, (flow.admin_only)(&admin.pubkey()));
    fails(svm, admin, &[], &[lookalike], custom(ConstraintSeeds));

    // A second proposal replaces the first: the first nominee cannot accept.
    ok(svm, admin, &[], &[(flow.propose)(&admin.pubkey(), decoy.pubkey())]);
    assert_eq!((flow.read)(svm), (admin.pubkey(), Some(decoy.pubkey())));
    let meta = ok(svm, admin, &[], &[(flow.propose)(&admin.pubkey(), next.pubkey())]);
    assert_eq!((flow.proposed)(&meta), (admin.pubkey(), next.pubkey()));
    assert_eq!((flow.read)(svm), (admin.pubkey(), Some(next.pubkey())), "proposing changes nothing yet");
    fails(svm, &decoy, &[], &[(flow.accept)(&decoy.pubkey())], custom(flow.unauthorized));

    fails(svm, &stranger, &[], &[(flow.accept)(&stranger.pubkey())], custom(flow.unauthorized));
    let lookalike = with_lookalike_config(svm, (flow.accept)(&next.pubkey()));
    fails(svm, &next, &[], &[lookalike], custom(ConstraintSeeds));
    let mut unsigned = (flow.accept)(&next.pubkey());
    unsigned.accounts[0].is_signer = false;
    fails(svm, &stranger, &[], &[unsigned], custom(anchor_lang::error::ErrorCode::AccountNotSigner));

    let meta = ok(svm, &next, &[], &[(flow.accept)(&next.pubkey())]);
    assert_eq!((flow.accepted)(&meta), next.pubkey());
    assert_eq!((flow.read)(svm), (next.pubkey(), None));

    fails(svm, admin, &[], &[(flow.admin_only)(&admin.pubkey())], custom(flow.unauthorized));
    fails(svm, admin, &[], &[(flow.propose)(&admin.pubkey(), admin.pubkey())], custom(flow.unauthorized));
    ok(svm, &next, &[], &[(flow.admin_only)(&next.pubkey())]);
    fails(svm, &next, &[], &[(flow.accept)(&next.pubkey())], custom(flow.no_pending_admin));
}

/// `instruction` with `signer` no longer marked as signing it.
pub fn unsigned_by(mut instruction: Instruction, signer: &Address) -> Instruction {
    for meta in instruction.accounts.iter_mut().filter(|meta| meta.pubkey == *signer) {
        meta.is_signer = false;
    }
    instruction
}

/// `instruction` with its program's config PDA (`["config"]`) replaced by a
/// copy of it (same owner, data and lamports) at a new address.
pub fn with_lookalike_config(svm: &mut LiteSVM, mut instruction: Instruction) -> Instruction {
    let config = pda(&[b"config"], &instruction.program_id);
    let lookalike = Address::new_unique();
    clone_account(svm, &config, &lookalike);
    for meta in instruction.accounts.iter_mut().filter(|meta| meta.pubkey == config) {
        meta.pubkey = lookalike;
    }
    instruction
}

/// The least lamports a System transfer can leave at a new address: the
/// rent-exempt minimum of an empty account (less fails with
/// `InsufficientFundsForRent`), below the rent of any program account.
pub fn smallest_gift(svm: &LiteSVM) -> u64 {
    svm.minimum_balance_for_rent_exemption(0)
}

/// Sends `lamports` to `address` with a System transfer paid by `payer`:
/// anyone can do this to any address, a PDA included, before the program
/// creates an account there.
pub fn prefund(svm: &mut LiteSVM, payer: &Keypair, address: &Address, lamports: u64) {
    let transfer = solana_system_interface::instruction::transfer(&payer.pubkey(), address, lamports);
    ok(svm, payer, &[], &[transfer]);
    let account = svm.get_account(address).expect("prefunded");
    assert_eq!((account.owner, account.lamports, account.data.len()), (SYSTEM_PROGRAM, lamports, 0));
}

/// The Token-2022 program (LiteSVM preloads its real SBF binary).
pub const TOKEN_2022_PROGRAM: Address = Address::from_str_const("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// A real Token-2022 mint (no extensions) of [`DECIMALS`] with `authority`
/// as mint authority: the same 82-byte layout as an SPL Token mint, another
/// owner. `InitializeMint2` is encoded by hand (tag 20, decimals, authority,
/// no freeze authority): spl-token-interface's builder accepts SPL Token only.
pub fn create_mint_2022(svm: &mut LiteSVM, payer: &Keypair, authority: &Address) -> Address {
    let mint = Keypair::new();
    let rent = svm.minimum_balance_for_rent_exemption(82);
    let mut data = vec![20u8, DECIMALS];
    data.extend_from_slice(authority.as_ref());
    data.push(0);
    let init =
        Instruction { program_id: TOKEN_2022_PROGRAM, accounts: vec![solana_instruction::AccountMeta::new(mint.pubkey(), false)], data };
    let create = solana_system_interface::instruction::create_account(&payer.pubkey(), &mint.pubkey(), rent, 82, &TOKEN_2022_PROGRAM);
    ok(svm, payer, &[&mint], &[create, init]);
    mint.pubkey()
}

/// [`check_admin_handover`] for a program whose admin instructions,
/// events and config follow the common shape (`propose_admin`,
/// `accept_admin`, `AdminProposed`, `AdminAccepted`, config PDA
/// `["config"]` with `admin`/`pending_admin`): `$admin_only` builds an
/// admin-only instruction signed by the given key.
macro_rules! check_admin_handover_of {
    ($program:ident, $config:ident, $error:ident, $svm:expr, $admin:expr, $admin_only:expr) => {{
        use $program::{accounts as a, instruction as i};
        let program = $program::ID;
        let config = pda(&[b"config"], &program);
        check_admin_handover(
            $svm,
            $admin,
            AdminFlow {
                propose: &|admin, new_admin| ix(program, a::ProposeAdmin { admin: *admin, config }, i::ProposeAdmin { new_admin }),
                accept: &|new_admin| ix(program, a::AcceptAdmin { new_admin: *new_admin, config }, i::AcceptAdmin {}),
                admin_only: $admin_only,
                read: &|svm| {
                    let c: $program::$config = account(svm, &config);
                    (c.admin, c.pending_admin)
                },
                proposed: &|meta| {
                    let e: $program::AdminProposed = event(meta);
                    (e.admin, e.pending_admin)
                },
                accepted: &|meta| event::<$program::AdminAccepted>(meta).admin,
                unauthorized: $program::$error::Unauthorized.into(),
                no_pending_admin: $program::$error::NoPendingAdmin.into(),
            },
        )
    }};
}
