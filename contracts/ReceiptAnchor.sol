// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IReceiptAnchor} from "./IReceiptAnchor.sol";

/// @title ReceiptAnchor
/// @notice Anchors the Merkle roots of Dispatch receipt batches so that anyone can
/// prove a worker's signed receipt was recorded at a given block and time.
/// @dev Leaves follow OpenZeppelin's StandardMerkleTree with the encoding
/// `(bytes32 receiptHash, bytes32 providerKey, bytes32 signatureHash)`, i.e.
/// `keccak256(bytes.concat(keccak256(abi.encode(receiptHash, providerKey, signatureHash))))`.
///
/// An anchor writes exactly one new storage slot, keyed by the root: submitter, leaf
/// count, block time and block number. The batch id is the root's top 48 bits, so no
/// counter slot is read or written (that saved 5,000 gas per anchor); `verify` recomputes
/// the root from the proof and checks it is anchored under the claimed id. Who may anchor
/// is the `ANCHORER_ROLE`; the admin role (which grants it) moves only through
/// OpenZeppelin's two-step, delayed default-admin transfer, so a handover to governance
/// is public and cannot happen by surprise.
contract ReceiptAnchor is IReceiptAnchor, AccessControlDefaultAdminRules {
    /// @notice Role allowed to anchor batch roots (the coordinators' anchoring accounts).
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @dev The stored record of an anchored batch: one slot. `anchoredAt` is never zero
    /// for an anchored batch.
    struct Batch {
        address submitter;
        uint32 leafCount;
        uint32 anchoredAt;
        uint32 anchoredBlock;
    }

    uint256 private constant ID_SHIFT = 256 - 48;

    mapping(bytes32 root => Batch) private _batches;

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

    /// @inheritdoc IReceiptAnchor
    function anchor(bytes32 root, uint32 leafCount, string calldata uri)
        external
        onlyRole(ANCHORER_ROLE)
        returns (uint256 batchId)
    {
        batchId = uint256(root) >> ID_SHIFT;
        if (batchId == 0) revert ReceiptAnchorZeroRoot();
        if (leafCount == 0) revert ReceiptAnchorEmptyBatch();
        if (_batches[root].anchoredAt != 0) revert ReceiptAnchorRootAlreadyAnchored(root, batchId);
        // One SSTORE of the packed record: the slot's only write in this transaction.
        _batches[root] = Batch({
            submitter: msg.sender,
            leafCount: leafCount,
            anchoredAt: SafeCast.toUint32(block.timestamp),
            anchoredBlock: SafeCast.toUint32(block.number)
        });
        emit BatchAnchored(batchId, root, msg.sender, leafCount, uri);
    }

    /// @inheritdoc IReceiptAnchor
    function batchOf(bytes32 root) external view returns (BatchRecord memory record) {
        Batch memory batch = _batches[root];
        record.root = root;
        if (batch.anchoredAt == 0) return record;
        record.id = uint256(root) >> ID_SHIFT;
        record.submitter = batch.submitter;
        record.leafCount = batch.leafCount;
        record.anchoredAt = batch.anchoredAt;
        record.anchoredBlock = batch.anchoredBlock;
    }

    /// @inheritdoc IReceiptAnchor
    function batchIdOf(bytes32 root) external pure returns (uint256) {
        return uint256(root) >> ID_SHIFT;
    }

    /// @inheritdoc IReceiptAnchor
    /// @dev Recomputes the root from the proof and checks that root is anchored as `batchId`.
    function verify(uint256 batchId, bytes32 leaf, bytes32[] calldata proof) public view returns (bool) {
        if (batchId == 0) return false;
        bytes32 root = MerkleProof.processProofCalldata(proof, leaf);
        return uint256(root) >> ID_SHIFT == batchId && _batches[root].anchoredAt != 0;
    }

    /// @inheritdoc IReceiptAnchor
    function verifyReceipt(
        uint256 batchId,
        bytes32 receiptHash,
        bytes32 providerKey,
        bytes32 signatureHash,
        bytes32[] calldata proof
    ) external view returns (bool) {
        return verify(batchId, receiptLeaf(receiptHash, providerKey, signatureHash), proof);
    }

    /// @inheritdoc IReceiptAnchor
    function receiptLeaf(bytes32 receiptHash, bytes32 providerKey, bytes32 signatureHash)
        public
        pure
        returns (bytes32)
    {
        return keccak256(bytes.concat(keccak256(abi.encode(receiptHash, providerKey, signatureHash))));
    }
}
