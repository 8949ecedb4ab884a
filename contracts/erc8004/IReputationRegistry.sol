// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IReputationRegistry
/// @notice The ERC-8004 (Trustless Agents) v1 Reputation Registry: clients give agents
/// signed fixed-point feedback (`value` with `valueDecimals`), may revoke it, anyone may
/// append responses, and summaries are computed over an explicit list of clients.
/// @dev Function signatures, return types and events are those of the ERC-8004 v1
/// specification. Errors are this project's own (the official contracts revert with
/// strings); the mapping is in docs/erc8004.md.
interface IReputationRegistry {
    /// @notice Emitted for every feedback given.
    /// @param agentId The agent the feedback is about.
    /// @param clientAddress The account that gave it.
    /// @param feedbackIndex Its index among this client's feedback to this agent, from 1.
    /// @param value Signed fixed-point value.
    /// @param valueDecimals Number of decimals of `value` (0 to 18).
    /// @param indexedTag1 `tag1` again, as an indexed topic (its keccak256 in the log).
    /// @param tag1 First tag (may be empty).
    /// @param tag2 Second tag (may be empty).
    /// @param endpoint Endpoint the feedback is about (emitted, not stored).
    /// @param feedbackURI Off-chain feedback file (emitted, not stored).
    /// @param feedbackHash keccak256 of that file, or zero (emitted, not stored).
    event NewFeedback(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        int128 value,
        uint8 valueDecimals,
        string indexed indexedTag1,
        string tag1,
        string tag2,
        string endpoint,
        string feedbackURI,
        bytes32 feedbackHash
    );

