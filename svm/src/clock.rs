//! Setting the Clock sysvar the programs see.

use litesvm::LiteSVM;
use solana_clock::Clock;

/// The current Clock sysvar.
pub fn clock(svm: &LiteSVM) -> Clock {
    svm.get_sysvar::<Clock>()
}

/// Replaces the Clock sysvar.
pub fn set_clock(svm: &mut LiteSVM, clock: &Clock) {
    svm.set_sysvar(clock);
}

/// Moves the clock to `slot` at `unix_timestamp`, keeping epoch fields, as a
/// validator would after producing that slot.
pub fn warp_clock(svm: &mut LiteSVM, slot: u64, unix_timestamp: i64) {
    let mut current = clock(svm);
    current.slot = slot;
    current.unix_timestamp = unix_timestamp;
    set_clock(svm, &current);
}
