//! The svm tests' helpers: dispatch-svm's own testkit.
#![allow(unused_imports)]

pub use dispatch_svm::testkit::*;
