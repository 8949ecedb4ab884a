"""Reputation summaries for many workers: JSON-RPC batched, cached with a TTL.

A summary is ``getSummary(agentId, clients, "dispatch-compute", "COMPUTE")``
over the configured coordinators (the registry requires a non-empty client
list: reputation is always "according to whom"). Its value is the average
feedback; with 2 decimals, 8000 reads as 80.00 out of 100.

Reads degrade, they do not fail: when one agent's ``getSummary`` reverts or
runs out of gas (an agent with an enormous feedback history, or values the
registry cannot average), that agent's :class:`Summary` carries the ``error``
and no score, and every other agent of the batch is returned as usual. Failed
reads are not cached, so the next call tries them again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from web3 import Web3

from dispatch_chain.errors import ChainError, ConfigError
from dispatch_chain.evm.abi import function_types
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.protocol import FEEDBACK_TAG1, FEEDBACK_TAG2

log = logging.getLogger(__name__)

CONTRACT = "ReputationRegistry"
BATCH_LIMIT = 100  # calls per JSON-RPC batch; public RPCs cap batch sizes


@dataclass(frozen=True, slots=True)
class Summary:
    agent_id: int
    count: int
    value: int
    decimals: int
    error: str | None = None  # the read failed (revert, out of gas): reputation unknown

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def score(self) -> float | None:
        """The average feedback out of 100, or None when the agent has no feedback or its read failed."""
        return None if self.count == 0 or self.error is not None else self.value / 10**self.decimals


class ReputationReader:
    """Batched, cached ``getSummary`` reads for sets of agents."""

    def __init__(
        self,
        client: EvmClient,
        registry: str,
        clients: Sequence[str],
        *,
        tag1: str = FEEDBACK_TAG1,
        tag2: str = FEEDBACK_TAG2,
        ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not clients:
            raise ConfigError("reputation summaries need at least one coordinator (client) address")
        self.client = client
        self.registry = Web3.to_checksum_address(registry)
        self.clients = [Web3.to_checksum_address(c) for c in clients]
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[int, tuple[float, Summary]] = {}
        self.rpc_requests = 0  # HTTP requests made, for benchmarks
        # getSummary(agentId, clients, tag1, tag2): the agent id is the first static word and
        # everything after it is the same for every agent, so the calldata is encoded once.
        # (web3's per-call formatting cost ~2 ms a summary, ten times the node's work.)
        selector, inputs, self._outputs = function_types(CONTRACT, "getSummary")
        encoded = abi_encode(list(inputs), [0, self.clients, tag1, tag2])
        self._call_head, self._call_tail = selector, encoded[32:]

    def invalidate(self, agent_ids: Iterable[int] | None = None) -> None:
        if agent_ids is None:
            self._cache.clear()
        else:
            for agent_id in agent_ids:
                self._cache.pop(agent_id, None)

    def summaries(self, agent_ids: Iterable[int]) -> dict[int, Summary]:
        """Summaries of every agent, from the cache when fresh, else in JSON-RPC batches."""
        now = self.clock()
        wanted = list(dict.fromkeys(agent_ids))
        stale = [a for a in wanted if a not in self._cache or now - self._cache[a][0] > self.ttl]
        failed: dict[int, Summary] = {}
        for start in range(0, len(stale), BATCH_LIMIT):
            chunk = stale[start : start + BATCH_LIMIT]
            for agent_id, outcome in zip(chunk, self._call_batch(chunk), strict=True):
                if isinstance(outcome, str):
                    failed[agent_id] = Summary(agent_id, 0, 0, 0, outcome)  # not cached: retried next time
                    continue
                count, value, decimals = outcome
                self._cache[agent_id] = (now, Summary(agent_id, int(count), int(value), int(decimals)))
        return {a: failed[a] if a in failed else self._cache[a][1] for a in wanted}

    def _call_batch(self, agent_ids: Sequence[int]) -> list[tuple[int, int, int] | str]:
        """One JSON-RPC batch of ``eth_call getSummary``, decoded with the ABI's output types.

        An agent whose call failed (revert, out of gas) gets the error text instead of a result.
        """
        to = self.registry
        calls = [
            (
                "eth_call",
                [
                    {"to": to, "data": "0x" + (self._call_head + agent_id.to_bytes(32, "big") + self._call_tail).hex()},
                    "latest",
                ],
            )
            for agent_id in agent_ids
        ]
        try:
            responses = self.client.w3.provider.make_batch_request(calls)  # type: ignore[attr-defined]  # an HTTPProvider, typed BaseProvider
        except Exception as exc:  # connection errors, timeouts, bad JSON
            raise ChainError(f"getSummary batch to {self.client.network.rpc_url} failed: {exc}") from exc
        self.rpc_requests += 1
        if not isinstance(responses, list):  # the node refused the whole batch
            raise ChainError(f"getSummary batch refused: {responses.get('error')}")
        results: list[tuple[int, int, int] | str] = []
        for agent_id, response in zip(agent_ids, responses, strict=True):  # web3 orders them by request id
            if "error" in response:
                error = response["error"]
                message = error.get("message", error) if isinstance(error, dict) else error
                log.warning("getSummary(%d) failed: %s", agent_id, message)
                results.append(f"getSummary({agent_id}) failed: {message}")
                continue
            data = bytes.fromhex(response["result"].removeprefix("0x"))
            if not data:  # every agent's call returns nothing when there is no contract
                raise ChainError(f"getSummary({agent_id}) returned nothing: is there a {CONTRACT} at {to}?")
            results.append(tuple(abi_decode(list(self._outputs), data)))
        return results

    def summary(self, agent_id: int) -> Summary:
        return self.summaries([agent_id])[agent_id]
