//! The builtin that runs a registered native program for one instruction.

use std::panic::{catch_unwind, AssertUnwindSafe};

use solana_account_info::AccountInfo;
use solana_address::Address;
use solana_instruction_error::InstructionError;
use solana_program_error::ProgramResult;
use solana_program_runtime::declare_process_instruction;
use solana_program_runtime::invoke_context::InvokeContext;
use solana_program_runtime::serialization::{deserialize_parameters, serialize_parameters};
use solana_program_runtime::solana_sbpf::vm::ContextObject;
use solana_program_runtime::stable_log;

use crate::{frames, registry};

/// A program's entry point, as Anchor's `#[program]` generates it
/// (`dispatch_settlement::entry`) or as a plain `process_instruction`.
pub type NativeEntry = for<'info> fn(&'info Address, &'info [AccountInfo<'info>], &'info [u8]) -> ProgramResult;

/// Compute units charged for each native instruction. Native code is not
/// metered; the runtime requires builtins to consume something, and a fixed
/// charge keeps `unitsConsumed` honest about that. Real budgets are measured
/// where the SBF toolchain exists.
pub const NATIVE_INSTRUCTION_COMPUTE_UNITS: u64 = 1_000;

// Whether the runtime's serialisation uses the ABI v1 virtual address layout
// and direct mapping: neither exists without a VM.
const NO_VM_ADDRESS_SPACE: bool = false;
const NO_DIRECT_MAPPING: bool = false;
const NO_DIRECT_ACCOUNT_POINTERS: bool = false;

declare_process_instruction!(NativeEntrypoint, NATIVE_INSTRUCTION_COMPUTE_UNITS, |invoke_context| {
    process(invoke_context)
});

/// Serialises the instruction's accounts as for an SBF program, runs the
/// registered entry on them, and writes the results back with the checks the
/// BPF loader applies (`deserialize_parameters`).
fn process(invoke_context: &mut InvokeContext) -> Result<(), InstructionError> {
    let (program_id, mut input, metadata) = {
        let instruction_context = invoke_context.transaction_context.get_current_instruction_context()?;
        let program_id = *instruction_context.get_program_key()?;
        let (input, _regions, metadata, _instruction_data_offset) = serialize_parameters(
            &instruction_context,
            NO_VM_ADDRESS_SPACE,
            NO_DIRECT_MAPPING,
            NO_DIRECT_ACCOUNT_POINTERS,
        )?;
        (program_id, input, metadata)
    };
    let entry = registry::lookup(&program_id).ok_or(InstructionError::UnsupportedProgramId)?;

    // The builtin's fixed charge is already taken: count it as consumed.
    let units_before = invoke_context.get_remaining().saturating_add(NATIVE_INSTRUCTION_COMPUTE_UNITS);
    let input_slice = input.as_slice_mut();
    let (input_ptr, input_len) = (input_slice.as_mut_ptr(), input_slice.len());
    frames::push(frames::Frame::new(invoke_context, input_ptr, input_len, metadata));
    let outcome = run_entry(entry, input_ptr);
    let frame = frames::pop().ok_or(InstructionError::ProgramFailedToComplete)?;
    log_consumption_and_return_data(invoke_context, &program_id, units_before);

    if let Some(err) = frame.abort {
        return Err(err);
    }
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(program_error)) => return Err(InstructionError::from(u64::from(program_error))),
        Err(panic_message) => {
            let logger = invoke_context.get_log_collector();
            stable_log::program_log(&logger, &format!("panicked at native program: {panic_message}"));
            return Err(InstructionError::ProgramFailedToComplete);
        }
    }
    let instruction_context = invoke_context.transaction_context.get_current_instruction_context()?;
    deserialize_parameters(
        &instruction_context,
        NO_VM_ADDRESS_SPACE,
        NO_DIRECT_MAPPING,
        input.as_slice(),
        &frame.metadata,
    )
}

/// The lines the SBF loader writes after a program ran: its compute
/// consumption and, when set, the return data.
fn log_consumption_and_return_data(invoke_context: &InvokeContext, program_id: &Address, units_before: u64) {
    let logger = invoke_context.get_log_collector();
    let consumed = units_before.saturating_sub(invoke_context.get_remaining());
    if let Some(logger) = logger.as_ref() {
        logger
            .borrow_mut()
            .log(&format!("Program {program_id} consumed {consumed} of {units_before} compute units"));
    }
    let (_setter, return_data) = invoke_context.transaction_context.get_return_data();
    if !return_data.is_empty() {
        stable_log::program_return(&logger, program_id, return_data);
    }
}

/// Deserialises the program input at `input` and calls `entry`, turning a
/// panic into its message.
fn run_entry(entry: NativeEntry, input: *mut u8) -> Result<ProgramResult, String> {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `input` was produced by the runtime's `serialize_parameters`
        // for ABI v1, the layout `deserialize` reads; it outlives this call.
        let (program_id, accounts, data) = unsafe { solana_program_entrypoint::deserialize(input) };
        entry(program_id, &accounts, data)
    }))
    .map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string())
    })
}
