//! Cross-program invocation and return data, API-compatible with
//! solana-cpi 3.1.
//!
//! On SBF these are the `sol_invoke_signed_rust`, `sol_set_return_data` and
//! `sol_get_return_data` syscalls. Natively, a host that runs programs
//! in-process (dispatch-svm) installs [`NativeHooks`] with
//! [`set_native_hooks`]; without hooks, native calls behave as upstream
//! (invoke does nothing and succeeds, return data is absent).

use solana_account_info::AccountInfo;
use solana_instruction::Instruction;
use solana_program_error::ProgramResult;
use solana_pubkey::Pubkey;

/// The syscalls, for programs that call them directly.
#[cfg(target_os = "solana")]
pub mod syscalls {
    pub use solana_define_syscall::definitions::{sol_invoke_signed_c, sol_invoke_signed_rust, sol_set_return_data};
    use solana_pubkey::Pubkey;

    /// Reads the return data (see `solana_define_syscall`).
    ///
    /// # Safety
    /// `data` must have room for `length` bytes and `program_id` for a key.
    #[deprecated(since = "3.1.0", note = "Use `solana_define_syscall::definitions::sol_get_return_data` instead")]
    pub unsafe fn sol_get_return_data(data: *mut u8, length: u64, program_id: *mut Pubkey) -> u64 {
        solana_define_syscall::definitions::sol_get_return_data(data, length, program_id as *mut u8)
    }
}

/// The longest return data a program may set.
pub const MAX_RETURN_DATA: usize = 1024;

/// What a native host does for these calls.
#[cfg(not(target_os = "solana"))]
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct NativeHooks {
    pub invoke_signed: fn(&Instruction, &[AccountInfo], &[&[&[u8]]]) -> ProgramResult,
    pub set_return_data: fn(&[u8]),
    pub get_return_data: fn() -> Option<(Pubkey, Vec<u8>)>,
}

#[cfg(not(target_os = "solana"))]
static HOOKS: std::sync::OnceLock<NativeHooks> = std::sync::OnceLock::new();

/// Installs the native hooks (the first call wins).
#[cfg(not(target_os = "solana"))]
#[doc(hidden)]
pub fn set_native_hooks(hooks: NativeHooks) {
    let _ = HOOKS.set(hooks);
}

/// Invokes `instruction` with the caller's signatures only.
pub fn invoke(instruction: &Instruction, account_infos: &[AccountInfo]) -> ProgramResult {
    invoke_signed(instruction, account_infos, &[])
}

/// [`invoke`] without the borrow checks of [`invoke_signed`].
pub fn invoke_unchecked(instruction: &Instruction, account_infos: &[AccountInfo]) -> ProgramResult {
    invoke_signed_unchecked(instruction, account_infos, &[])
}

/// Invokes `instruction`, signing for the PDAs of `signers_seeds`.
///
/// Fails before invoking if an account the instruction uses is borrowed in
/// a way the callee's access would conflict with (mutably for a writable
/// account, at all for a read-only one being written).
pub fn invoke_signed(instruction: &Instruction, account_infos: &[AccountInfo], signers_seeds: &[&[&[u8]]]) -> ProgramResult {
    for meta in &instruction.accounts {
        let Some(info) = account_infos.iter().find(|info| *info.key == meta.pubkey) else { continue };
        if meta.is_writable {
            drop(info.try_borrow_mut_lamports()?);
            drop(info.try_borrow_mut_data()?);
        } else {
            drop(info.try_borrow_lamports()?);
            drop(info.try_borrow_data()?);
        }
    }
    invoke_signed_unchecked(instruction, account_infos, signers_seeds)
}

/// Invokes `instruction` without borrow checks.
#[allow(unused_variables)]
pub fn invoke_signed_unchecked(instruction: &Instruction, account_infos: &[AccountInfo], signers_seeds: &[&[&[u8]]]) -> ProgramResult {
    #[cfg(target_os = "solana")]
    {
        let stable = solana_stable_layout::stable_instruction::StableInstruction::from(instruction.clone());
        // SAFETY: the syscall's ABI: pointers and lengths of the stable
        // instruction, the account infos and the seeds.
        let result = unsafe {
            syscalls::sol_invoke_signed_rust(
                &stable as *const _ as *const u8,
                account_infos as *const _ as *const u8,
                account_infos.len() as u64,
                signers_seeds as *const _ as *const u8,
                signers_seeds.len() as u64,
            )
        };
        if result == 0 {
            Ok(())
        } else {
            Err(result.into())
        }
    }
    #[cfg(not(target_os = "solana"))]
    match HOOKS.get() {
        Some(hooks) => (hooks.invoke_signed)(instruction, account_infos, signers_seeds),
        None => Ok(()),
    }
}

/// Sets the running program's return data (at most [`MAX_RETURN_DATA`]).
#[allow(unused_variables)]
pub fn set_return_data(data: &[u8]) {
    #[cfg(target_os = "solana")]
    // SAFETY: the syscall reads `data.len()` bytes at `data`.
    unsafe {
        syscalls::sol_set_return_data(data.as_ptr(), data.len() as u64)
    };
    #[cfg(not(target_os = "solana"))]
    if let Some(hooks) = HOOKS.get() {
        (hooks.set_return_data)(data);
    }
}

/// The latest return data of the transaction and the program that set it.
pub fn get_return_data() -> Option<(Pubkey, Vec<u8>)> {
    #[cfg(target_os = "solana")]
    {
        let mut buf = [0u8; MAX_RETURN_DATA];
        let mut program_id = Pubkey::default();
        // SAFETY: `buf` has `buf.len()` bytes and `program_id` room for a key.
        let size = unsafe {
            solana_define_syscall::definitions::sol_get_return_data(
                buf.as_mut_ptr(),
                buf.len() as u64,
                &mut program_id as *mut _ as *mut u8,
            )
        };
        (size != 0).then(|| (program_id, buf[..(size as usize).min(MAX_RETURN_DATA)].to_vec()))
    }
    #[cfg(not(target_os = "solana"))]
    HOOKS.get().and_then(|hooks| (hooks.get_return_data)())
}
