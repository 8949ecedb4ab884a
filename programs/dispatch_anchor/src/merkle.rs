//! OpenZeppelin `StandardMerkleTree` verification (npm `@openzeppelin/merkle-tree`,
//! Solidity `MerkleProof`) with keccak256: the keccak syscall on SBF, the
//! sha3 crate natively (solana-keccak-hasher's `sha3` feature).
//!
//! - leaf for the encoding `["bytes32","bytes32","bytes32"]`:
//!   `keccak256(keccak256(receipt_hash || provider_key || signature_hash))`,
//!   the 96-byte `abi.encode` of three `bytes32` hashed twice;
//! - inner node: `keccak256` of the pair in ascending byte order
//!   (`commutativeKeccak256`), so a proof is just the list of siblings.
use solana_keccak_hasher::hashv;

/// The leaf of a receipt: `keccak256(keccak256(receipt_hash || provider_key || signature_hash))`.
pub fn receipt_leaf(receipt_hash: &[u8; 32], provider_key: &[u8; 32], signature_hash: &[u8; 32]) -> [u8; 32] {
    let inner = hashv(&[receipt_hash, provider_key, signature_hash]).to_bytes();
    hashv(&[&inner]).to_bytes()
}

/// `keccak256` of `a` and `b`, the smaller first.
pub fn hash_pair(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    if a <= b {
        hashv(&[a, b]).to_bytes()
    } else {
        hashv(&[b, a]).to_bytes()
    }
}

/// The root `leaf` leads to through `proof` (OpenZeppelin `processProof`).
pub fn process_proof(leaf: &[u8; 32], proof: &[[u8; 32]]) -> [u8; 32] {
    proof.iter().fold(*leaf, |node, sibling| hash_pair(&node, sibling))
}
