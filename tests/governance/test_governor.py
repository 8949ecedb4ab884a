"""DispatchGovernor + DispatchTimelock over wrapped BOLT on anvil: every proposal state, quorum, who may act."""

from __future__ import annotations

import ape
import pytest

from support_bridge import isolated
from support_governance import (
    ABSTAIN,
    ACTIVE,
    AGAINST,
    CANCELED,
    DEFEATED,
    EXECUTED,
    EXECUTION_WINDOW,
    EXPIRED,
    FOR,
    PENDING,
    PROPOSAL_THRESHOLD,
    PROPOSER_ROLE,
    QUEUED,
    QUORUM_PERCENT,
    SUCCEEDED,
    TIMELOCK_DELAY,
    VOTING_DELAY,
    VOTING_PERIOD,
    Proposal,
    advance,
)

BOLT = 10**9


@pytest.fixture
def fee_proposal(governor, params):
    """A fresh proposal (unique description per test) lowering the fee and raising the thresholds."""
    counter = {"n": 0}

    def make(description: str = "fee 400, thresholds 150/1500") -> Proposal:
        counter["n"] += 1
        return Proposal(
            governor,
            [params.address, params.address],
            [params.setFeeBps.encode_input(400), params.setTierThresholds.encode_input(150 * BOLT, 1_500 * BOLT)],
            f"{description} #{counter['n']}",
        )

    return make


def _to_active(proposal: Proposal, proposer, chain) -> None:
    proposal.propose(proposer)
    assert proposal.state() == PENDING
    advance(chain, VOTING_DELAY + 1)
    assert proposal.state() == ACTIVE


def _to_succeeded(proposal: Proposal, holders, chain) -> None:
    _to_active(proposal, holders["alice"], chain)
    proposal.governor.castVote(proposal.id, FOR, sender=holders["alice"])
    advance(chain, VOTING_PERIOD + 1)
    assert proposal.state() == SUCCEEDED


def test_settings_and_timestamp_clock(governor, timelock, token) -> None:
    assert governor.name() == "DispatchGovernor"
    assert governor.token() == token.address
    assert governor.timelock() == timelock.address
    assert governor.CLOCK_MODE() == "mode=timestamp"
    assert (governor.votingDelay(), governor.votingPeriod()) == (VOTING_DELAY, VOTING_PERIOD)
    assert governor.proposalThreshold() == PROPOSAL_THRESHOLD
    assert governor.quorumNumerator() == QUORUM_PERCENT
    assert governor.executionWindow() == EXECUTION_WINDOW
    assert timelock.getMinDelay() == TIMELOCK_DELAY


def test_passed_proposal_is_queued_then_executed_after_the_delay(
    governor, params, timelock, holders, chain, fee_proposal
) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        _to_succeeded(proposal, holders, chain)
        proposal.queue(holders["bob"])  # anyone may queue and execute a passed proposal
        assert proposal.state() == QUEUED
        eta = governor.proposalEta(proposal.id)
        assert eta == chain.blocks.head.timestamp + TIMELOCK_DELAY
        assert governor.proposalDeadlineToExecute(proposal.id) == eta + EXECUTION_WINDOW
        with ape.reverts():  # the timelock refuses an operation that is not ready
            proposal.execute(holders["bob"])
        assert params.params().feeBps == 500
        chain.mine(1, timestamp=eta)
        receipt = proposal.execute(holders["bob"])
        assert proposal.state() == EXECUTED
        current = params.params()
        assert (current.version, current.feeBps) == (2, 400)
        assert (current.verifiedThreshold, current.sentinelThreshold) == (150 * BOLT, 1_500 * BOLT)
        changes = list(receipt.decode_logs(params.ParamsChanged))
        assert [(log.version, log.feeBps) for log in changes] == [(1, 400), (2, 400)]
        with ape.reverts(governor.GovernorUnexpectedProposalState):
            proposal.execute(holders["bob"])


def test_against_majority_defeats(governor, holders, chain, fee_proposal) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        _to_active(proposal, holders["bob"], chain)
        governor.castVote(proposal.id, FOR, sender=holders["bob"])
        governor.castVote(proposal.id, AGAINST, sender=holders["alice"])
        advance(chain, VOTING_PERIOD + 1)
        assert proposal.state() == DEFEATED
        assert governor.proposalVotes(proposal.id) == (600 * BOLT, 300 * BOLT, 0)
        with ape.reverts(governor.GovernorUnexpectedProposalState):
            proposal.queue(holders["bob"])


def test_proposal_without_quorum_fails(governor, token, holders, chain, fee_proposal) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        _to_active(proposal, holders["dave"], chain)
        snapshot = governor.proposalSnapshot(proposal.id)
        assert governor.quorum(snapshot) == token.getPastTotalSupply(snapshot) * QUORUM_PERCENT // 100 == 40 * BOLT
        governor.castVote(proposal.id, FOR, sender=holders["dave"])  # 10 wBOLT, unanimous but below 40
        advance(chain, VOTING_PERIOD + 1)
        assert proposal.state() == DEFEATED
        with ape.reverts(governor.GovernorUnexpectedProposalState):
            proposal.queue(holders["dave"])


