// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Bridgeable} from "@openzeppelin/contracts/token/ERC20/extensions/draft-ERC20Bridgeable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IWrappedBolt} from "./IWrappedBolt.sol";

/// @title WrappedBolt
/// @notice BOLT bridged from Solana (whitepaper §5.5): governance weight and stake
/// verification on Monad. 9 decimals, name and symbol fixed, EIP-2612 permits, ERC20Votes
/// with a timestamp clock (ERC-6372). Minted and burned only by the bridge fixed at
/// deployment (the BoltBridge contract), which mints exactly what was locked on Solana.
/// @dev OpenZeppelin building blocks only: ERC20, ERC20Permit, ERC20Votes and ERC20Bridgeable
/// (ERC-7802). The bridge address is immutable, so no key can ever mint; a new bridge means a
/// new token.
contract WrappedBolt is ERC20, ERC20Permit, ERC20Votes, ERC20Bridgeable, IWrappedBolt {
    address private immutable _bridge;

    /// @param bridge_ The BoltBridge that alone mints and burns (deploy it at a predicted address).
    constructor(address bridge_) ERC20("Wrapped BOLT", "wBOLT") ERC20Permit("Wrapped BOLT") {
        if (bridge_ == address(0)) revert WrappedBoltZeroBridge();
        _bridge = bridge_;
    }

    /// @inheritdoc IWrappedBolt
    function bridge() external view returns (address) {
        return _bridge;
    }

    /// @notice BOLT has 9 decimals on Solana; the wrapped token keeps them (no trimming).
    /// @return 9.
    function decimals() public pure override returns (uint8) {
        return 9;
    }

    /// @notice ERC-6372 clock: votes are checkpointed by block timestamp.
    /// @return The current block timestamp.
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock mode.
    /// @return "mode=timestamp".
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @notice The next EIP-2612 permit nonce of `owner`.
    /// @param owner The token holder.
    /// @return Its current nonce.
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _checkTokenBridge(address caller) internal view override {
        if (caller != _bridge) revert WrappedBoltUnauthorizedBridge(caller);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
