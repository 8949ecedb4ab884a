//! Hooks for the workspace's drop-ins of solana-msg and solana-cpi
//! (`svm/patches/`): upstream prints `msg!` natively, and its native
//! `invoke` succeeds without running anything and drops return data.

use solana_program_error::ProgramResult;

pub(crate) fn install() {
    solana_msg::set_native_log_hook(crate::stubs::log);
    solana_cpi::set_native_hooks(solana_cpi::NativeHooks {
        invoke_signed,
        set_return_data: crate::stubs::set_return_data,
        get_return_data: crate::stubs::get_return_data,
    });
}

fn invoke_signed(
    instruction: &solana_instruction::Instruction,
    account_infos: &[solana_account_info::AccountInfo],
    signers_seeds: &[&[&[u8]]],
) -> ProgramResult {
    crate::stubs::invoke_signed(instruction, account_infos, signers_seeds)
}
