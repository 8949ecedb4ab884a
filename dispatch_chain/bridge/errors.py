"""Typed exceptions for the bridge contracts' reverts (BoltBridge, WrappedBolt).

Each custom error of ``IBoltBridge`` has a class named after it without the
``BoltBridge`` prefix (``BoltBridgeUnknownAttester`` -> :class:`UnknownAttester`),
so a caller writes ``except AlreadyExecuted``. The OpenZeppelin errors a bridge
call can hit have their own classes (:class:`BridgePaused`,
:class:`InsufficientWrappedBalance`, :class:`Unauthorized`). Every class
derives from :class:`BridgeReverted`, a :class:`TransactionFailed` whose
``error`` is the Solidity name and ``values`` its decoded arguments.
"""

from __future__ import annotations

from dispatch_chain.evm.reverts import ContractReverted, decode_typed_revert

CONTRACTS = ("BoltBridge", "WrappedBolt")  # the ABIs whose errors a bridge call may revert with


class BridgeReverted(ContractReverted):
    """A bridge call reverted with a known error; ``error`` and ``values`` say which and why."""


class UnknownAttester(BridgeReverted): ...


class DuplicateAttestation(BridgeReverted): ...


class AlreadyExecuted(BridgeReverted): ...


class AlreadyQueued(BridgeReverted): ...


class NotQueued(BridgeReverted): ...


class QueueDelayNotElapsed(BridgeReverted): ...


class InvalidMessageLength(BridgeReverted): ...


class UnsupportedMessage(BridgeReverted): ...


class WrongDestinationChain(BridgeReverted): ...


class WrongSourceChain(BridgeReverted): ...


class WrongSourceBridge(BridgeReverted): ...


class ZeroAmount(BridgeReverted): ...


class AmountTooLarge(BridgeReverted): ...


class MalformedRecipient(BridgeReverted): ...


class ThresholdNotReached(BridgeReverted): ...


class InvalidThreshold(BridgeReverted): ...


class AttesterAlreadyActive(BridgeReverted): ...


class TooManyAttesters(BridgeReverted): ...


class ZeroAddress(BridgeReverted): ...


class TokenNotBound(BridgeReverted): ...


class InvalidPeer(BridgeReverted): ...


class BridgePaused(BridgeReverted):
    """The bridge is paused (OpenZeppelin ``EnforcedPause``)."""


class InsufficientWrappedBalance(BridgeReverted):
    """The sender holds less wrapped BOLT than it sends (``ERC20InsufficientBalance``)."""


class Unauthorized(BridgeReverted):
    """The caller lacks the role (``AccessControlUnauthorizedAccount``) or is not the token's bridge."""


_PREFIXED = {
    cls.__name__: cls
    for cls in BridgeReverted.__subclasses__()
    if cls not in (BridgePaused, InsufficientWrappedBalance, Unauthorized)
}
_OTHER: dict[str, type[BridgeReverted]] = {
    "EnforcedPause": BridgePaused,
    "ERC20InsufficientBalance": InsufficientWrappedBalance,
    "AccessControlUnauthorizedAccount": Unauthorized,
    "WrappedBoltUnauthorizedBridge": Unauthorized,
}

#: Attestation outcomes meaning "this attester's work on the message is over".
SETTLED_FOR_ATTESTER = (DuplicateAttestation, AlreadyExecuted, AlreadyQueued)


def error_class(name: str) -> type[BridgeReverted]:
    """The exception class for a Solidity error name (``BridgeReverted`` when it has none of its own)."""
    if name.startswith("BoltBridge") and name[len("BoltBridge") :] in _PREFIXED:
        return _PREFIXED[name[len("BoltBridge") :]]
    return _OTHER.get(name, BridgeReverted)


def decode_revert(data: bytes | str | None, *, tx: str | None = None) -> BridgeReverted | None:
    """The typed exception for revert data of a bridge call, or None when no bridge ABI knows it."""
    return decode_typed_revert(CONTRACTS, data, error_class, tx=tx)
