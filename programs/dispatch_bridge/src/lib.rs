//! Dispatch bridge, Solana side (whitepaper §5.5): BOLT is canonical on
//! Solana and locked here; wrapped BOLT is minted on Monad by the peer
//! `BoltBridge` and burned there to come back.
//!
//! - `lock` moves BOLT into the custody vault PDA and records an outbound
//!   message (account `["outbound", sequence]` and `Locked` event) for the
//!   Monad attesters, within the outbound rate limit (over it: fails).
//! - `attest`: each configured attester signs its own transaction for an
//!   inbound message from the peer; the one that reaches the threshold
//!   releases the BOLT from custody to the recipient's associated token
//!   account, or queues it when over the inbound rate limit;
//!   `complete_queued` (anyone) releases it after the queue delay. A record
//!   per digest (`["inbound", digest]`) makes replay impossible.
//! - Roles: the admin (set by the program's upgrade authority at
//!   `initialize`, handed over by `propose_admin` + `accept_admin`) unpauses
//!   and sets attesters, threshold, limits and pauser; the pauser only pauses.
//!
//! Message format: docs/bridge.md; interface: docs/solana-programs.md.
use anchor_lang::prelude::*;

// The upstream-nightly SBF build needs memcpy & co. from the Solana syscalls.
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

pub mod constants;
pub mod custody;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod message;
pub mod state;

pub use constants::*;
pub use errors::*;
pub use events::*;
pub use instructions::*;
pub use message::*;
pub use state::*;

declare_id!("GuZJ4pamHt91wHG3UrfoT4WksiwJAYMcfHLbDfQay1uN");

#[program]
pub mod dispatch_bridge {
    use super::*;

    /// Creates the config (PDA `["config"]`) and the custody vault (PDA
    /// `["custody"]`) for `mint`; only the program's upgrade authority may,
    /// and it becomes the admin.
    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        instructions::initialize::handler(ctx, args)
    }

    /// Locks `amount` BOLT of the signer in custody for `evm_recipient` on
    /// the peer chain and records the outbound message.
    pub fn lock(ctx: Context<Lock>, amount: u64, evm_recipient: [u8; 20]) -> Result<()> {
        instructions::lock::handler(ctx, amount, evm_recipient)
    }

    /// A configured attester attests an inbound `message`; at the
    /// threshold the BOLT is released (or queued over the inbound limit).
    pub fn attest(ctx: Context<Attest>, message: BridgeMessage) -> Result<()> {
        instructions::attest::handler(ctx, message)
    }

    /// Anyone: releases the queued inbound message `digest` after its delay.
    pub fn complete_queued(ctx: Context<CompleteQueued>, digest: [u8; 32]) -> Result<()> {
        instructions::complete_queued::handler(ctx, digest)
    }

    /// The pauser or the admin pauses the bridge.
    pub fn pause(ctx: Context<Pause>) -> Result<()> {
        instructions::pause::handler(ctx)
    }

    /// Admin only: unpauses the bridge.
    pub fn unpause(ctx: Context<Unpause>) -> Result<()> {
        instructions::unpause::handler(ctx)
    }

    /// Admin only: replaces the attester set.
    pub fn set_attesters(ctx: Context<SetAttesters>, attesters: Vec<Pubkey>) -> Result<()> {
        instructions::set_attesters::handler(ctx, attesters)
    }

    /// Admin only: sets the attestation threshold.
    pub fn set_threshold(ctx: Context<SetThreshold>, threshold: u8) -> Result<()> {
        instructions::set_threshold::handler(ctx, threshold)
    }

    /// Admin only: sets the outbound and inbound capacities and the queue delay.
    pub fn set_limits(ctx: Context<SetLimits>, outbound_capacity: u64, inbound_capacity: u64, queue_delay: i64) -> Result<()> {
        instructions::set_limits::handler(ctx, outbound_capacity, inbound_capacity, queue_delay)
    }

    /// Admin only: sets the pauser.
    pub fn set_pauser(ctx: Context<SetPauser>, pauser: Pubkey) -> Result<()> {
        instructions::set_pauser::handler(ctx, pauser)
    }

    /// Admin only: proposes `new_admin`, who must call `accept_admin`.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::propose_admin::handler(ctx, new_admin)
    }

    /// The proposed admin takes the role.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::accept_admin::handler(ctx)
    }
}
