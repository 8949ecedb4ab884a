//! `dispatch-svm`: the Solana VM the Dispatch programs' SBF binaries run on in
//! tests and in the local node.
//!
//! [`new_svm`] is [LiteSVM](litesvm) with its defaults: the system and BPF
//! loader builtins, the sysvars, and SPL Token, Token-2022, Associated Token
//! Account and Memo as their real SBF binaries. [`deploy_upgradeable`] puts a
//! program's `.so` (built by `toolchain/sbf/build-sbf.sh`) at its id the way a
//! validator holds it: a program account and a ProgramData account of the
//! BPF upgradeable loader, with an upgrade authority, as
//! `solana-test-validator --upgradeable-program ID SO AUTHORITY` does.
//! [`sbf_program`] finds a program's `.so` in `$DISPATCH_SBF_DIR` (set by `./dev`).
//! [`testkit`] has the SPL Token setup tests need; `gen-idl` (src/bin) writes
//! the IDLs. See docs/solana-sbf.md.

mod clock;
mod deploy;
pub mod testkit;

pub use clock::{clock, set_clock, warp_clock};
pub use deploy::{deploy_upgradeable, programdata_address, sbf_dir, sbf_program, upgrade_authority_of, SBF_DIR_ENV};
pub use litesvm::LiteSVM;

/// Creates the SVM the Dispatch programs run on: LiteSVM's defaults (system
/// and BPF loader builtins, sysvars, SPL Token, Token-2022, ATA and Memo as
/// SBF programs, signature verification on, 1 000 000 SOL airdrop pool).
pub fn new_svm() -> LiteSVM {
    LiteSVM::new()
}
