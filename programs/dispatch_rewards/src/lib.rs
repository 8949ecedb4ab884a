//! Dispatch rewards: the 400M BOLT worker-rewards vault, its emission curve
//! and per-epoch Merkle claims (whitepaper §5.4).
//!
//! The curve releases 200M BOLT in year 1, 100M in year 2, 50M, then 25M,
//! linearly within each year (375M in all; the 25M reserve is never emitted
//! by it). Per epoch the distributor posts the root of an OpenZeppelin-style
//! tree of `(epoch, worker, amount)` leaves; a root's total never exceeds
//! what the curve has released minus what earlier roots distributed. Each
//! worker claims its leaf once with a proof. Interface:
//! docs/solana-programs.md; how epochs are computed: docs/rewards.md.
use anchor_lang::prelude::*;

#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

pub mod constants;
pub mod emission;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod merkle;
pub mod state;

pub use constants::*;
pub use errors::*;
pub use events::*;
pub use instructions::*;
pub use state::*;

declare_id!("A2KkiX1pQGyacrh6HpW94cWhr4DqrEZr3PrWX4TkpDki");

#[program]
pub mod dispatch_rewards {
    use super::*;

    /// Creates the config (PDA `["config"]`) for `mint`, whose vault is the
    /// config's associated token account (created beforehand); the curve and epoch 0 start at `start_ts`, epochs last
    /// `epoch_seconds`; `distributor` posts the roots; the signer, who must be the
    /// program's upgrade authority, is admin.
    pub fn initialize(ctx: Context<Initialize>, start_ts: i64, epoch_seconds: i64, distributor: Pubkey) -> Result<()> {
        instructions::initialize::handler(ctx, start_ts, epoch_seconds, distributor)
    }

    /// Admin only: names the distributor.
    pub fn set_distributor(ctx: Context<SetDistributor>, new_distributor: Pubkey) -> Result<()> {
        instructions::set_distributor::handler(ctx, new_distributor)
    }

    /// Distributor only: posts `args.epoch`'s root, once, after the epoch
    /// ended, with `args.total <= released(now) - total_distributed`.
    pub fn post_root(ctx: Context<PostRoot>, args: PostRootArgs) -> Result<()> {
        instructions::post_root::handler(ctx, args)
    }

    /// The signing worker claims its `amount` of the epoch `epoch_root` with
    /// a Merkle proof, once.
    pub fn claim(ctx: Context<Claim>, amount: u64, proof: Vec<[u8; 32]>) -> Result<()> {
        instructions::claim::handler(ctx, amount, proof)
    }
}
