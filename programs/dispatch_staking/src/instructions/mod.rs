//! One instruction per file: its accounts struct and its handler.
pub mod accept_admin;
pub mod cancel_unstake;
pub mod initialize;
pub mod propose_admin;
pub mod request_unstake;
pub mod stake;
pub mod update_config;
pub mod withdraw;

// Anchor needs the accounts structs (and their generated client modules) at
// the crate root; every file's `handler` is called by its path instead.
#[allow(ambiguous_glob_reexports)]
pub use {
    accept_admin::*, cancel_unstake::*, initialize::*, propose_admin::*, request_unstake::*, stake::*, update_config::*, withdraw::*,
};
