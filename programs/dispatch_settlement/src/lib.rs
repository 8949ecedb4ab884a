//! Dispatch settlement: BOLT payments from coordinator to worker with the
//! protocol fee burned (whitepaper §5.1–5.2, `PROTOCOL_FEE_BPS = 500`).
//!
//! `settle` moves `amount - fee` to the worker and burns `fee` in the same
//! instruction, and records the job so it is settled once per coordinator.
//! The fee lives in the config (500 bps at initialisation); only the admin
//! changes it, never above the program constant `MAX_FEE_BPS` (1 000). The
//! admin hands over only by `propose_admin` + `accept_admin`.
//! Interface: docs/solana-programs.md.
use anchor_lang::prelude::*;
// memcpy & co. through the Solana syscalls in the upstream-LLVM SBF build
// (toolchain/sbf/, docs/solana-sbf.md).
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod state;

pub use constants::*;
pub use errors::*;
pub use events::*;
pub use instructions::*;
pub use state::*;

declare_id!("EAk4oyFRCZEckKGgy268QD7K2MibeaG6oRVJviuK16DZ");

#[program]
pub mod dispatch_settlement {
    use super::*;

    /// Creates the config (PDA `["config"]`) for `mint` with the burned fee
    /// `fee_bps` (at most `MAX_FEE_BPS`); the signer, who must be the
    /// program's upgrade authority, becomes the admin.
    pub fn initialize(ctx: Context<Initialize>, fee_bps: u16) -> Result<()> {
        instructions::initialize::handler(ctx, fee_bps)
    }

    /// Admin only: sets the burned fee, at most `MAX_FEE_BPS`.
    pub fn set_fee(ctx: Context<SetFee>, fee_bps: u16) -> Result<()> {
        instructions::set_fee::handler(ctx, fee_bps)
    }

    /// Admin only: proposes `new_admin`, who must call `accept_admin`.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::propose_admin::handler(ctx, new_admin)
    }

    /// The proposed admin takes the role.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::accept_admin::handler(ctx)
    }

    /// Pays `amount - fee` of the coordinator's BOLT to the worker and burns
    /// `fee`, once per (coordinator, job); `job_id_hash` must be `sha256(job_id)`.
    pub fn settle(ctx: Context<Settle>, job_id: String, job_id_hash: [u8; 32], amount: u64, receipt_hash: [u8; 32]) -> Result<()> {
        instructions::settle::handler(ctx, job_id, job_id_hash, amount, receipt_hash)
    }
}
