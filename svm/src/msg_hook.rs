//! `msg!` from native programs into the transaction log.
//!
//! Upstream solana-msg prints natively; the workspace's drop-in
//! (`svm/patches/solana-msg`) calls a hook instead, installed here.

pub(crate) fn install() {
    solana_msg::set_native_log_hook(crate::stubs::log);
}
