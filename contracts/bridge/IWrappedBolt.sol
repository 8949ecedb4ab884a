// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC7802} from "@openzeppelin/contracts/interfaces/draft-IERC7802.sol";

/// @title IWrappedBolt
/// @notice Wrapped BOLT on Monad: an ERC-20 (9 decimals, like BOLT on Solana) with EIP-2612
/// permits and ERC20Votes on a timestamp clock. Its supply moves only through the bridge
/// fixed at deployment, via the ERC-7802 `crosschainMint` / `crosschainBurn` functions.
interface IWrappedBolt is IERC7802 {
    /// @notice The bridge given at deployment is the zero address.
    error WrappedBoltZeroBridge();
    /// @notice Only the bridge mints and burns; `caller` is not it.
    error WrappedBoltUnauthorizedBridge(address caller);

    /// @notice The only account that may mint and burn wrapped BOLT (fixed at deployment).
    /// @return The bridge contract's address.
    function bridge() external view returns (address);
}
