"""Riding out RPC outages: which errors are worth retrying, and a bounded exponential backoff.

The long-running writers (``anchor run``, ``reputation send``) must survive a
node that restarts, a load balancer that drops connections or an RPC that
times out: they log, wait, and try again. Only configuration errors end them.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field

import requests
from web3.exceptions import ProviderConnectionError, TimeExhausted, Web3RPCError

from dispatch_chain.errors import ChainError, ConfigError

log = logging.getLogger(__name__)


def is_outage(exc: BaseException) -> bool:
    """An error of the transport or the node, not of our configuration: worth retrying later."""
    if isinstance(exc, ConfigError):
        return False
    # (not every OSError: a missing key file or an unwritable lock folder is the operator's to fix)
    if isinstance(
        exc,
        (
            ChainError,
            requests.RequestException,
            ConnectionError,
            TimeoutError,
            TimeExhausted,
            ProviderConnectionError,
            Web3RPCError,
            json.JSONDecodeError,
        ),
    ):
        return True
    try:  # solana-py's transport
        import httpx
        from solana.exceptions import SolanaRpcException
    except ImportError:  # pragma: no cover - both come with solana-py
        return False
    return isinstance(exc, (httpx.HTTPError, SolanaRpcException))


@dataclass(slots=True)
class Backoff:
    """Exponential delays from ``base`` doubling up to ``ceiling`` seconds, with jitter; reset on success."""

    base: float = 0.5
    ceiling: float = 60.0
    jitter: bool = True
    failures: int = field(default=0)

    def failed(self) -> float:
        """Count a failure; the seconds to wait before the next attempt."""
        self.failures += 1
        delay = min(self.ceiling, self.base * 2 ** (self.failures - 1))
        return delay * (0.5 + random.random() / 2) if self.jitter else delay

    def succeeded(self) -> None:
        self.failures = 0
