//! Dispatch governance receiver (docs/governance.md): protocol parameters
//! reach Solana only by governance. BOLT holders vote on Monad; a change the
//! timelock executes on `ProtocolParams` becomes a governance message (bridge
//! message family, kind 2), which the configured attesters attest here, each
//! in its own transaction; once the threshold has attested the same digest,
//! `apply` (anyone) sets the fee of `dispatch_settlement` and the thresholds
//! and cooldown of `dispatch_staking` by CPI, as their admin.
//!
//! - The receiver's config PDA is the admin of both programs: their admins
//!   `propose_admin(config PDA)`, then anyone calls `accept_admins`.
//! - Messages must come from the configured Monad chain and emitter
//!   (`ProtocolParams`), for this chain; a per-digest record makes replay
//!   impossible and versions only go up (a stale or out-of-order one fails).
//! - `initialize` is gated on the program's upgrade authority. There is no
//!   admin key afterwards.
//! - Treasury: the vault is the config PDA's associated token account for
//!   BOLT (genesis mints the 150M there before `initialize`), so the config
//!   PDA is its only authority. A spend approved on Monad is attested like a parameters
//!   message; at the threshold it becomes payable `TREASURY_DELAY` (6 months)
//!   later, and `pay_spend` (anyone) moves it to the recipient then.
use anchor_lang::prelude::*;

#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

pub mod constants;
pub mod cpi;
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

declare_id!("BkDc1qgtyWAP2exQ2QRvuK1FhspzinwxPGG32qW14E2t");

#[program]
pub mod dispatch_governance {
    use super::*;

    /// Creates the config (upgrade authority only): this chain's id, the
    /// Monad source (chain id hash, ProtocolParams address), the attesters
    /// and threshold, and the staking and settlement program ids.
    pub fn initialize(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
        instructions::initialize::handler(ctx, args)
    }

    /// Takes the admin role of dispatch_staking and dispatch_settlement after
    /// their admins proposed the config PDA (anyone may call).
    pub fn accept_admins(ctx: Context<AcceptAdmins>) -> Result<()> {
        instructions::accept_admins::handler(ctx)
    }

    /// Records the signer's (a configured attester's) attestation of a
    /// governance parameters message.
    pub fn attest(ctx: Context<Attest>, message: ParamsMessage) -> Result<()> {
        instructions::attest::handler(ctx, message)
    }

    /// Applies an attested message (threshold reached, newer than the last
    /// applied version) to staking and settlement by CPI (anyone may call).
    pub fn apply(ctx: Context<Apply>, message: ParamsMessage) -> Result<()> {
        instructions::apply::handler(ctx, message)
    }

    /// Records the signer's attestation of a treasury spend approved on Monad;
    /// at the threshold the spend becomes payable after TREASURY_DELAY.
    pub fn attest_spend(ctx: Context<AttestSpend>, message: SpendMessage) -> Result<()> {
        instructions::attest_spend::handler(ctx, message)
    }

    /// Pays an approved spend from the treasury once its delay has passed (anyone may call).
    pub fn pay_spend(ctx: Context<PaySpend>, spend_id: u64) -> Result<()> {
        instructions::pay_spend::handler(ctx, spend_id)
    }
}
