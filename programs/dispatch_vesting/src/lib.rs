//! Dispatch vesting: BOLT vesting schedules and locks (whitepaper §5.4).
//!
//! Each schedule holds its tokens in its own vault (the schedule PDA's
//! associated token account). `claim` pays the
//! beneficiary exactly what has vested at the Clock sysvar's time and was not
//! claimed yet (rounded down); `revoke`, only where the schedule names a
//! revocation authority, takes back exactly the unvested part (locks, e.g.
//! liquidity, have none); only the beneficiary changes the beneficiary.
//! Interface: docs/solana-programs.md.
use anchor_lang::prelude::*;

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

declare_id!("3a2TrYj13bupfhZCNRzRzavUBJ1emPjQ8ck5UYbkz2jo");

#[program]
pub mod dispatch_vesting {
    use super::*;

    /// Creates schedule `["schedule", creator, schedule_id]` and moves `total` from
    /// the creator's token account into its vault (the schedule's associated
    /// token account, created beforehand).
    pub fn create_schedule(ctx: Context<CreateSchedule>, args: CreateScheduleArgs) -> Result<()> {
        instructions::create_schedule::handler(ctx, args)
    }

    /// Beneficiary only: pays everything vested now and not yet claimed.
    pub fn claim(ctx: Context<Claim>) -> Result<()> {
        instructions::claim::handler(ctx)
    }

    /// Revocation authority only: stops vesting now and takes back the
    /// unvested part.
    pub fn revoke(ctx: Context<Revoke>) -> Result<()> {
        instructions::revoke::handler(ctx)
    }

    /// Beneficiary only: hands the schedule to `new_beneficiary`.
    pub fn set_beneficiary(ctx: Context<SetBeneficiary>, new_beneficiary: Pubkey) -> Result<()> {
        instructions::set_beneficiary::handler(ctx, new_beneficiary)
    }
}
