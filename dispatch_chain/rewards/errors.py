"""Errors of the rewards package."""

from __future__ import annotations

from dispatch_chain.errors import DispatchChainError


class RewardsError(DispatchChainError):
    """An epoch cannot be computed, a tree built, or a claim file read as asked."""
