"""A web3.py connection to one EVM chain, with the chain id checked up front."""

from __future__ import annotations

from typing import Any

from web3 import HTTPProvider, Web3
from web3.contract import Contract

from dispatch_chain.config import EvmNetwork
from dispatch_chain.errors import ChainError
from dispatch_chain.evm.abi import load_abi


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
                raise ChainError(
                    f"the node at {network.rpc_url} serves chain {chain_id}, expected {network.chain_id}"
                )

    @property
    def caip2(self) -> str:
        return self.network.caip2

    def contract(self, name: str, address: str) -> Contract:
        """A web3 contract for ``name`` (its committed ABI) at ``address``."""
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=list(load_abi(name)))

    def block_timestamp(self, block_number: int) -> int:
        return int(self.w3.eth.get_block(block_number)["timestamp"])

    def code_at(self, address: str) -> bytes:
        return bytes(self.w3.eth.get_code(Web3.to_checksum_address(address)))

    def get_logs(self, params: dict[str, Any], from_block: int, to_block: int | None = None) -> list[Any]:
        """``eth_getLogs`` in chunks of ``network.log_chunk`` blocks (public RPCs cap the range)."""
        last = self.w3.eth.block_number if to_block is None else to_block
        logs: list[Any] = []
        start = from_block
        while start <= last:
            end = min(start + self.network.log_chunk - 1, last)
            logs.extend(self.w3.eth.get_logs({**params, "fromBlock": start, "toBlock": end}))
            start = end + 1
        return logs
