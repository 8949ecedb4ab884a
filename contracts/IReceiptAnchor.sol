// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IReceiptAnchor
/// @notice Anchors the Merkle roots of Dispatch receipt batches so that anyone can prove a
/// worker's signed receipt was recorded at a given block and time.
/// @dev A batch is identified by its root. Its batch id is the root's top 48 bits
/// (`uint256(root) >> 208`): a short, JSON-safe label that costs no storage, derivable by
/// anyone from the root. Batch ids are not sequential; every check goes through the full
/// root, so two roots sharing a label (a 2^-48 chance per pair) cannot make a receipt prove.
interface IReceiptAnchor {
    /// @notice A batch as an auditor reads it.
    /// @param id The batch id (the root's top 48 bits); 0 when the root is not anchored.
    /// @param root The batch's Merkle root.
    /// @param submitter Account that anchored the batch.
    /// @param leafCount Number of receipts in the batch.
    /// @param anchoredAt Timestamp of the block that anchored it.
    /// @param anchoredBlock Number of the block that anchored it.
    struct BatchRecord {
        uint256 id;
        bytes32 root;
        address submitter;
        uint32 leafCount;
        uint32 anchoredAt;
        uint32 anchoredBlock;
    }

    /// @notice Emitted once per anchored batch.
    /// @param batchId The batch id (the root's top 48 bits).
    /// @param root Merkle root of the batch's receipt leaves.
    /// @param submitter Account that anchored it.
    /// @param leafCount Number of receipts in the batch.
    /// @param uri Optional location of the batch's receipts (may be empty).
    event BatchAnchored(
        uint256 indexed batchId, bytes32 indexed root, address indexed submitter, uint256 leafCount, string uri
    );

    /// @notice The root is zero, or its top 48 bits are (so it would have batch id 0).
    error ReceiptAnchorZeroRoot();
    /// @notice A batch must contain at least one receipt.
    error ReceiptAnchorEmptyBatch();
    /// @notice This root is already anchored as `batchId`.
    error ReceiptAnchorRootAlreadyAnchored(bytes32 root, uint256 batchId);

    /// @notice Anchors the root of a receipt batch.
    /// @param root Merkle root of the batch (StandardMerkleTree, see the contract's docs).
    /// @param leafCount Number of receipts in the batch (at least 1).
    /// @param uri Optional pointer to the batch's receipts, emitted but not stored.
    /// @return batchId The new batch's id (the root's top 48 bits).
    function anchor(bytes32 root, uint32 leafCount, string calldata uri) external returns (uint256 batchId);

    /// @notice The record of the batch anchored with `root`; all zero but `root` if none is.
    /// @param root The batch's Merkle root.
    /// @return The batch's id, root, submitter, leaf count, anchoring time and block.
    function batchOf(bytes32 root) external view returns (BatchRecord memory);

    /// @notice The batch id a root gets (its top 48 bits), whether or not it is anchored.
    /// @param root A Merkle root.
    /// @return The batch id.
    function batchIdOf(bytes32 root) external pure returns (uint256);

    /// @notice Whether `leaf` belongs to batch `batchId` according to `proof`.
    /// @param batchId The batch the leaf is claimed to belong to.
    /// @param leaf The leaf hash (double keccak of the abi-encoded leaf values).
    /// @param proof Sibling hashes from the leaf up to the root.
    /// @return True when the proof leads to an anchored root whose batch id is `batchId`.
    function verify(uint256 batchId, bytes32 leaf, bytes32[] calldata proof) external view returns (bool);

    /// @notice Whether a receipt, given by its leaf values, belongs to batch `batchId`.
    /// @param batchId The batch the receipt is claimed to belong to.
    /// @param receiptHash sha256 of the receipt's canonical JSON bytes.
    /// @param providerKey The worker's 32-byte ed25519 public key.
    /// @param signatureHash keccak256 of the 64-byte ed25519 signature.
    /// @param proof Sibling hashes from the leaf up to the root.
    /// @return True when the receipt's leaf proves into batch `batchId`.
    function verifyReceipt(
        uint256 batchId,
        bytes32 receiptHash,
        bytes32 providerKey,
        bytes32 signatureHash,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The StandardMerkleTree leaf hash of a receipt's leaf values.
    /// @param receiptHash sha256 of the receipt's canonical JSON bytes.
    /// @param providerKey The worker's 32-byte ed25519 public key.
    /// @param signatureHash keccak256 of the 64-byte ed25519 signature.
    /// @return The leaf hash.
    function receiptLeaf(bytes32 receiptHash, bytes32 providerKey, bytes32 signatureHash)
        external
        pure
        returns (bytes32);
}
