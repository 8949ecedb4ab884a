// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title DispatchTimelock
/// @notice OpenZeppelin's TimelockController, unchanged, under the project's name so that ape
/// compiles it and the deploy script and tests can deploy it. It is the only admin of the
/// Dispatch contracts once governance is wired (docs/governance.md): the governor proposes,
/// cancels and executes; nobody else holds a role, and the timelock administers itself.
contract DispatchTimelock is TimelockController {
    /// @param minDelay Seconds between queueing and execution (default 2 days; seconds locally).
    /// @param proposers Accounts granted PROPOSER_ROLE and CANCELLER_ROLE (the governor).
    /// @param executors Accounts granted EXECUTOR_ROLE (the governor alone, see DispatchGovernor).
    /// @param admin Optional bootstrap admin (the deployer while wiring; renounced at the end), or zero.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
