//! `invoke` / `invoke_signed` from a native program.
//!
//! Mirrors the SBF CPI syscall: the caller's pending account changes are
//! committed to the transaction (with the runtime's checks), the callee runs
//! through the runtime's own `native_invoke_signed` (privilege checks, PDA
//! signers derived from the seeds, SBF or native callee), and the callee's
//! results are copied back into the caller's `AccountInfo`s. A failed CPI
//! fails the whole instruction with the callee's error, as on chain.

use solana_account_info::AccountInfo;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_program_error::{ProgramError, ProgramResult};
use solana_program_runtime::invoke_context::InvokeContext;
use solana_program_runtime::serialization::deserialize_parameters;
use solana_program_runtime::stable_log;

use super::{fail, with_context};
use crate::frames;

pub(super) fn invoke_signed(
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> ProgramResult {
    let Some((input, input_len, metadata)) =
        frames::with_top(|frame| (frame.input, frame.input_len, frame.metadata.clone()))
    else {
        // No native program is running on this thread: nothing to invoke in.
        return Err(ProgramError::InvalidArgument);
    };
    let outcome = with_context(|ic| -> Result<(), InstructionError> {
        check_account_infos(ic, instruction, account_infos)?;
        {
            let caller = ic.transaction_context.get_current_instruction_context()?;
            // SAFETY: the frame's input buffer is alive while its program runs.
            let buffer = unsafe { std::slice::from_raw_parts(input, input_len) };
            deserialize_parameters(&caller, false, false, buffer, &metadata)?;
        }
        ic.native_invoke_signed(instruction.clone(), signers_seeds)?;
        copy_back(ic, account_infos, input)
    });
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(err)) => Err(fail(err)),
        None => Err(ProgramError::InvalidArgument),
    }
}

/// Every account the instruction names must have been passed in, as the
/// runtime requires of a CPI.
fn check_account_infos(
    ic: &InvokeContext,
    instruction: &Instruction,
    account_infos: &[AccountInfo],
) -> Result<(), InstructionError> {
    for meta in &instruction.accounts {
        if !account_infos.iter().any(|info| *info.key == meta.pubkey) {
            stable_log::program_log(
                &ic.get_log_collector(),
                &format!("Instruction references an unknown account {}", meta.pubkey),
            );
            return Err(InstructionError::MissingAccount);
        }
    }
    Ok(())
}

/// Copies lamports, owner and data of every passed account from the
/// transaction into the caller's `AccountInfo`s after the callee returned.
///
/// `input` is the caller frame's serialised input, which the `AccountInfo`s
/// point into.
fn copy_back(ic: &InvokeContext, account_infos: &[AccountInfo], input: *mut u8) -> Result<(), InstructionError> {
    let transaction_context = &ic.transaction_context;
    let caller = transaction_context.get_current_instruction_context()?;
    for info in account_infos {
        let Some(index_in_transaction) = transaction_context.find_index_of_account(info.key) else {
            continue;
        };
        let Ok(index_in_caller) = caller.get_index_of_account_in_instruction(index_in_transaction) else {
            continue;
        };
        let account = caller.try_borrow_instruction_account(index_in_caller)?;
        if !account.is_writable() {
            continue;
        }
        **info.try_borrow_mut_lamports().map_err(|_| InstructionError::AccountBorrowFailed)? = account.get_lamports();
        if info.owner != account.get_owner() {
            // The owner field lives in the frame's serialised input (the
            // entrypoint ABI), which the runtime rewrites when a callee
            // reassigns the account; write it through the buffer's pointer.
            let offset = (info.owner as *const Address as usize).wrapping_sub(input as usize);
            // SAFETY: `info.owner` was deserialised from `input`, so `offset`
            // is in bounds and the 32 bytes there are the owner.
            unsafe { std::ptr::write_unaligned(input.add(offset) as *mut Address, *account.get_owner()) };
        }
        let new_data = account.get_data();
        info.resize(new_data.len()).map_err(|_| InstructionError::InvalidRealloc)?;
        info.try_borrow_mut_data()
            .map_err(|_| InstructionError::AccountBorrowFailed)?
            .copy_from_slice(new_data);
    }
    Ok(())
}
