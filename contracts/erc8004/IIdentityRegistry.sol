// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IIdentityRegistry
/// @notice The ERC-8004 (Trustless Agents) v1 Identity Registry surface beyond ERC-721:
/// registration, agent URI, on-chain metadata and the verified agent wallet.
/// @dev Function signatures, return types and events are those of the ERC-8004 v1
/// specification, so clients written against the official deployments work unchanged.
/// Errors are this project's own (the official contracts revert with strings); the
/// mapping is in docs/erc8004.md.
interface IIdentityRegistry {
    /// @notice One on-chain metadata entry given at registration.
    /// @param metadataKey Key of the entry (any string but the reserved `agentWallet`).
    /// @param metadataValue Raw value of the entry.
    struct MetadataEntry {
        string metadataKey;
        bytes metadataValue;
    }

    /// @notice Emitted once per registered agent, after its ERC-721 `Transfer` from the zero address.
    /// @param agentId The new agent's id (its ERC-721 token id).
    /// @param agentURI The registration file URI given at registration (empty for `register()`).
    /// @param owner The account that registered, and owns, the agent.
    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);

    /// @notice Emitted whenever an agent's metadata entry is written, including the reserved
    /// `agentWallet` entry (set at registration, by `setAgentWallet`, and cleared to empty bytes
    /// by `unsetAgentWallet` and by every transfer).
    /// @param agentId The agent whose metadata changed.
    /// @param indexedMetadataKey The key again, as an indexed topic (its keccak256 in the log).
    /// @param metadataKey The key.
    /// @param metadataValue The new value (empty when cleared).
    event MetadataSet(
        uint256 indexed agentId, string indexed indexedMetadataKey, string metadataKey, bytes metadataValue
    );

    /// @notice Emitted when an agent's URI is changed by `setAgentURI`.
    /// @param agentId The agent whose URI changed.
    /// @param newURI The new registration file URI.
    /// @param updatedBy The owner or operator that changed it.
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy);

    /// @notice `metadataKey` is reserved (`agentWallet`) and may only change through the wallet functions.
    error IdentityRegistryReservedMetadataKey(string metadataKey);
    /// @notice The agent wallet cannot be the zero address (use `unsetAgentWallet`).
    error IdentityRegistryInvalidAgentWallet(address newWallet);
    /// @notice The wallet signature's deadline has passed.
    error IdentityRegistryExpiredDeadline(uint256 deadline);
    /// @notice The wallet signature's deadline is more than the allowed delay (5 minutes) ahead.
    error IdentityRegistryDeadlineTooFar(uint256 deadline, uint256 maxDeadline);
    /// @notice `newWallet` did not sign the `AgentWalletSet` message (neither by ECDSA nor by ERC-1271).
    error IdentityRegistryInvalidWalletSignature(address newWallet);

    /// @notice Registers a new agent owned by the caller, with no URI (set it later with `setAgentURI`).
    /// @return agentId The new agent's id; ids are sequential from 0.
    function register() external returns (uint256 agentId);

    /// @notice Registers a new agent owned by the caller.
    /// @param agentURI URI of the agent's registration file.
    /// @return agentId The new agent's id; ids are sequential from 0.
    function register(string calldata agentURI) external returns (uint256 agentId);

    /// @notice Registers a new agent owned by the caller, with on-chain metadata entries.
    /// @param agentURI URI of the agent's registration file.
    /// @param metadata Entries to store; none may use the reserved `agentWallet` key.
    /// @return agentId The new agent's id; ids are sequential from 0.
    function register(string calldata agentURI, MetadataEntry[] calldata metadata)
        external
        returns (uint256 agentId);

    /// @notice Replaces an agent's URI. Only its owner or an approved operator may call.
    /// @param agentId The agent.
    /// @param newURI The new registration file URI.
    function setAgentURI(uint256 agentId, string calldata newURI) external;

    /// @notice Reads an agent's metadata entry (empty bytes when unset or when the agent does not exist).
    /// @param agentId The agent.
    /// @param metadataKey The key; `agentWallet` returns the 20 packed bytes of the wallet.
    /// @return The stored value.
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory);

    /// @notice Writes an agent's metadata entry. Only its owner or an approved operator may call.
    /// @param agentId The agent.
    /// @param metadataKey The key; `agentWallet` is reserved.
    /// @param metadataValue The value.
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external;

    /// @notice The agent's verified payment wallet: the registering owner at first, zero once cleared.
    /// @param agentId The agent (zero address when it does not exist).
    /// @return The wallet address.
    function getAgentWallet(uint256 agentId) external view returns (address);

    /// @notice Sets the agent's wallet to `newWallet`, which must have signed the EIP-712 message
    /// `AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)` (domain
    /// `ERC8004IdentityRegistry`, version `1`), by ECDSA or, for contract wallets, ERC-1271.
    /// Only the agent's owner or an approved operator may call.
    /// @param agentId The agent.
    /// @param newWallet The new wallet (not zero).
    /// @param deadline Last valid timestamp of the signature; at most 5 minutes ahead.
    /// @param signature The wallet's signature over the typed message, `owner` being the agent's current owner.
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature)
        external;

    /// @notice Clears the agent's wallet. Only its owner or an approved operator may call.
    /// @param agentId The agent.
    function unsetAgentWallet(uint256 agentId) external;

    /// @notice Whether `spender` is the agent's owner, an operator of the owner or the agent's approved address.
    /// @dev Reverts with `ERC721NonexistentToken` when the agent does not exist.
    /// @param spender The account to check.
    /// @param agentId The agent.
    /// @return True when `spender` may manage the agent.
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool);

    /// @notice Version of the ERC-8004 v1 reference implementation whose behaviour this registry follows.
    /// @return The version string.
    function getVersion() external pure returns (string memory);
}
