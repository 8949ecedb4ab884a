//! One instruction per file: its accounts struct and its handler.
pub mod accept_admin;
pub mod attest;
pub mod complete_queued;
pub mod initialize;
pub mod lock;
pub mod pause;
pub mod propose_admin;
pub mod set_attesters;
pub mod set_limits;
pub mod set_pauser;
pub mod set_threshold;
pub mod unpause;

// Anchor needs the accounts structs (and their generated client modules) at
// the crate root; every file's `handler` is called by its path instead.
#[allow(ambiguous_glob_reexports)]
pub use {
    accept_admin::*, attest::*, complete_queued::*, initialize::*, lock::*, pause::*, propose_admin::*, set_attesters::*, set_limits::*,
    set_pauser::*, set_threshold::*, unpause::*,
};
