"""Stake tiers on Monad from wrapped BOLT balances: many workers in few JSON-RPC calls.

The Monad coordinator reads each worker's wrapped BOLT balance and maps it to
a tier with the same thresholds as the Solana staking program (OPEN 0,
VERIFIED 100, SENTINEL 1,000 BOLT by default). Given a ``thresholds`` source
(governance's cached ProtocolParams, which ``Connections.wrapped_tier_reader``
passes when governance is deployed), it follows the governed thresholds. No Multicall contract is needed: the
``balanceOf`` calls go out as raw JSON-RPC batches of up to ``BATCH_LIMIT``
``eth_call`` each (as :mod:`dispatch_chain.erc8004.reader` does), all pinned to
one block so a set of tiers is read at a single point in time, and results are
cached with a TTL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from web3 import Web3

from dispatch_chain.errors import ChainError
from dispatch_chain.evm.abi import function_types
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.protocol import Tier, tier_for_stake

CONTRACT = "WrappedBolt"
BATCH_LIMIT = 100  # eth_call per JSON-RPC batch by default; public RPCs cap batch sizes


class ThresholdSource(Protocol):
    """Where governed thresholds come from (``governance.reader.CachedParams``: cached ProtocolParams)."""

    def tier_for_stake(self, active_stake: int) -> Tier: ...


@dataclass(frozen=True, slots=True)
class WrappedStake:
    """A worker's wrapped BOLT balance and the tier it earns."""

    address: str
    balance: int
    tier: Tier


class WrappedTierReader:
    """Batched, cached ``balanceOf`` reads of WrappedBolt, mapped to stake tiers."""

    def __init__(
        self,
        client: EvmClient,
        token: str,
        *,
        verified: int | None = None,
        sentinel: int | None = None,
        thresholds: ThresholdSource | None = None,
        ttl: float = 30.0,
        batch_limit: int = BATCH_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.batch_limit = batch_limit
        self.token = Web3.to_checksum_address(token)
        self.verified = verified
        self.sentinel = sentinel
        if thresholds is not None and (verified is not None or sentinel is not None):
            raise ValueError("pass either a thresholds source or fixed thresholds, not both")
        self.thresholds = thresholds
        self.ttl = ttl
        self.clock = clock
        self.rpc_requests = 0  # HTTP requests made, for benchmarks and tests
        self._cache: dict[str, tuple[float, WrappedStake]] = {}
        self._selector = function_types(CONTRACT, "balanceOf")[0]

    def stakes(self, workers: Iterable[str]) -> dict[str, WrappedStake]:
        """Each worker's balance and tier (keys as given, checksummed), from the cache when fresh."""
        now = self.clock()
        wanted = list(dict.fromkeys(Web3.to_checksum_address(w) for w in workers))
        stale = [w for w in wanted if w not in self._cache or now - self._cache[w][0] > self.ttl]
        if stale:
            block = hex(self.client.w3.eth.block_number)
            self.rpc_requests += 1
            for start in range(0, len(stale), self.batch_limit):
                chunk = stale[start : start + self.batch_limit]
                for worker, balance in zip(chunk, self._balances(chunk, block), strict=True):
                    tier = self._tier(balance)
                    self._cache[worker] = (now, WrappedStake(worker, balance, tier))
        return {w: self._cache[w][1] for w in wanted}

    def _tier(self, balance: int) -> Tier:
        if self.thresholds is not None:
            return self.thresholds.tier_for_stake(balance)
        return tier_for_stake(balance, verified=self.verified, sentinel=self.sentinel)

    def tiers(self, workers: Iterable[str]) -> dict[str, Tier]:
        return {w: s.tier for w, s in self.stakes(workers).items()}

    def invalidate(self) -> None:
        self._cache.clear()

    def _balances(self, workers: Sequence[str], block: str) -> list[int]:
        calls = [
            (
                "eth_call",
                [{"to": self.token, "data": "0x" + (self._selector + bytes(12) + bytes.fromhex(w[2:])).hex()}, block],
            )
            for w in workers
        ]
        try:
            responses = self.client.w3.provider.make_batch_request(calls)  # type: ignore[attr-defined]  # an HTTPProvider, typed BaseProvider
        except Exception as exc:  # connection errors, timeouts, bad JSON
            raise ChainError(f"balanceOf batch to {self.client.network.rpc_url} failed: {exc}") from exc
        self.rpc_requests += 1
        if not isinstance(responses, list):  # the node refused the whole batch
            raise ChainError(f"balanceOf batch refused: {responses.get('error')}")
        balances = []
        for worker, response in zip(workers, responses, strict=True):
            if "error" in response:
                raise ChainError(f"balanceOf({worker}) failed: {response['error']}")
            data = bytes.fromhex(response["result"].removeprefix("0x"))
            if len(data) != 32:
                raise ChainError(
                    f"balanceOf({worker}) returned {len(data)} bytes: is there a {CONTRACT} at {self.token}?"
                )
            balances.append(int.from_bytes(data, "big"))
        return balances
