//! `Clock::get()`, `Rent::get()` and friends for native programs.
//!
//! The SBF syscalls copy the runtime's sysvar struct into the program's
//! memory; both sides use the same `#[repr(C)]` layouts, so the copy here is
//! the same byte copy.

use std::sync::Arc;

use solana_address::Address;
use solana_instruction_error::InstructionError;
use solana_program_runtime::invoke_context::InvokeContext;
use solana_program_runtime::sysvar_cache::SysvarCache;

use super::{with_context, SUCCESS, UNSUPPORTED_SYSVAR};

/// The `sol_get_sysvar` syscall's "offset out of bounds" result.
const OFFSET_LENGTH_EXCEEDS_SYSVAR: u64 = 1;
/// Compute cost of a sysvar syscall beyond its size (`sysvar_base_cost`).
fn charge(ic: &InvokeContext, size: usize) -> Result<(), InstructionError> {
    let cost = ic.get_execution_cost().sysvar_base_cost.saturating_add(size as u64);
    ic.compute_meter
        .consume_checked(cost)
        .map_err(|_| InstructionError::ComputationalBudgetExceeded)
}

/// Copies the sysvar `get` returns into `var_addr`, as the syscall does.
fn copy_sysvar<T>(var_addr: *mut u8, get: impl FnOnce(&SysvarCache) -> Result<Arc<T>, InstructionError>) -> u64 {
    let outcome = with_context(|ic| {
        charge(ic, size_of::<T>())?;
        let value = get(ic.environment_config.sysvar_cache())?;
        // SAFETY: `var_addr` points at the program's value of the same
        // `#[repr(C)]` sysvar type (the syscall contract), `size_of::<T>()`
        // bytes long.
        unsafe { std::ptr::copy_nonoverlapping(Arc::as_ptr(&value) as *const u8, var_addr, size_of::<T>()) };
        Ok::<(), InstructionError>(())
    });
    match outcome {
        Some(Ok(())) => SUCCESS,
        Some(Err(InstructionError::ComputationalBudgetExceeded)) => {
            crate::frames::abort(InstructionError::ComputationalBudgetExceeded);
            UNSUPPORTED_SYSVAR
        }
        _ => UNSUPPORTED_SYSVAR,
    }
}

pub(super) fn get_clock(var_addr: *mut u8) -> u64 {
    copy_sysvar(var_addr, SysvarCache::get_clock)
}

pub(super) fn get_rent(var_addr: *mut u8) -> u64 {
    copy_sysvar(var_addr, SysvarCache::get_rent)
}

pub(super) fn get_epoch_schedule(var_addr: *mut u8) -> u64 {
    copy_sysvar(var_addr, SysvarCache::get_epoch_schedule)
}

pub(super) fn get_epoch_rewards(var_addr: *mut u8) -> u64 {
    copy_sysvar(var_addr, SysvarCache::get_epoch_rewards)
}

pub(super) fn get_last_restart_slot(var_addr: *mut u8) -> u64 {
    copy_sysvar(var_addr, SysvarCache::get_last_restart_slot)
}

/// `sol_get_sysvar`: `length` bytes at `offset` of the sysvar's account data.
pub(super) fn get_sysvar(sysvar_id_addr: *const u8, var_addr: *mut u8, offset: u64, length: u64) -> u64 {
    // SAFETY: the syscall contract: `sysvar_id_addr` points at a 32-byte id.
    let sysvar_id = unsafe { std::ptr::read_unaligned(sysvar_id_addr as *const Address) };
    let outcome = with_context(|ic| {
        charge(ic, length as usize)?;
        let Some(data) = ic.environment_config.sysvar_cache().sysvar_id_to_buffer(&sysvar_id) else {
            return Ok(UNSUPPORTED_SYSVAR);
        };
        let (Ok(start), Ok(len)) = (usize::try_from(offset), usize::try_from(length)) else {
            return Ok(OFFSET_LENGTH_EXCEEDS_SYSVAR);
        };
        let Some(bytes) = start.checked_add(len).and_then(|end| data.get(start..end)) else {
            return Ok(OFFSET_LENGTH_EXCEEDS_SYSVAR);
        };
        // SAFETY: the syscall contract: `var_addr` has room for `length` bytes.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), var_addr, bytes.len()) };
        Ok::<u64, InstructionError>(SUCCESS)
    });
    match outcome {
        Some(Ok(result)) => result,
        Some(Err(err)) => {
            crate::frames::abort(err);
            UNSUPPORTED_SYSVAR
        }
        None => UNSUPPORTED_SYSVAR,
    }
}
