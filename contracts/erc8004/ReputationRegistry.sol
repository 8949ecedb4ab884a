// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IIdentityRegistry} from "./IIdentityRegistry.sol";
import {IReputationRegistry} from "./IReputationRegistry.sol";

/// @title ReputationRegistry
/// @notice ERC-8004 v1 Reputation Registry for local chains, bound at deployment to one
/// IdentityRegistry.
/// @dev ABI-, event- and rule-compatible with the official v1 deployments, without their
/// proxy, owner or `initialize`: the identity registry is a constructor argument and
/// nobody holds any privilege here. Only `value`, `valueDecimals`, the tags and the
/// revocation flag are stored; `endpoint`, `feedbackURI` and `feedbackHash` live in the
/// `NewFeedback` event only, as in v1.
contract ReputationRegistry is IReputationRegistry {
    int128 private constant MAX_ABS_VALUE = 1e38;
    uint8 private constant MAX_VALUE_DECIMALS = 18;

    /// @dev One feedback entry; value, decimals and flag share a slot.
    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        bool isRevoked;
        string tag1;
        string tag2;
    }

    /// @dev Tag filter of the read functions: an empty tag matches every entry.
    struct TagFilter {
        bytes32 tag1Hash;
        bytes32 tag2Hash;
        bool anyTag1;
        bool anyTag2;
        bool includeRevoked;
    }

    IIdentityRegistry private immutable _identityRegistry;

    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => Feedback))) private _feedback;
    mapping(uint256 agentId => mapping(address client => uint64 lastIndex)) private _lastIndex;
    mapping(uint256 agentId => address[] clients) private _clients;
    mapping(uint256 agentId => mapping(address client => mapping(uint64 index => address[] responders))) private
        _responders;
    mapping(
        uint256 agentId => mapping(address client => mapping(uint64 index => mapping(address responder => uint64)))
    ) private _responseCount;

    /// @param identityRegistry_ The IdentityRegistry whose agents are rated (not zero).
    constructor(address identityRegistry_) {
        if (identityRegistry_ == address(0)) revert ReputationRegistryInvalidIdentityRegistry();
        _identityRegistry = IIdentityRegistry(identityRegistry_);
    }

    /// @inheritdoc IReputationRegistry
    function getIdentityRegistry() external view returns (address) {
        return address(_identityRegistry);
    }

    /// @inheritdoc IReputationRegistry
    /// @dev Reverts with the identity registry's `ERC721NonexistentToken` when the agent does not exist.
    /// `endpoint` and `feedbackURI` are copied to memory (same ABI) to keep the 11-field event within
    /// the legacy code generator's stack limit.
    // solhint-disable-next-line gas-calldata-parameters
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string memory endpoint,
        string memory feedbackURI,
        bytes32 feedbackHash
    ) external {
        if (valueDecimals > MAX_VALUE_DECIMALS) revert ReputationRegistryInvalidValueDecimals(valueDecimals);
        if (value < -MAX_ABS_VALUE || value > MAX_ABS_VALUE) revert ReputationRegistryValueOutOfRange(value);
        if (_identityRegistry.isAuthorizedOrOwner(msg.sender, agentId)) {
            revert ReputationRegistrySelfFeedback(agentId, msg.sender);
        }

        uint64 feedbackIndex = ++_lastIndex[agentId][msg.sender];
        _feedback[agentId][msg.sender][feedbackIndex] =
            Feedback({value: value, valueDecimals: valueDecimals, isRevoked: false, tag1: tag1, tag2: tag2});
        if (feedbackIndex == 1) _clients[agentId].push(msg.sender);

        emit NewFeedback(
            agentId, msg.sender, feedbackIndex, value, valueDecimals, tag1, tag1, tag2, endpoint, feedbackURI, feedbackHash
        );
    }

    /// @inheritdoc IReputationRegistry
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        Feedback storage fb = _existingFeedback(agentId, msg.sender, feedbackIndex);
        if (fb.isRevoked) revert ReputationRegistryFeedbackAlreadyRevoked(agentId, msg.sender, feedbackIndex);
        fb.isRevoked = true;
        emit FeedbackRevoked(agentId, msg.sender, feedbackIndex);
    }

    /// @inheritdoc IReputationRegistry
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external {
        if (feedbackIndex == 0) revert ReputationRegistryZeroFeedbackIndex();
        if (bytes(responseURI).length == 0) revert ReputationRegistryEmptyResponseURI();
        _existingFeedback(agentId, clientAddress, feedbackIndex);

        if (_responseCount[agentId][clientAddress][feedbackIndex][msg.sender]++ == 0) {
            _responders[agentId][clientAddress][feedbackIndex].push(msg.sender);
        }
        emit ResponseAppended(agentId, clientAddress, feedbackIndex, msg.sender, responseURI, responseHash);
    }

    /// @inheritdoc IReputationRegistry
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64) {
        return _lastIndex[agentId][clientAddress];
    }

    /// @inheritdoc IReputationRegistry
    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked)
    {
        Feedback storage fb = _existingFeedback(agentId, clientAddress, feedbackIndex);
        return (fb.value, fb.valueDecimals, fb.tag1, fb.tag2, fb.isRevoked);
    }

    /// @inheritdoc IReputationRegistry
    /// @dev Reverts with `SafeCastOverflowedIntDowncast` where v1 would silently truncate an average
    /// that does not fit in int128 (only possible when mixing extreme values with very different decimals).
    function getSummary(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2
    ) external view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals) {
        if (clientAddresses.length == 0) revert ReputationRegistryEmptyClientList();
        int256 sumWad;
        uint64[MAX_VALUE_DECIMALS + 1] memory decimalsCount;
        (count, sumWad, decimalsCount) = _accumulate(agentId, clientAddresses, _filter(tag1, tag2, false));
        if (count == 0) return (0, 0, 0);

        uint64 modeCount = 0;
        for (uint8 d; d <= MAX_VALUE_DECIMALS; ++d) {
            if (decimalsCount[d] > modeCount) {
                modeCount = decimalsCount[d];
                summaryValueDecimals = d;
            }
        }
        int256 averageWad = sumWad / int256(uint256(count));
        summaryValue = SafeCast.toInt128(averageWad / _scale(summaryValueDecimals));
    }

    /// @inheritdoc IReputationRegistry
    /// @dev `clientAddresses` stays in memory: an empty list is replaced by all of the agent's clients.
    // solhint-disable-next-line gas-calldata-parameters
    function readAllFeedback(
        uint256 agentId,
        address[] memory clientAddresses,
        string calldata tag1,
        string calldata tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory clients,
            uint64[] memory feedbackIndexes,
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        )
    {
        if (clientAddresses.length == 0) clientAddresses = _clients[agentId];
        (clients, feedbackIndexes) = _select(agentId, clientAddresses, _filter(tag1, tag2, includeRevoked));
        (values, valueDecimals, tag1s, tag2s, revokedStatuses) = _details(agentId, clients, feedbackIndexes);
    }

    /// @inheritdoc IReputationRegistry
    function getResponseCount(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) external view returns (uint64 count) {
        if (clientAddress == address(0)) {
            address[] storage clients = _clients[agentId];
            for (uint256 i; i < clients.length; ++i) {
                count += _countClientResponses(agentId, clients[i], responders);
            }
        } else if (feedbackIndex == 0) {
            count = _countClientResponses(agentId, clientAddress, responders);
        } else {
            count = _countResponses(agentId, clientAddress, feedbackIndex, responders);
        }
    }

    /// @inheritdoc IReputationRegistry
    function getClients(uint256 agentId) external view returns (address[] memory) {
        return _clients[agentId];
    }

    /// @inheritdoc IReputationRegistry
    function getVersion() external pure returns (string memory) {
        return "2.0.0";
    }

    /// @dev The stored entry, after v1's index checks: from 1 up to the client's last index.
    function _existingFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        private
        view
        returns (Feedback storage)
    {
        if (feedbackIndex == 0) revert ReputationRegistryZeroFeedbackIndex();
        uint64 lastIndex = _lastIndex[agentId][clientAddress];
        if (feedbackIndex > lastIndex) {
            revert ReputationRegistryFeedbackIndexOutOfBounds(agentId, clientAddress, feedbackIndex, lastIndex);
        }
        return _feedback[agentId][clientAddress][feedbackIndex];
    }

    /// @dev Over the entries of `clientAddresses` that pass `filter`: their number, the sum of their
    /// values in 18-decimal fixed point, and how many of them use each `valueDecimals`.
    function _accumulate(uint256 agentId, address[] calldata clientAddresses, TagFilter memory filter)
        private
        view
        returns (uint64 count, int256 sumWad, uint64[MAX_VALUE_DECIMALS + 1] memory decimalsCount)
    {
        for (uint256 i; i < clientAddresses.length; ++i) {
            address client = clientAddresses[i];
            uint64 lastIndex = _lastIndex[agentId][client];
            for (uint64 j = 1; j <= lastIndex; ++j) {
                Feedback storage fb = _feedback[agentId][client][j];
                if (!_matches(fb, filter)) continue;
                sumWad += int256(fb.value) * _scale(fb.valueDecimals);
                ++decimalsCount[fb.valueDecimals];
                ++count;
            }
        }
    }

    /// @dev The (client, index) pairs of the entries that pass `filter`, in listing order.
    function _select(uint256 agentId, address[] memory clientList, TagFilter memory filter)
        private
        view
        returns (address[] memory clients, uint64[] memory feedbackIndexes)
    {
        uint256 total = 0;
        for (uint256 i; i < clientList.length; ++i) {
            uint64 lastIndex = _lastIndex[agentId][clientList[i]];
            for (uint64 j = 1; j <= lastIndex; ++j) {
                if (_matches(_feedback[agentId][clientList[i]][j], filter)) ++total;
            }
        }
        clients = new address[](total);
        feedbackIndexes = new uint64[](total);
        uint256 k = 0;
        for (uint256 i; i < clientList.length; ++i) {
            uint64 lastIndex = _lastIndex[agentId][clientList[i]];
            for (uint64 j = 1; j <= lastIndex; ++j) {
                if (!_matches(_feedback[agentId][clientList[i]][j], filter)) continue;
                clients[k] = clientList[i];
                feedbackIndexes[k] = j;
                ++k;
            }
        }
    }

    /// @dev The stored fields of the listed entries, column by column.
    function _details(uint256 agentId, address[] memory clients, uint64[] memory feedbackIndexes)
        private
        view
        returns (
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        )
    {
        uint256 n = clients.length;
        values = new int128[](n);
        valueDecimals = new uint8[](n);
        tag1s = new string[](n);
        tag2s = new string[](n);
        revokedStatuses = new bool[](n);
        for (uint256 k; k < n; ++k) {
            Feedback storage fb = _feedback[agentId][clients[k]][feedbackIndexes[k]];
            values[k] = fb.value;
            valueDecimals[k] = fb.valueDecimals;
            tag1s[k] = fb.tag1;
            tag2s[k] = fb.tag2;
            revokedStatuses[k] = fb.isRevoked;
        }
    }

    function _filter(string memory tag1, string memory tag2, bool includeRevoked)
        private
        pure
        returns (TagFilter memory)
    {
        return TagFilter({
            tag1Hash: keccak256(bytes(tag1)),
            tag2Hash: keccak256(bytes(tag2)),
            anyTag1: bytes(tag1).length == 0,
            anyTag2: bytes(tag2).length == 0,
            includeRevoked: includeRevoked
        });
    }

    function _matches(Feedback storage fb, TagFilter memory filter) private view returns (bool) {
        return (filter.includeRevoked || !fb.isRevoked)
            && (filter.anyTag1 || keccak256(bytes(fb.tag1)) == filter.tag1Hash)
            && (filter.anyTag2 || keccak256(bytes(fb.tag2)) == filter.tag2Hash);
    }

    /// @dev `given` when it is not empty, else every address in `all`.
    function _givenOr(address[] calldata given, address[] storage all) private view returns (address[] memory) {
        if (given.length > 0) return given;
        return all;
    }

    /// @dev 10^(18 - decimals): the factor from `decimals` to 18-decimal fixed point.
    function _scale(uint8 decimals) private pure returns (int256) {
        return int256(10 ** uint256(MAX_VALUE_DECIMALS - decimals));
    }

    function _countClientResponses(uint256 agentId, address clientAddress, address[] calldata responders)
        private
        view
        returns (uint64 count)
    {
        uint64 lastIndex = _lastIndex[agentId][clientAddress];
        for (uint64 j = 1; j <= lastIndex; ++j) {
            count += _countResponses(agentId, clientAddress, j, responders);
        }
    }

    function _countResponses(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) private view returns (uint64 count) {
        mapping(address responder => uint64) storage counts = _responseCount[agentId][clientAddress][feedbackIndex];
        address[] memory list = _givenOr(responders, _responders[agentId][clientAddress][feedbackIndex]);
        for (uint256 k; k < list.length; ++k) {
            count += counts[list[k]];
        }
    }
}
