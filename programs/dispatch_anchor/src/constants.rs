//! Seeds and limits of the anchoring program.

/// Seed of the [`crate::AnchorConfig`] PDA.
pub const CONFIG_SEED: &[u8] = b"config";
/// Seed prefix of an [`crate::Anchorer`] PDA: `["anchorer", authority]`.
pub const ANCHORER_SEED: &[u8] = b"anchorer";
/// Seed prefix of a [`crate::Batch`] PDA: `["batch", root]`.
pub const BATCH_SEED: &[u8] = b"batch";

/// The longest batch URI `anchor_batch` accepts, in bytes.
pub const MAX_URI_LEN: usize = 200;
/// The deepest proof `verify` accepts: 32 levels cover 2^32 leaves, more
/// than a `u32` leaf count can name.
pub const MAX_PROOF_LEN: usize = 32;