    /// @notice Emitted when a client revokes one of its feedback entries.
    /// @param agentId The agent.
    /// @param clientAddress The client that gave, and revoked, the feedback.
    /// @param feedbackIndex The revoked entry's index.
    event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex);

    /// @notice Emitted when anyone appends a response to a feedback entry.
    /// @param agentId The agent.
    /// @param clientAddress The client that gave the feedback.
    /// @param feedbackIndex The feedback entry's index.
    /// @param responder The account responding.
    /// @param responseURI Off-chain response file.
    /// @param responseHash keccak256 of that file, or zero.
    event ResponseAppended(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        address indexed responder,
        string responseURI,
        bytes32 responseHash
    );

    /// @notice The identity registry given at deployment is the zero address.
    error ReputationRegistryInvalidIdentityRegistry();
    /// @notice `valueDecimals` is above 18.
    error ReputationRegistryInvalidValueDecimals(uint8 valueDecimals);
    /// @notice `value` is outside [-1e38, 1e38].
    error ReputationRegistryValueOutOfRange(int128 value);
    /// @notice The caller owns, or is an approved operator of, the agent it rates.
    error ReputationRegistrySelfFeedback(uint256 agentId, address clientAddress);
    /// @notice Feedback indexes start at 1.
    error ReputationRegistryZeroFeedbackIndex();
    /// @notice `clientAddress` has given only `lastIndex` feedback entries to `agentId`.
    error ReputationRegistryFeedbackIndexOutOfBounds(
        uint256 agentId, address clientAddress, uint64 feedbackIndex, uint64 lastIndex
    );
    /// @notice The feedback entry is already revoked.
    error ReputationRegistryFeedbackAlreadyRevoked(uint256 agentId, address clientAddress, uint64 feedbackIndex);
    /// @notice A response needs a non-empty `responseURI`.
    error ReputationRegistryEmptyResponseURI();
    /// @notice `getSummary` needs a non-empty list of clients (Sybil resistance).
    error ReputationRegistryEmptyClientList();

    /// @notice The identity registry whose agents this registry rates.
    /// @return Its address.
    function getIdentityRegistry() external view returns (address);

    /// @notice Gives feedback to an agent, as the caller. The agent must exist and the caller must
    /// be neither its owner nor an approved operator.
    /// @param agentId The agent.
    /// @param value Signed fixed-point value, within [-1e38, 1e38].
    /// @param valueDecimals Decimals of `value`, 0 to 18.
    /// @param tag1 Optional first tag (stored, filterable).
    /// @param tag2 Optional second tag (stored, filterable).
    /// @param endpoint Optional endpoint URI (emitted only).
    /// @param feedbackURI Optional off-chain feedback file (emitted only).
    /// @param feedbackHash Optional keccak256 of the feedback file (emitted only).
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string calldata tag1,
        string calldata tag2,
        string calldata endpoint,
        string calldata feedbackURI,
        bytes32 feedbackHash
    ) external;

    /// @notice Revokes one of the caller's own feedback entries to an agent.
    /// @param agentId The agent.
    /// @param feedbackIndex The entry's index (from 1).
    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external;

    /// @notice Appends a response to a feedback entry; anyone may respond, any number of times.
    /// @param agentId The agent.
    /// @param clientAddress The client that gave the feedback.
    /// @param feedbackIndex The entry's index (from 1).
    /// @param responseURI Off-chain response file (not empty).
    /// @param responseHash Optional keccak256 of the response file.
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external;

    /// @notice The number of feedback entries `clientAddress` has given to `agentId` (revoked included).
    /// @param agentId The agent.
    /// @param clientAddress The client.
    /// @return The last feedback index (0 when none).
    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64);

    /// @notice Reads one feedback entry.
    /// @param agentId The agent.
    /// @param clientAddress The client that gave it.
    /// @param feedbackIndex Its index (from 1).
    /// @return value The value.
    /// @return valueDecimals Its decimals.
    /// @return tag1 The first tag.
    /// @return tag2 The second tag.
    /// @return isRevoked Whether the client revoked it.
    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked);

    /// @notice Aggregates the non-revoked feedback of the given clients to an agent, optionally
    /// filtered by tags: values are normalised to 18 decimals, averaged (rounding toward zero),
    /// and expressed with the most frequent `valueDecimals` among them (the smallest on a tie).
    /// @param agentId The agent.
    /// @param clientAddresses Clients to aggregate (must not be empty).
    /// @param tag1 Only feedback with this first tag, unless empty.
    /// @param tag2 Only feedback with this second tag, unless empty.
    /// @return count Number of entries aggregated.
    /// @return summaryValue Their average, with `summaryValueDecimals` decimals (0 when `count` is 0).
    /// @return summaryValueDecimals Decimals of `summaryValue`.
    function getSummary(
        uint256 agentId,
        address[] calldata clientAddresses,
        string calldata tag1,
        string calldata tag2
    ) external view returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals);

    /// @notice Lists feedback entries to an agent, client by client in the given (or first-feedback)
    /// order and by index within a client.
    /// @param agentId The agent.
    /// @param clientAddresses Clients to list; empty means every client of the agent.
    /// @param tag1 Only feedback with this first tag, unless empty.
    /// @param tag2 Only feedback with this second tag, unless empty.
    /// @param includeRevoked Whether to include revoked entries.
    /// @return clients Client of each entry.
    /// @return feedbackIndexes Index of each entry.
    /// @return values Value of each entry.
    /// @return valueDecimals Decimals of each entry.
    /// @return tag1s First tag of each entry.
    /// @return tag2s Second tag of each entry.
    /// @return revokedStatuses Whether each entry is revoked.
    function readAllFeedback(
        uint256 agentId,
        address[] calldata clientAddresses,
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
        );

    /// @notice Counts appended responses.
    /// @param agentId The agent.
    /// @param clientAddress One client, or the zero address for every client of the agent.
    /// @param feedbackIndex One entry of that client, or 0 for all of them (ignored for every client).
    /// @param responders Only responses by these accounts, unless empty.
    /// @return count The number of responses.
    function getResponseCount(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) external view returns (uint64 count);

    /// @notice Every client that has given feedback to an agent, in order of first feedback.
    /// @param agentId The agent.
    /// @return The clients.
    function getClients(uint256 agentId) external view returns (address[] memory);

    /// @notice Version of the ERC-8004 v1 reference implementation whose behaviour this registry follows.
    /// @return The version string.
    function getVersion() external pure returns (string memory);
}
