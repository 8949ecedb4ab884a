//! Program logging (`msg!`, `sol_log`), API-compatible with solana-msg 3.1.
//!
//! On SBF this is the `sol_log_` syscall. Natively, a host that runs
//! programs in-process (dispatch-svm) installs a hook with
//! [`set_native_log_hook`] to put the message into the running
//! transaction's log; without a hook the message is printed, as upstream.
#![no_std]
#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

/// `format!`, for [`msg!`] to build its message with.
#[cfg(feature = "alloc")]
#[doc(hidden)]
pub use alloc::format;

/// Logs a message: `msg!("text")` logs the `&str` as is, `msg!("{}", x)`
/// formats first.
#[cfg(feature = "alloc")]
#[macro_export]
macro_rules! msg {
    ($msg:expr) => {
        $crate::sol_log($msg)
    };
    ($($arg:tt)*) => ($crate::sol_log(&$crate::format!($($arg)*)));
}

/// The logging syscalls, for programs that call them directly.
#[cfg(target_os = "solana")]
pub mod syscalls {
    pub use solana_define_syscall::definitions::{sol_log_, sol_log_64_, sol_log_compute_units_, sol_log_data};
}

#[cfg(not(target_os = "solana"))]
mod native {
    use core::sync::atomic::{AtomicPtr, Ordering};

    static HOOK: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

    pub fn set(hook: fn(&str)) {
        HOOK.store(hook as *mut (), Ordering::Release);
    }

    pub fn get() -> Option<fn(&str)> {
        let ptr = HOOK.load(Ordering::Acquire);
        // SAFETY: only `set` stores here, and it stores a `fn(&str)`.
        (!ptr.is_null()).then(|| unsafe { core::mem::transmute::<*mut (), fn(&str)>(ptr) })
    }
}

/// Routes native-build log messages to `hook` instead of stdout.
#[cfg(not(target_os = "solana"))]
#[doc(hidden)]
pub fn set_native_log_hook(hook: fn(&str)) {
    native::set(hook);
}

/// Logs `message`.
#[inline]
pub fn sol_log(message: &str) {
    #[cfg(target_os = "solana")]
    // SAFETY: the syscall reads `len` bytes at `message`.
    unsafe {
        syscalls::sol_log_(message.as_ptr(), message.len() as u64);
    }

    #[cfg(not(target_os = "solana"))]
    match native::get() {
        Some(hook) => hook(message),
        None => print(message),
    }
}

#[cfg(all(not(target_os = "solana"), feature = "std"))]
fn print(message: &str) {
    std::println!("{message}");
}

#[cfg(all(not(target_os = "solana"), not(feature = "std")))]
fn print(message: &str) {
    core::hint::black_box(message);
}
