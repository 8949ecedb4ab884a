//! Dispatch receipt anchoring on Solana (whitepaper §6.7, DESIGN.md
//! "Receipt Merkle tree"): allowed anchorers record batch roots of receipts,
//! one `Batch` account per root, and anyone verifies a receipt against a
//! batch with the keccak syscall. The roots are those of the EVM
//! ReceiptAnchor: OpenZeppelin StandardMerkleTree over
//! `(receipt_hash, provider_key, signature_hash)` as three `bytes32`.
//! The config admin manages the allowlist and hands over only by
//! `propose_admin` + `accept_admin`. Interface: docs/solana-programs.md.
use anchor_lang::prelude::*;
// memcpy & co. through the Solana syscalls in the upstream-LLVM SBF build
// (toolchain/sbf/, docs/solana-sbf.md).
#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

pub mod constants;
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

declare_id!("98TsTgPnwocZQT95MuPoPiwbv6YD4VCfhQm5TvB2HGag");

#[program]
pub mod dispatch_anchor {
    use super::*;

    /// Creates the config (PDA `["config"]`); the signer, who must be the
    /// program's upgrade authority, becomes the admin.
    pub fn initialize(ctx: Context<Initialize>) -> Result<()> {
        instructions::initialize::handler(ctx)
    }

    /// Admin only: allows `authority` to anchor (PDA `["anchorer", authority]`).
    pub fn add_anchorer(ctx: Context<AddAnchorer>, authority: Pubkey) -> Result<()> {
        instructions::add_anchorer::handler(ctx, authority)
    }

    /// Admin only: removes an anchorer, closing its record to the admin.
    pub fn remove_anchorer(ctx: Context<RemoveAnchorer>) -> Result<()> {
        instructions::remove_anchorer::handler(ctx)
    }

    /// Admin only: proposes `new_admin`, who must call `accept_admin`.
    pub fn propose_admin(ctx: Context<ProposeAdmin>, new_admin: Pubkey) -> Result<()> {
        instructions::propose_admin::handler(ctx, new_admin)
    }

    /// The proposed admin takes the role.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        instructions::accept_admin::handler(ctx)
    }

    /// Anchorers only: records `root` (of `leaf_count` receipts, published
    /// at `uri`) as the next batch, in PDA `["batch", root]`, once per root.
    pub fn anchor_batch(ctx: Context<AnchorBatch>, root: [u8; 32], leaf_count: u32, uri: String) -> Result<()> {
        instructions::anchor_batch::handler(ctx, root, leaf_count, uri)
    }

    /// Verifies a StandardMerkleTree leaf hash against batch `batch_id`;
    /// returns `true`.
    pub fn verify(ctx: Context<Verify>, batch_id: u64, leaf: [u8; 32], proof: Vec<[u8; 32]>) -> Result<bool> {
        instructions::verify::handler(ctx, batch_id, leaf, proof)
    }

    /// Verifies a receipt `(receipt_hash, provider_key, signature_hash)`
    /// against batch `batch_id`; returns `true`.
    pub fn verify_receipt(
        ctx: Context<Verify>,
        batch_id: u64,
        receipt_hash: [u8; 32],
        provider_key: [u8; 32],
        signature_hash: [u8; 32],
        proof: Vec<[u8; 32]>,
    ) -> Result<bool> {
        instructions::verify_receipt::handler(ctx, batch_id, receipt_hash, provider_key, signature_hash, proof)
    }
}
