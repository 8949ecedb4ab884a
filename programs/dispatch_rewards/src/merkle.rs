//! OpenZeppelin `StandardMerkleTree` verification of reward leaves, the same
//! construction as the receipt trees (dispatch_anchor, dispatch_chain/merkle.py):
//!
//! - leaf for the encoding `["uint256","bytes32","uint256"]` =
//!   `(epoch, worker, amount)`: `keccak256(keccak256(abi.encode(...)))`, i.e.
//!   the 96 bytes epoch (32-byte big-endian) || worker key || amount
//!   (32-byte big-endian), hashed twice;
//! - inner node: `keccak256` of the pair in ascending byte order.
use solana_keccak_hasher::hashv;

/// A `u64` as an ABI `uint256` word (big-endian, left-padded).
pub fn u256_word(value: u64) -> [u8; 32] {
    let mut word = [0u8; 32];
    word[24..].copy_from_slice(&value.to_be_bytes());
    word
}

/// The leaf of `worker`'s reward `amount` in `epoch`.
pub fn reward_leaf(epoch: u64, worker: &[u8; 32], amount: u64) -> [u8; 32] {
    let inner = hashv(&[&u256_word(epoch), worker, &u256_word(amount)]).to_bytes();
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
