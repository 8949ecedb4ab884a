"""A web3.py connection to one EVM chain, with the chain id checked up front."""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

from web3 import HTTPProvider, Web3
from web3.contract import Contract
from web3.exceptions import Web3RPCError
from web3.types import FilterParams

from dispatch_chain.config import EvmNetwork
from dispatch_chain.errors import ChainError, ConfigError
from dispatch_chain.evm.abi import load_abi


class WrongChain(ConfigError):
    """The RPC URL serves another chain than the profile names (a configuration error, never retried)."""


class EvmClient:
    """A connected chain: ``w3`` plus contract handles built from committed ABIs."""

    def __init__(self, network: EvmNetwork, *, timeout: float = 30.0, check_chain: bool = True) -> None:
        self.network = network
        self.w3 = Web3(HTTPProvider(network.rpc_url, request_kwargs={"timeout": timeout}))
        if check_chain:
            try:
                chain_id = self.w3.eth.chain_id
            except Exception as exc:  # requests' connection errors, timeouts, bad JSON
                raise ChainError(f"cannot reach the EVM node at {network.rpc_url}: {exc}") from exc
            if chain_id != network.chain_id:
                raise WrongChain(f"the node at {network.rpc_url} serves chain {chain_id}, expected {network.chain_id}")

    @property
    def caip2(self) -> str:
        return self.network.caip2

    def contract(self, name: str, address: str) -> Contract:
        """A web3 contract for ``name`` (its committed ABI) at ``address``."""
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=list(load_abi(name)))

    @cached_property
    def earliest_block(self) -> int:
        """The first block the node serves (0 on a full node)."""
        return int(self.w3.eth.get_block("earliest")["number"])

    def block_timestamp(self, block_number: int) -> int:
        return int(self.w3.eth.get_block(block_number)["timestamp"])

    def code_at(self, address: str) -> bytes:
        return bytes(self.w3.eth.get_code(Web3.to_checksum_address(address)))

    def first_block_at_or_after(self, timestamp: int, low: int, high: int) -> int:
        """The first block in ``low..high`` whose timestamp is at least ``timestamp`` (``high + 1`` if none).

        A binary search over block headers (about log2(high - low) requests), so an event whose block
        time is known is found without scanning the chain's history. Blocks the node does not serve
        (before its earliest block) are skipped.
        """
        low = max(low, self.earliest_block)
        while low <= high:
            middle = (low + high) // 2
            if self.block_timestamp(middle) >= timestamp:
                high = middle - 1
            else:
                low = middle + 1
        return low

    def get_logs(self, params: dict[str, Any], from_block: int, to_block: int | None = None) -> list[Any]:
        """``eth_getLogs`` over ``from_block..to_block`` (inclusive; default: the head), in requests of at
        most ``network.max_log_range`` blocks each (Monad's public RPC refuses more than 100).

        Callers bound ``from_block`` by what they know (the block a transaction was signed at): nothing
        in this package scans a registry's history from its deployment.
        """
        last = self.w3.eth.block_number if to_block is None else to_block
        logs: list[Any] = []
        for start, end in self.log_ranges(from_block, last):
            try:
                logs.extend(self.w3.eth.get_logs(cast(FilterParams, {**params, "fromBlock": start, "toBlock": end})))
            except Web3RPCError as exc:
                if "range" in str(exc).lower():  # e.g. -32602 "block range too large": the profile is wrong
                    raise ConfigError(
                        f"{self.network.rpc_url} refused eth_getLogs over {end - start + 1} blocks"
                        f" ({exc}); set the profile's max_log_range to what it serves"
                    ) from exc
                raise
        return logs

    def log_ranges(self, from_block: int, to_block: int) -> list[tuple[int, int]]:
        """``(from, to)`` inclusive ranges covering the blocks, none wider than ``max_log_range``."""
        step = self.network.max_log_range
        return [(start, min(start + step - 1, to_block)) for start in range(max(0, from_block), to_block + 1, step)]
