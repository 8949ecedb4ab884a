use anchor_lang::prelude::*;

use crate::instructions::verify::{check, Verify};
use crate::merkle::receipt_leaf;

/// Verifies a receipt against batch `batch_id`: the leaf is
/// `keccak256(keccak256(receipt_hash || provider_key || signature_hash))`,
/// as OpenZeppelin's StandardMerkleTree encodes `["bytes32","bytes32","bytes32"]`.
/// Returns `true` as return data; fails as `verify` does.
pub fn handler(
    ctx: Context<Verify>,
    batch_id: u64,
    receipt_hash: [u8; 32],
    provider_key: [u8; 32],
    signature_hash: [u8; 32],
    proof: Vec<[u8; 32]>,
) -> Result<bool> {
    let leaf = receipt_leaf(&receipt_hash, &provider_key, &signature_hash);
    check(&ctx.accounts.batch, batch_id, &leaf, &proof)?;
    Ok(true)
}
