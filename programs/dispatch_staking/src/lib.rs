//! Dispatch staking: workers lock BOLT for a tier (whitepaper §5.3).
//!
//! Tiers are derived from a worker's active stake, never stored: at least
//! `sentinel_threshold` is SENTINEL (2), at least `verified_threshold` is
//! VERIFIED (1), else OPEN (0); 100 and 1,000 BOLT (9 decimals) at launch.
//! Leaving takes a cooldown: `request_unstake` moves stake to pending (out of
//! the tier at once), `withdraw` pays it out after `cooldown_seconds`.
//! The config admin is the only privileged key (it sets thresholds and
//! cooldown) and hands over only by `propose_admin` + `accept_admin`.
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

declare_id!("C2nJwknRPzfDvuDe9zZCZrrGkkpHgb1h21XLPWV33X1");

#[program]
pub mod dispatch_staking {
    use super::*;

    /// Creates the config (PDA `["config"]`) and the vault of `mint`
    /// (PDA `["vault"]`); the signer, who must be the program's upgrade
    /// authority, becomes the admin. Needs
    /// `0 < verified_threshold <= sentinel_threshold <= mint supply` and
    /// `0 <= cooldown_seconds <= MAX_COOLDOWN_SECONDS` (90 days).
    pub fn initialize(ctx: Context<Initialize>, verified_threshold: u64, sentinel_threshold: u64, cooldown_seconds: i64) -> Result<()> {
        instructions::initialize::handler(ctx, verified_threshold, sentinel_threshold, cooldown_seconds)
    }

    /// Admin only: new tier thresholds and cooldown (same rules as `initialize`).
    pub fn update_config(
        ctx: Context<UpdateConfig>,
        verified_threshold: u64,
        sentinel_threshold: u64,
        cooldown_seconds: i64,
    ) -> Result<()> {
        instructions::update_config::handler(ctx, verified_threshold, sentinel_threshold, cooldown_seconds)
    }

    /// Admin only: proposes `new_admin`, who must call `accept_admin`.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::propose_admin::handler(ctx, new_admin)
    }

    /// The proposed admin takes the role.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::accept_admin::handler(ctx)
    }

    /// Locks `amount` of the worker's BOLT in the vault as active stake.
    pub fn stake(ctx: Context<Stake>, amount: u64) -> Result<()> {
        instructions::stake::handler(ctx, amount)
    }

    /// Moves `amount` of active stake to pending and restarts the cooldown.
    pub fn request_unstake(ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
        instructions::request_unstake::handler(ctx, amount)
    }

    /// Moves all pending stake back to active.
    pub fn cancel_unstake(ctx: Context<CancelUnstake>) -> Result<()> {
        instructions::cancel_unstake::handler(ctx)
    }

    /// Pays all pending stake back to the worker once the cooldown has elapsed.
    pub fn withdraw(ctx: Context<Withdraw>) -> Result<()> {
        instructions::withdraw::handler(ctx)
    }
}
