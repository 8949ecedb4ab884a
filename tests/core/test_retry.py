"""What the long-running writers retry, and how long they wait."""

from __future__ import annotations

import requests
from web3.exceptions import Web3RPCError

from dispatch_chain.errors import ChainError, ConfigError
from dispatch_chain.evm.client import WrongChain
from dispatch_chain.locks import WriterBusy
from dispatch_chain.retry import Backoff, is_outage


def test_outages_are_retried_configuration_errors_are_not() -> None:
    for exc in (requests.ConnectionError("refused"), ConnectionResetError(), TimeoutError(), ChainError("down"),
                Web3RPCError("rate limited")):
        assert is_outage(exc), exc
    for exc in (ConfigError("no manifest"), WrongChain("chain 1, expected 10143"), WriterBusy("held"),
                FileNotFoundError("key.json"), PermissionError("locks"), ValueError("bug")):
        assert not is_outage(exc), exc


def test_backoff_doubles_up_to_its_ceiling_and_resets() -> None:
    backoff = Backoff(base=0.5, ceiling=4.0, jitter=False)
    assert [backoff.failed() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.succeeded()
    assert backoff.failed() == 0.5
    jittered = Backoff(base=1.0, ceiling=8.0)
    assert all(0.5 <= jittered.failed() / 2**n <= 1.0 for n in range(3))
