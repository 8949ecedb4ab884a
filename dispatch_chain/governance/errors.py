"""Typed exceptions for the governance contracts' reverts (DispatchGovernor, DispatchTimelock, ProtocolParams).

Each ``ProtocolParams*`` error has a class named after it without the prefix
(``ProtocolParamsFeeAboveCap`` -> :class:`FeeAboveCap`); the OpenZeppelin
Governor and Timelock errors a governance call can hit have their own classes
(:class:`UnexpectedProposalState`, :class:`InsufficientProposerVotes`, ...).
Every class derives from :class:`GovernanceReverted`, a :class:`TransactionFailed`
whose ``error`` is the Solidity name and ``values`` its decoded arguments.
"""

from __future__ import annotations

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.evm.reverts import ContractReverted, decode_typed_revert

CONTRACTS = ("ProtocolParams", "DispatchGovernor", "DispatchTimelock")


class GovernanceReverted(ContractReverted):
    """A governance call reverted with a known error; ``error`` and ``values`` say which and why."""


class ProposalNotFound(DispatchChainError, LookupError):
    """No proposal with this id on the governor."""


# -- ProtocolParams ------------------------------------------------------------------------


class Unauthorized(GovernanceReverted):
    """Not the owner (the timelock) or lacking the role.

    From ``ProtocolParamsUnauthorized`` or ``AccessControlUnauthorizedAccount``.
    """


class FeeAboveCap(GovernanceReverted): ...


class InvalidThresholds(GovernanceReverted): ...


class ThresholdAboveSupply(GovernanceReverted): ...


class CooldownTooLong(GovernanceReverted): ...


class ZeroJobType(GovernanceReverted): ...


class ZeroPrice(GovernanceReverted): ...


class UnknownJobType(GovernanceReverted): ...


class TooManyJobTypes(GovernanceReverted): ...


class ZeroSpend(GovernanceReverted): ...


class ZeroRecipient(GovernanceReverted): ...


# -- Governor and timelock -----------------------------------------------------------------


class UnexpectedProposalState(GovernanceReverted):
    """The proposal is not in a state that allows this (GovernorUnexpectedProposalState)."""


class NonexistentProposal(GovernanceReverted): ...


class InsufficientProposerVotes(GovernanceReverted): ...


class AlreadyCastVote(GovernanceReverted): ...


class InvalidVoteType(GovernanceReverted): ...


class UnableToCancel(GovernanceReverted): ...


class OperationNotReady(GovernanceReverted):
    """The timelock delay is not over (TimelockUnexpectedOperationState)."""


_PARAMS_PREFIX = "ProtocolParams"
_BY_NAME: dict[str, type[GovernanceReverted]] = {
    "ProtocolParamsUnauthorized": Unauthorized,
    "AccessControlUnauthorizedAccount": Unauthorized,
    "GovernorUnexpectedProposalState": UnexpectedProposalState,
    "GovernorNonexistentProposal": NonexistentProposal,
    "GovernorInsufficientProposerVotes": InsufficientProposerVotes,
    "GovernorAlreadyCastVote": AlreadyCastVote,
    "GovernorInvalidVoteType": InvalidVoteType,
    "GovernorUnableToCancel": UnableToCancel,
    "TimelockUnexpectedOperationState": OperationNotReady,
}
_PARAMS = {
    cls.__name__: cls
    for cls in (
        FeeAboveCap,
        InvalidThresholds,
        ThresholdAboveSupply,
        CooldownTooLong,
        ZeroJobType,
        ZeroPrice,
        UnknownJobType,
        TooManyJobTypes,
        ZeroSpend,
        ZeroRecipient,
    )
}


def error_class(name: str) -> type[GovernanceReverted]:
    """The exception class for a Solidity error name (``GovernanceReverted`` when it has none of its own)."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith(_PARAMS_PREFIX):
        return _PARAMS.get(name[len(_PARAMS_PREFIX) :], GovernanceReverted)
    return GovernanceReverted


def decode_revert(data: bytes | str | None, *, tx: str | None = None) -> GovernanceReverted | None:
    """The typed exception for revert data of a governance call, or None when no governance ABI knows it."""
    return decode_typed_revert(CONTRACTS, data, error_class, tx=tx)
