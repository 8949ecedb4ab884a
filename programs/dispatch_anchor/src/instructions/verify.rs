use anchor_lang::prelude::*;

use crate::constants::{BATCH_SEED, MAX_PROOF_LEN};
use crate::errors::ReceiptAnchorError;
use crate::merkle::process_proof;
use crate::state::Batch;

/// Accounts of `verify` and `verify_receipt`: the batch the proof is for.
#[derive(Accounts)]
pub struct Verify<'info> {
    #[account(seeds = [BATCH_SEED, batch.root.as_ref()], bump = batch.bump)]
    pub batch: Account<'info, Batch>,
}

/// Checks that `leaf` is in batch `batch_id`: fails with `ProofTooLong`
/// beyond 32 levels, `WrongBatch` if `batch` holds another id, and
/// `InvalidProof` if `proof` leads elsewhere than its root.
pub fn check(batch: &Batch, batch_id: u64, leaf: &[u8; 32], proof: &[[u8; 32]]) -> Result<()> {
    require!(proof.len() <= MAX_PROOF_LEN, ReceiptAnchorError::ProofTooLong);
    require!(batch.batch_id == batch_id, ReceiptAnchorError::WrongBatch);
    require!(process_proof(leaf, proof) == batch.root, ReceiptAnchorError::InvalidProof);
    Ok(())
}

/// Verifies an OpenZeppelin StandardMerkleTree `leaf` (already the
/// double-keccak leaf hash) against batch `batch_id`; returns `true` as
/// return data. Like OpenZeppelin's `MerkleProof.verify` it proves a node
/// hash: an inner node with the rest of its path passes too, so a receipt
/// is bound to a batch by `verify_receipt` (or by hashing the leaf
/// yourself), never by trusting a leaf hash from elsewhere.
pub fn handler(ctx: Context<Verify>, batch_id: u64, leaf: [u8; 32], proof: Vec<[u8; 32]>) -> Result<bool> {
    check(&ctx.accounts.batch, batch_id, &leaf, &proof)?;
    Ok(true)
}
