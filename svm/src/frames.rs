//! The stack of native program invocations running on this thread.
//!
//! A native program calls syscalls as plain Rust functions, with no VM to
//! carry the runtime's context; each running native instruction therefore
//! pushes a [`Frame`] that the syscall stubs find here. CPIs into native
//! programs nest frames.

use std::cell::RefCell;

use solana_instruction_error::InstructionError;
use solana_program_runtime::invoke_context::InvokeContext;
use solana_program_runtime::memory_context::SerializedAccountMetadata;

/// One native instruction being executed.
pub(crate) struct Frame {
    /// The runtime's context of the running transaction. Valid while the
    /// frame is on the stack: the builtin that pushed it holds the borrow.
    invoke_context: *mut InvokeContext<'static, 'static>,
    /// The serialised input (accounts and instruction data) the program's
    /// `AccountInfo`s point into, and its length.
    pub(crate) input: *mut u8,
    pub(crate) input_len: usize,
    /// Where each account sits in `input`.
    pub(crate) metadata: Vec<SerializedAccountMetadata>,
    /// Set when a CPI failed: the real runtime aborts the caller there and
    /// then, so the instruction fails with this error whatever the program
    /// does next.
    pub(crate) abort: Option<InstructionError>,
}

impl Frame {
    pub(crate) fn new(
        invoke_context: &mut InvokeContext,
        input: *mut u8,
        input_len: usize,
        metadata: Vec<SerializedAccountMetadata>,
    ) -> Self {
        let invoke_context = std::ptr::from_mut(invoke_context).cast::<InvokeContext<'static, 'static>>();
        Self { invoke_context, input, input_len, metadata, abort: None }
    }
}

thread_local! {
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn push(frame: Frame) {
    FRAMES.with(|frames| frames.borrow_mut().push(frame));
}

pub(crate) fn pop() -> Option<Frame> {
    FRAMES.with(|frames| frames.borrow_mut().pop())
}

/// Runs `f` with the innermost frame, or returns `None` when no native
/// program is running on this thread.
pub(crate) fn with_top<R>(f: impl FnOnce(&mut Frame) -> R) -> Option<R> {
    FRAMES.with(|frames| frames.borrow_mut().last_mut().map(f))
}

/// The invoke context of the innermost frame.
///
/// # Safety
/// The caller must not keep the reference beyond the syscall it serves, and
/// must not hold two of them at once.
pub(crate) unsafe fn invoke_context<'a>() -> Option<&'a mut InvokeContext<'static, 'static>> {
    let ptr = FRAMES.with(|frames| frames.borrow().last().map(|frame| frame.invoke_context))?;
    // SAFETY: the frame is on the stack, so the builtin that pushed it is
    // suspended inside the program's entry and its `&mut InvokeContext` is
    // not in use until the program returns.
    unsafe { ptr.as_mut() }
}

/// Records that the innermost native instruction must fail with `err`.
pub(crate) fn abort(err: InstructionError) {
    with_top(|frame| {
        if frame.abort.is_none() {
            frame.abort = Some(err);
        }
    });
}
