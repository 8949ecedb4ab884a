//! One instruction per file: its accounts struct and its handler.
pub mod accept_admins;
pub mod apply;
pub mod attest;
pub mod attest_spend;
pub mod initialize;
pub mod pay_spend;

#[allow(ambiguous_glob_reexports)]
pub use {accept_admins::*, apply::*, attest::*, attest_spend::*, initialize::*, pay_spend::*};
