//! One instruction per file: its accounts struct and its handler
//! (`verify_receipt` shares `verify`'s accounts).
pub mod accept_admin;
pub mod add_anchorer;
pub mod anchor_batch;
pub mod initialize;
pub mod propose_admin;
pub mod remove_anchorer;
pub mod verify;
pub mod verify_receipt;

// Anchor needs the accounts structs (and their generated client modules) at
// the crate root; every file's `handler` is called by its path instead.
#[allow(ambiguous_glob_reexports)]
pub use {accept_admin::*, add_anchorer::*, anchor_batch::*, initialize::*, propose_admin::*, remove_anchorer::*, verify::*};
