//! The syscalls of natively running programs, served by the running
//! transaction.
//!
//! Off-chain builds of the Solana program crates send `invoke_signed`,
//! `Clock::get()`, `Rent::get()`, `sol_log`, `sol_log_data` and return data
//! through `solana_sysvar::program_stubs`; [`install`] puts [`NativeStubs`]
//! there. Each call finds the innermost native frame ([`crate::frames`]) and
//! acts on its invoke context the way the SBF syscall would. With no native
//! program running (a plain unit test calling `Clock::get()`), they behave
//! like the crate's defaults.

use std::sync::Once;

use solana_account_info::AccountInfo;
use solana_address::Address;
use solana_instruction::Instruction;
use solana_program_error::{ProgramError, ProgramResult};
use solana_program_runtime::invoke_context::InvokeContext;
use solana_program_runtime::solana_sbpf::vm::ContextObject;
use solana_program_runtime::stable_log;
use solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};

use crate::frames;

mod cpi;
mod sysvars;

/// `sol_get_*_sysvar` results, as the SBF syscalls return them.
pub(crate) const SUCCESS: u64 = 0;
pub(crate) const UNSUPPORTED_SYSVAR: u64 = solana_instruction::error::UNSUPPORTED_SYSVAR;

/// The longest return data a program may set (`solana_cpi::MAX_RETURN_DATA`).
pub const MAX_RETURN_DATA: usize = 1024;

/// Installs [`NativeStubs`] once per process.
pub(crate) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        set_syscall_stubs(Box::new(NativeStubs));
        crate::msg_hook::install();
    });
}

/// Runs `f` on the invoke context of the running native instruction.
pub(crate) fn with_context<R>(f: impl FnOnce(&mut InvokeContext<'static, 'static>) -> R) -> Option<R> {
    // SAFETY: the reference lives only for `f`, inside one syscall.
    unsafe { frames::invoke_context() }.map(f)
}

/// Logs `message` as "Program log: <message>" in the running transaction;
/// outside one, prints it like the upstream default.
pub(crate) fn log(message: &str) {
    if with_context(|ic| stable_log::program_log(&ic.get_log_collector(), message)).is_none() {
        println!("{message}");
    }
}

/// The stubs routing native programs' syscalls into the running transaction.
pub struct NativeStubs;

impl SyscallStubs for NativeStubs {
    fn sol_log(&self, message: &str) {
        log(message);
    }

    fn sol_log_compute_units(&self) {
        if let Some(remaining) = with_context(|ic| ic.get_remaining()) {
            log(&format!("Program consumption: {remaining} units remaining"));
        }
    }

    fn sol_remaining_compute_units(&self) -> u64 {
        with_context(|ic| ic.get_remaining()).unwrap_or(0)
    }

    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        invoke_signed(instruction, account_infos, signers_seeds)
    }

    fn sol_get_sysvar(&self, sysvar_id_addr: *const u8, var_addr: *mut u8, offset: u64, length: u64) -> u64 {
        sysvars::get_sysvar(sysvar_id_addr, var_addr, offset, length)
    }

    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        sysvars::get_clock(var_addr)
    }

    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        sysvars::get_epoch_schedule(var_addr)
    }

    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        sysvars::get_rent(var_addr)
    }

    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        sysvars::get_epoch_rewards(var_addr)
    }

    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        sysvars::get_last_restart_slot(var_addr)
    }

    fn sol_get_return_data(&self) -> Option<(Address, Vec<u8>)> {
        get_return_data()
    }

    fn sol_set_return_data(&self, data: &[u8]) {
        set_return_data(data);
    }

    fn sol_log_data(&self, fields: &[&[u8]]) {
        if with_context(|ic| stable_log::program_data(&ic.get_log_collector(), fields)).is_none() {
            println!("data: {fields:?}");
        }
    }

    fn sol_get_stack_height(&self) -> u64 {
        with_context(|ic| ic.get_stack_height() as u64).unwrap_or(0)
    }
}

/// A CPI from the running native program (see [`cpi`]).
pub(crate) fn invoke_signed(
    instruction: &Instruction,
    account_infos: &[AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> ProgramResult {
    cpi::invoke_signed(instruction, account_infos, signers_seeds)
}

/// The transaction's return data and the program that set it, if any.
pub(crate) fn get_return_data() -> Option<(Address, Vec<u8>)> {
    with_context(|ic| {
        let (program_id, data) = ic.transaction_context.get_return_data();
        (!data.is_empty()).then(|| (*program_id, data.to_vec()))
    })
    .flatten()
}

/// Sets the transaction's return data to `data`, from the running program,
/// failing the instruction like the syscall when it is too long.
pub(crate) fn set_return_data(data: &[u8]) {
    let outcome = with_context(|ic| {
        if data.len() > MAX_RETURN_DATA {
            return Err(solana_instruction_error::InstructionError::ProgramFailedToComplete);
        }
        let program_id = *ic
            .transaction_context
            .get_current_instruction_context()?
            .get_program_key()?;
        ic.transaction_context.set_return_data(program_id, data.to_vec())
    });
    if let Some(Err(err)) = outcome {
        frames::abort(err);
    }
}

/// A `ProgramError` for a syscall the runtime would have failed outright.
pub(crate) fn fail(err: solana_instruction_error::InstructionError) -> ProgramError {
    let program_error = ProgramError::try_from(err.clone()).unwrap_or(ProgramError::InvalidArgument);
    frames::abort(err);
    program_error
}
