"""Building chain clients from a network profile and its deployments manifest.

The one place that knows how configuration becomes connected objects; the
CLI, the demo and coordinators call these instead of wiring web3 themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dispatch_chain.config import NetworkProfile
from dispatch_chain.deployments import Manifest, load_manifest
from dispatch_chain.errors import ConfigError
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import load_evm_account


@dataclass
class Connections:
    """Lazily connected clients for one network profile."""

    profile: NetworkProfile
    evm_account_spec: str | None = None

    @cached_property
    def manifest(self) -> Manifest:
        return load_manifest(self.profile.manifest)

    @cached_property
    def evm(self) -> EvmClient:
        if self.profile.evm is None:
            raise ConfigError(f"network {self.profile.name!r} has no EVM chain configured")
        return EvmClient(self.profile.evm)

    @cached_property
    def evm_sender(self) -> TxSender:
        account = load_evm_account(self.evm_account_spec, chain_id=self.evm.network.chain_id)
        return TxSender(self.evm, account)

    def receipt_anchor(self, *, writable: bool = False) -> EvmReceiptAnchor:
        deployment = self.manifest.require_evm().contract("ReceiptAnchor")
        self._check_chain()
        return EvmReceiptAnchor(
            self.evm,
            deployment.address,
            deploy_block=deployment.block or 0,
            sender=self.evm_sender if writable else None,
        )

    def _check_chain(self) -> None:
        evm = self.manifest.require_evm()
        if evm.chain_id != self.evm.network.chain_id:
            raise ConfigError(
                f"manifest {self.profile.manifest} is for chain {evm.chain_id}, but the network is "
                f"{self.evm.network.chain_id}"
            )


def default_store_path(profile: NetworkProfile) -> Path:
    """Where the anchoring store lives unless told otherwise: ./run/<network>/anchoring.sqlite."""
    return Path("run") / profile.name / "anchoring.sqlite"
