//! One instruction per file: its accounts struct and its handler.
pub mod accept_admin;
pub mod initialize;
pub mod propose_admin;
pub mod set_fee;
pub mod settle;

// Anchor needs the accounts structs (and their generated client modules) at
// the crate root; every file's `handler` is called by its path instead.
#[allow(ambiguous_glob_reexports)]
pub use {accept_admin::*, initialize::*, propose_admin::*, set_fee::*, settle::*};
