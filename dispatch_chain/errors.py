"""Exception classes a caller of ``dispatch_chain`` can catch.

Every error the package raises on purpose derives from :class:`DispatchChainError`;
each concern adds its own subclasses next to its code (receipts, merkle,
anchoring, chain adapters) and re-exports them here where they are shared.
"""

from __future__ import annotations


class DispatchChainError(Exception):
    """Base class of every error raised on purpose by dispatch_chain."""


class ConfigError(DispatchChainError):
    """A setting is missing or malformed (file, environment or argument)."""


class DeploymentNotFound(ConfigError):
    """The deployments manifest has no entry for the contract or program asked for."""


class ChainError(DispatchChainError):
    """A chain could not be reached, or answered something unexpected."""


class TransactionFailed(ChainError):
    """A transaction was mined or executed and failed (reverted / program error).

    ``reason`` is the decoded revert or program error name when known.
    """

    def __init__(self, message: str, *, reason: str | None = None, tx: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.tx = tx
