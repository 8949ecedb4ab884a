//! One instruction per file: its accounts struct and its handler.
pub mod accept_admins;
pub mod apply;
pub mod attest;
pub mod initialize;

#[allow(ambiguous_glob_reexports)]
pub use {accept_admins::*, apply::*, attest::*, initialize::*};
