// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ERC1271WalletMock
/// @notice Test-only smart-contract wallet: accepts ERC-1271 signatures made by one EOA key and
/// forwards arbitrary calls, so tests can act as a contract account. Never deploy it for real use:
/// anyone may make it call anything.
contract ERC1271WalletMock is IERC1271 {
    /// @notice The EOA whose ECDSA signatures this wallet accepts.
    address public immutable signer;

    /// @param signer_ The EOA whose signatures are valid for this wallet.
    constructor(address signer_) {
        signer = signer_;
    }

    /// @notice ERC-1271: valid when `signature` is `signer`'s ECDSA signature of `hash`.
    /// @param hash The signed digest.
    /// @param signature A 65-byte ECDSA signature.
    /// @return magicValue `0x1626ba7e` when valid, `0xffffffff` otherwise.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4 magicValue) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, signature);
        bool valid = err == ECDSA.RecoverError.NoError && recovered == signer;
        return valid ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @notice Calls `target` with `data` as this contract, bubbling up any revert.
    /// @param target The contract to call.
    /// @param data The calldata.
    /// @return The call's return data.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        return Address.functionCall(target, data);
    }
}
