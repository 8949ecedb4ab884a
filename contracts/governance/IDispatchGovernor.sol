// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IDispatchGovernor
/// @notice What DispatchGovernor adds to OpenZeppelin's IGovernor: an execution window. A
/// queued proposal that is not executed within `executionWindow()` seconds after its
/// timelock delay ends becomes Expired (as Compound's grace period), so a stale decision
/// cannot be executed months later by surprise.
interface IDispatchGovernor {
    /// @notice The execution window given at deployment is zero.
    error DispatchGovernorZeroExecutionWindow();
    /// @notice The timelock given at deployment is the zero address.
    error DispatchGovernorZeroTimelock();

    /// @notice Seconds after a queued proposal's ETA during which it can be executed.
    /// @return The window.
    function executionWindow() external view returns (uint256);

    /// @notice When a queued proposal expires (its ETA plus the execution window); 0 if not queued.
    /// @param proposalId The proposal.
    /// @return The timestamp after which `execute` fails and `state` is Expired.
    function proposalDeadlineToExecute(uint256 proposalId) external view returns (uint256);
}
