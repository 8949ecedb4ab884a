// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title IdentityRegistry
/// @notice ERC-8004 v1 Identity Registry for local chains: every agent is an ERC-721 token
/// (`AgentIdentity`/`AGENT`) with a URI, key/value metadata and a verified payment wallet.
/// @dev ABI-, event- and rule-compatible with the official v1 deployments, without their
/// proxy, owner or initializer: nobody holds any privilege here. Agent ids are assigned
/// sequentially from 0. Agents are transferable ERC-721 tokens, as in v1; a transfer clears
/// the agent wallet, which the new owner must verify again.
contract IdentityRegistry is ERC721URIStorage, EIP712, IIdentityRegistry {
    bytes32 private constant AGENT_WALLET_SET_TYPEHASH =
        keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");
    uint256 private constant MAX_DEADLINE_DELAY = 5 minutes;
    string private constant AGENT_WALLET_KEY = "agentWallet";
    bytes32 private constant AGENT_WALLET_KEY_HASH = keccak256(bytes(AGENT_WALLET_KEY));

    uint256 private _nextAgentId;
    mapping(uint256 agentId => mapping(string metadataKey => bytes metadataValue)) private _metadata;

    /// @notice Deploys an empty registry; takes no arguments and grants no role.
    constructor() ERC721("AgentIdentity", "AGENT") EIP712("ERC8004IdentityRegistry", "1") {}

    /// @inheritdoc IIdentityRegistry
    function register() external returns (uint256 agentId) {
        agentId = _mintAgent();
        _announce(agentId, "");
    }

    /// @inheritdoc IIdentityRegistry
    function register(string calldata agentURI) external returns (uint256 agentId) {
        agentId = _registerWithURI(agentURI);
    }

    /// @inheritdoc IIdentityRegistry
    function register(string calldata agentURI, MetadataEntry[] calldata metadata)
        external
        returns (uint256 agentId)
    {
        agentId = _registerWithURI(agentURI);
        for (uint256 i; i < metadata.length; ++i) {
            _writeMetadata(agentId, metadata[i].metadataKey, metadata[i].metadataValue);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function setAgentURI(uint256 agentId, string calldata newURI) external {
        _checkManager(agentId);
        _setTokenURI(agentId, newURI);
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    /// @inheritdoc IIdentityRegistry
    function getMetadata(uint256 agentId, string calldata metadataKey) external view returns (bytes memory) {
        return _metadata[agentId][metadataKey];
    }

    /// @inheritdoc IIdentityRegistry
    function setMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) external {
        _checkManager(agentId);
        _writeMetadata(agentId, metadataKey, metadataValue);
    }

    /// @inheritdoc IIdentityRegistry
    function getAgentWallet(uint256 agentId) external view returns (address) {
        return address(bytes20(_metadata[agentId][AGENT_WALLET_KEY]));
    }

    /// @inheritdoc IIdentityRegistry
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature)
        external
    {
        address owner = _checkManager(agentId);
        if (newWallet == address(0)) revert IdentityRegistryInvalidAgentWallet(newWallet);
        if (block.timestamp > deadline) revert IdentityRegistryExpiredDeadline(deadline);
        uint256 maxDeadline = block.timestamp + MAX_DEADLINE_DELAY;
        if (deadline > maxDeadline) revert IdentityRegistryDeadlineTooFar(deadline, maxDeadline);

        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline)));
        if (!_isWalletSignature(newWallet, digest, signature)) {
            revert IdentityRegistryInvalidWalletSignature(newWallet);
        }
        _writeAgentWallet(agentId, abi.encodePacked(newWallet));
    }

    /// @inheritdoc IIdentityRegistry
    function unsetAgentWallet(uint256 agentId) external {
        _checkManager(agentId);
        _writeAgentWallet(agentId, "");
    }

    /// @inheritdoc IIdentityRegistry
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool) {
        return _isAuthorized(_requireOwned(agentId), spender, agentId);
    }

    /// @inheritdoc IIdentityRegistry
    function getVersion() external pure returns (string memory) {
        return "2.0.0";
    }

    /// @dev Clears the agent wallet on every transfer (not on mint), before the ERC-721
    /// bookkeeping and the receiver hook, as v1 does.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (to != address(0) && _ownerOf(tokenId) != address(0)) {
            _writeAgentWallet(tokenId, "");
        }
        return super._update(to, tokenId, auth);
    }

    /// @dev Takes the next id and mints it to the caller (ERC-721 safe mint: a contract caller
    /// must implement `onERC721Received`). The wallet is stored before the mint, so it is in
    /// place when the receiver hook runs.
    function _mintAgent() private returns (uint256 agentId) {
        agentId = _nextAgentId++;
        _metadata[agentId][AGENT_WALLET_KEY] = abi.encodePacked(msg.sender);
        _safeMint(msg.sender, agentId);
    }

    function _registerWithURI(string calldata agentURI) private returns (uint256 agentId) {
        agentId = _mintAgent();
        _setTokenURI(agentId, agentURI);
        _announce(agentId, agentURI);
    }

    /// @dev The registration events, in v1's order: `Registered`, then the wallet's `MetadataSet`.
    function _announce(uint256 agentId, string memory agentURI) private {
        emit Registered(agentId, agentURI, msg.sender);
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, abi.encodePacked(msg.sender));
    }

    /// @dev Reverts unless the caller is the agent's owner or approved for it; returns the owner.
    function _checkManager(uint256 agentId) private view returns (address owner) {
        owner = _ownerOf(agentId);
        _checkAuthorized(owner, msg.sender, agentId);
    }

    function _writeMetadata(uint256 agentId, string calldata metadataKey, bytes calldata metadataValue) private {
        if (keccak256(bytes(metadataKey)) == AGENT_WALLET_KEY_HASH) {
            revert IdentityRegistryReservedMetadataKey(metadataKey);
        }
        _metadata[agentId][metadataKey] = metadataValue;
        emit MetadataSet(agentId, metadataKey, metadataKey, metadataValue);
    }

    function _writeAgentWallet(uint256 agentId, bytes memory packedWallet) private {
        _metadata[agentId][AGENT_WALLET_KEY] = packedWallet;
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, packedWallet);
    }

    /// @dev ECDSA first (EOAs, and EIP-7702 accounts that have code), then ERC-1271, as v1 does.
    function _isWalletSignature(address wallet, bytes32 digest, bytes calldata signature)
        private
        view
        returns (bool)
    {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        return (err == ECDSA.RecoverError.NoError && recovered == wallet)
            || SignatureChecker.isValidERC1271SignatureNowCalldata(wallet, digest, signature);
    }
}
