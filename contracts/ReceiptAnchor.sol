// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title ReceiptAnchor
/// @notice Anchors the Merkle roots of Dispatch receipt batches so that anyone can
/// prove a worker's signed receipt was recorded at a given time.
/// @dev Leaves follow OpenZeppelin's StandardMerkleTree with the encoding
/// `(bytes32 receiptHash, bytes32 providerKey, bytes32 signatureHash)`, i.e.
/// `keccak256(bytes.concat(keccak256(abi.encode(receiptHash, providerKey, signatureHash))))`.
///
/// Each batch costs one storage slot, keyed by its root: `verify` recomputes the
/// root from the proof and checks that root's batch id, so no id-to-root index is
/// kept. Who may anchor is the `ANCHORER_ROLE`; the admin role (which grants it)
/// moves only through OpenZeppelin's two-step, delayed default-admin transfer, so
/// a handover to governance is public and cannot happen by surprise.
contract ReceiptAnchor is AccessControlDefaultAdminRules {
    /// @notice Role allowed to anchor batch roots (the coordinators' anchoring accounts).
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @notice The on-chain record of an anchored batch (one storage slot).
    /// @param submitter Account that anchored the batch.
    /// @param id Sequential batch id, starting at 1.
    /// @param leafCount Number of receipts in the batch.
    /// @param anchoredAt Block timestamp of the anchoring transaction.
    struct Batch {
        address submitter;
        uint32 id;
        uint32 leafCount;
        uint32 anchoredAt;
    }

    mapping(bytes32 root => Batch) private _batches;
    uint32 private _batchCount;

    /// @notice Emitted once per anchored batch.
    /// @param batchId Sequential batch id.
    /// @param root Merkle root of the batch's receipt leaves.
    /// @param submitter Account that anchored it.
    /// @param leafCount Number of receipts in the batch.
    /// @param uri Optional location of the batch's receipts (may be empty).
    event BatchAnchored(
        uint256 indexed batchId, bytes32 indexed root, address indexed submitter, uint256 leafCount, string uri
    );

    /// @notice The root is zero, which no tree can have.
    error ZeroRoot();
    /// @notice A batch must contain at least one receipt.
    error EmptyBatch();
    /// @notice This root is already anchored as `batchId`.
    error RootAlreadyAnchored(bytes32 root, uint256 batchId);

    /// @param initialDelay Delay, in seconds, of any future default-admin transfer.
    /// @param admin Holder of the default admin role (grants and revokes ANCHORER_ROLE).
    /// @param anchorers Accounts granted ANCHORER_ROLE at deployment.
    constructor(uint48 initialDelay, address admin, address[] memory anchorers)
        AccessControlDefaultAdminRules(initialDelay, admin)
    {
        for (uint256 i = 0; i < anchorers.length; ++i) {
            _grantRole(ANCHORER_ROLE, anchorers[i]);
        }
    }

    /// @notice Anchors the root of a receipt batch.
    /// @param root Merkle root of the batch (StandardMerkleTree, see contract docs).
    /// @param leafCount Number of receipts in the batch (at least 1).
    /// @param uri Optional pointer to the batch's receipts, emitted but not stored.
    /// @return batchId The new batch's sequential id.
    function anchor(bytes32 root, uint32 leafCount, string calldata uri)
        external
        onlyRole(ANCHORER_ROLE)
        returns (uint256 batchId)
    {
        if (root == bytes32(0)) revert ZeroRoot();
        if (leafCount == 0) revert EmptyBatch();
        uint32 existing = _batches[root].id;
        if (existing != 0) revert RootAlreadyAnchored(root, existing);

        uint32 id = _batchCount + 1;
        _batchCount = id;
        _batches[root] = Batch({
            submitter: msg.sender,
            id: id,
            leafCount: leafCount,
            anchoredAt: SafeCast.toUint32(block.timestamp)
        });
        emit BatchAnchored(id, root, msg.sender, leafCount, uri);
        return id;
    }

    /// @notice Number of batches anchored so far (also the latest batch id).
    function batchCount() external view returns (uint256) {
        return _batchCount;
    }

    /// @notice The record of the batch anchored with `root`; all zero if none is.
    function batchOf(bytes32 root) external view returns (Batch memory) {
        return _batches[root];
    }

    /// @notice Whether `leaf` belongs to batch `batchId` according to `proof`.
    /// @dev Recomputes the root from the proof and checks that root was anchored as `batchId`.
    /// @param batchId The batch the leaf is claimed to belong to.
    /// @param leaf The leaf hash (double keccak of the abi-encoded leaf values).
    /// @param proof Sibling hashes from the leaf up to the root.
    function verify(uint256 batchId, bytes32 leaf, bytes32[] calldata proof) public view returns (bool) {
        if (batchId == 0) return false;
        return _batches[MerkleProof.processProofCalldata(proof, leaf)].id == batchId;
    }

    /// @notice Whether a receipt, given by its leaf values, belongs to batch `batchId`.
    /// @param batchId The batch the receipt is claimed to belong to.
    /// @param receiptHash sha256 of the receipt's canonical JSON bytes.
    /// @param providerKey The worker's 32-byte ed25519 public key.
    /// @param signatureHash keccak256 of the 64-byte ed25519 signature.
    /// @param proof Sibling hashes from the leaf up to the root.
    function verifyReceipt(
        uint256 batchId,
        bytes32 receiptHash,
        bytes32 providerKey,
        bytes32 signatureHash,
        bytes32[] calldata proof
    ) external view returns (bool) {
        return verify(batchId, receiptLeaf(receiptHash, providerKey, signatureHash), proof);
    }

    /// @notice The StandardMerkleTree leaf hash of a receipt's leaf values.
    function receiptLeaf(bytes32 receiptHash, bytes32 providerKey, bytes32 signatureHash)
        public
        pure
        returns (bytes32)
    {
        return keccak256(bytes.concat(keccak256(abi.encode(receiptHash, providerKey, signatureHash))));
    }
}
