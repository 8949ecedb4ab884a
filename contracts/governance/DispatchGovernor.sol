// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorStorage} from "@openzeppelin/contracts/governance/extensions/GovernorStorage.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from
    "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

import {IDispatchGovernor} from "./IDispatchGovernor.sol";

/// @title DispatchGovernor
/// @notice BOLT holders' governor on Monad (docs/governance.md): votes are wrapped BOLT
/// delegated under ERC20Votes on its timestamp clock, so delays and periods are seconds;
/// quorum is a fraction of the wrapped supply at the vote's snapshot; For/Against/Abstain
/// counting; a passed proposal is queued in a TimelockController, which is the only admin
/// of the Dispatch contracts, and executed after the timelock delay and within the
/// execution window (after which it is Expired).
/// GovernorStorage keeps each proposal's calls on chain, so clients queue, execute and show a
/// proposal by its id alone, without scanning event history (Monad's RPC caps eth_getLogs).
/// @dev OpenZeppelin building blocks only; the execution window is the one addition.
/// The timelock's executor role must be this governor alone, otherwise an expired proposal
/// could still be executed on the timelock directly.
contract DispatchGovernor is
    IDispatchGovernor,
    Governor,
    GovernorSettings,
    GovernorStorage,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    uint256 private immutable _executionWindow;

    /// @param token The wrapped BOLT (ERC20Votes, timestamp clock).
    /// @param timelock The TimelockController that executes passed proposals.
    /// @param votingDelay_ Seconds between proposing and the vote's snapshot/start (default 1 day).
    /// @param votingPeriod_ Seconds the vote lasts (default 7 days).
    /// @param proposalThreshold_ Votes (wBOLT base units) an account needs to propose (default 1 000 wBOLT).
    /// @param quorumNumerator_ Quorum in percent of the wrapped supply at the snapshot (default 4).
    /// @param executionWindow_ Seconds after the timelock delay a queued proposal stays executable (default 14 days).
    constructor(
        IVotes token,
        TimelockController timelock,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumNumerator_,
        uint256 executionWindow_
    )
        Governor("DispatchGovernor")
        GovernorSettings(votingDelay_, votingPeriod_, proposalThreshold_)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumNumerator_)
        GovernorTimelockControl(timelock)
    {
        if (address(timelock) == address(0)) revert DispatchGovernorZeroTimelock();
        if (executionWindow_ == 0) revert DispatchGovernorZeroExecutionWindow();
        _executionWindow = executionWindow_;
    }

    /// @inheritdoc IDispatchGovernor
    function executionWindow() external view returns (uint256) {
        return _executionWindow;
    }

    /// @inheritdoc IDispatchGovernor
    function proposalDeadlineToExecute(uint256 proposalId) public view returns (uint256) {
        uint256 eta = proposalEta(proposalId);
        return eta == 0 ? 0 : eta + _executionWindow;
    }

    /// @notice The proposal's state; a Queued proposal past its execution window is Expired.
    /// @param proposalId The proposal.
    /// @return Its state.
    function state(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (ProposalState)
    {
        ProposalState current = super.state(proposalId);
        if (current == ProposalState.Queued && block.timestamp > proposalDeadlineToExecute(proposalId)) {
            return ProposalState.Expired;
        }
        return current;
    }

    /// @notice Every proposal goes through the timelock.
    /// @param proposalId The proposal.
    /// @return True.
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @notice Votes an account needs to propose.
    /// @return The threshold in wBOLT base units.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorStorage) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
