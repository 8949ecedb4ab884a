//! One instruction per file: its accounts struct and its handler.
pub mod claim;
pub mod create_schedule;
pub mod revoke;
pub mod set_beneficiary;

// Anchor needs the accounts structs (and their generated client modules) at
// the crate root; every file's `handler` is called by its path instead.
#[allow(ambiguous_glob_reexports)]
pub use {claim::*, create_schedule::*, revoke::*, set_beneficiary::*};
