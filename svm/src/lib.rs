//! `dispatch-svm`: an in-process Solana VM for programs that cannot be built
//! to SBF here.
//!
//! [`new_svm`] creates a [LiteSVM](litesvm) with the SPL Token, Token-2022,
//! Associated Token Account and Memo programs that LiteSVM preloads as the
//! real SBF binaries. [`add_native_program`] registers a program's Rust
//! `entry` function (the one Anchor's `#[program]` generates) as a builtin:
//! the runtime serialises its accounts exactly as for an SBF program, the
//! entry runs natively, and its lamport/data/owner changes are written back
//! with the runtime's own checks. From inside such a program, `invoke` and
//! `invoke_signed` (CPI into SBF or other native programs), sysvars
//! (`Clock::get()`, `Rent::get()`), logs, `sol_log_data` and return data are
//! served by [`stubs`], which route the program's syscalls to the running
//! transaction.
//!
//! See `docs/solana-native.md` for what differs from a real SBF execution.

mod clock;
mod frames;
mod msg_hook;
mod native;
mod registry;
mod stubs;
pub mod testkit;

pub use clock::{clock, set_clock, warp_clock};
pub use litesvm::LiteSVM;
pub use native::{NativeEntry, NATIVE_INSTRUCTION_COMPUTE_UNITS};
pub use registry::add_native_program;

/// Creates the SVM the Dispatch programs run on: LiteSVM's defaults (system
/// and BPF loader builtins, sysvars, SPL Token, Token-2022, ATA and Memo as
/// SBF programs, signature verification on, 1 000 000 SOL airdrop pool), with
/// the native-program syscall stubs installed.
pub fn new_svm() -> LiteSVM {
    stubs::install();
    LiteSVM::new()
}