def test_abstain_counts_towards_quorum(governor, holders, chain, fee_proposal) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        _to_active(proposal, holders["dave"], chain)
        governor.castVote(proposal.id, FOR, sender=holders["dave"])
        governor.castVote(proposal.id, ABSTAIN, sender=holders["carol"])  # 90 abstain: quorum reached
        advance(chain, VOTING_PERIOD + 1)
        assert proposal.state() == SUCCEEDED


def test_proposer_cancels_while_pending_only(governor, holders, chain, fee_proposal) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        proposal.propose(holders["bob"])
        with ape.reverts(governor.GovernorUnableToCancel):
            proposal.cancel(holders["alice"])  # not the proposer
        proposal.cancel(holders["bob"])
        assert proposal.state() == CANCELED
        advance(chain, VOTING_DELAY + 1)
        assert proposal.state() == CANCELED
        with ape.reverts(governor.GovernorUnexpectedProposalState):
            governor.castVote(proposal.id, FOR, sender=holders["alice"])
    with isolated(chain):
        proposal = fee_proposal()
        _to_active(proposal, holders["bob"], chain)
        with ape.reverts(governor.GovernorUnableToCancel):
            proposal.cancel(holders["bob"])  # once voting started, not even the proposer


def test_queued_proposal_expires_after_its_window(governor, params, holders, chain, fee_proposal) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        _to_succeeded(proposal, holders, chain)
        proposal.queue(holders["alice"])
        deadline = governor.proposalDeadlineToExecute(proposal.id)
        chain.mine(1, timestamp=deadline)
        assert proposal.state() == QUEUED  # the last executable second
        chain.mine(1, timestamp=deadline + 1)
        assert proposal.state() == EXPIRED
        with ape.reverts(governor.GovernorUnexpectedProposalState):
            proposal.execute(holders["alice"])
        assert params.version() == 0


def test_an_expired_operation_cannot_be_executed_on_the_timelock_directly(
    governor, timelock, params, holders, outsider, chain, fee_proposal
) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        _to_succeeded(proposal, holders, chain)
        proposal.queue(holders["alice"])
        chain.mine(1, timestamp=governor.proposalDeadlineToExecute(proposal.id) + 1)
        # GovernorTimelockControl's salt: bytes20(governor) ^ descriptionHash
        salt = bytes(a ^ b for a, b in zip(bytes.fromhex(governor.address[2:]) + bytes(12),
                                           proposal.description_hash, strict=True))
        assert timelock.isOperationPending(timelock.hashOperationBatch(
            proposal.targets, proposal.values, proposal.calldatas, bytes(32), salt))
        for caller in (outsider, holders["alice"]):
            with ape.reverts(timelock.AccessControlUnauthorizedAccount):
                timelock.executeBatch(proposal.targets, proposal.values, proposal.calldatas, bytes(32), salt,
                                      sender=caller)


def test_votes_before_active_and_twice_fail(governor, holders, chain, fee_proposal) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        proposal.propose(holders["alice"])
        with ape.reverts(governor.GovernorUnexpectedProposalState):
            governor.castVote(proposal.id, FOR, sender=holders["alice"])
        advance(chain, VOTING_DELAY + 1)
        governor.castVote(proposal.id, FOR, sender=holders["alice"])
        with ape.reverts(governor.GovernorAlreadyCastVote):
            governor.castVote(proposal.id, FOR, sender=holders["alice"])


def test_tokens_received_after_the_snapshot_do_not_vote(governor, token, holders, chain, fee_proposal) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        _to_active(proposal, holders["dave"], chain)
        token.transfer(holders["dave"], 300 * BOLT, sender=holders["bob"])
        governor.castVote(proposal.id, FOR, sender=holders["dave"])
        assert governor.proposalVotes(proposal.id)[1] == 10 * BOLT


def test_proposer_needs_the_threshold(governor, outsider, chain, fee_proposal) -> None:
    with isolated(chain):
        proposal = fee_proposal()
        with ape.reverts(governor.GovernorInsufficientProposerVotes):
            proposal.propose(outsider)


def test_only_the_governor_schedules_on_the_timelock(timelock, params, deployer, holders, outsider) -> None:
    assert not timelock.hasRole(PROPOSER_ROLE, deployer)
    assert not timelock.hasRole(bytes(32), deployer)  # the deployer renounced its bootstrap admin role
    call = params.setFeeBps.encode_input(0)
    for caller in (deployer, holders["alice"], outsider):
        with ape.reverts(timelock.AccessControlUnauthorizedAccount):
            timelock.schedule(params.address, 0, call, bytes(32), bytes(32), TIMELOCK_DELAY, sender=caller)
