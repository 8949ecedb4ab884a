//! One instruction per file: its accounts struct and its handler.
pub mod claim;
pub mod initialize;
pub mod post_root;
pub mod set_distributor;

// Anchor needs the accounts structs (and their generated client modules) at
// the crate root; every file's `handler` is called by its path instead.
#[allow(ambiguous_glob_reexports)]
pub use {claim::*, initialize::*, post_root::*, set_distributor::*};
