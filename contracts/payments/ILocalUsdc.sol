// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC3009} from "@openzeppelin/contracts/interfaces/draft-IERC3009.sol";

/// @title ILocalUsdc
/// @notice A USDC-like token for local chains only: 6 decimals, EIP-3009
/// `transferWithAuthorization` (what x402's `exact` scheme settles with) and EIP-2612 permits.
/// On Monad testnet the real USDC is used instead; this contract is never deployed there.
interface ILocalUsdc is IERC20Permit, IERC3009 {
    /// @notice A mint of zero tokens was asked for.
    error LocalUsdcZeroAmount();

    /// @notice Mint `amount` (6 decimals) to `to`; only the owner (the local deployer) may.
    /// @param to The account credited.
    /// @param amount The amount in base units (1 USDC = 1e6).
    function mint(address to, uint256 amount) external;
}
