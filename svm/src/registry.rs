//! Which program ids run natively, and the function each one enters.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use litesvm::LiteSVM;
use solana_address::Address;
use solana_program_runtime::solana_sbpf::program::BuiltinFunctionDefinition;

use crate::native::{NativeEntry, NativeEntrypoint};

fn entries() -> &'static RwLock<HashMap<Address, NativeEntry>> {
    static ENTRIES: OnceLock<RwLock<HashMap<Address, NativeEntry>>> = OnceLock::new();
    ENTRIES.get_or_init(Default::default)
}

/// Registers `entry` as the program at `program_id` in `svm`.
///
/// The program becomes an executable account owned by the native loader, so
/// transactions and CPIs reach it exactly as they would reach an SBF program.
/// The registration is process-wide per program id (the runtime calls one
/// shared builtin, which looks the id up here), so registering the same id
/// in several SVMs with different entries keeps the last one.
pub fn add_native_program(svm: &mut LiteSVM, program_id: Address, entry: NativeEntry) {
    crate::stubs::install();
    if let Ok(mut map) = entries().write() {
        map.insert(program_id, entry);
    }
    svm.add_builtin(program_id, NativeEntrypoint::register);
}

/// The entry registered for `program_id`, if any.
pub(crate) fn lookup(program_id: &Address) -> Option<NativeEntry> {
    entries().read().ok()?.get(program_id).copied()
}
