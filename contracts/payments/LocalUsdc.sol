// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC3009} from "@openzeppelin/contracts/token/ERC20/extensions/draft-ERC3009.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ILocalUsdc} from "./ILocalUsdc.sol";

/// @title LocalUsdc
/// @notice USDC for local chains (anvil): 6 decimals, EIP-3009 authorizations and EIP-2612
/// permits from OpenZeppelin, minted by its owner to fund the demo's agents. The EIP-712
/// domain is (name "USD Coin", version "1", chain id, this address); x402 payment
/// requirements name it in `extra`.
contract LocalUsdc is ERC20, ERC20Permit, ERC3009, Ownable, ILocalUsdc {
    /// @param owner_ The account allowed to mint (the local deployer).
    constructor(address owner_) ERC20("USD Coin", "USDC") ERC20Permit("USD Coin") Ownable(owner_) {}

    /// @notice Six decimals, as USDC.
    /// @return 6.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @inheritdoc ILocalUsdc
    function mint(address to, uint256 amount) external onlyOwner {
        if (amount == 0) revert LocalUsdcZeroAmount();
        _mint(to, amount);
    }

    /// @notice The next EIP-2612 permit nonce of `owner`.
    /// @param owner The permit signer.
    /// @return Its next nonce.
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }
}
