"""Shared x402 test wiring on anvil: LocalUsdc with a funded payer and its SDK client, the SDK facilitator."""

from __future__ import annotations

from typing import Any

from x402 import x402ClientSync, x402FacilitatorSync
from x402.mechanisms.evm.exact.register import register_exact_evm_client

from dispatch_chain.payments.facilitator import EvmSettler, sdk_facilitator


def usdc_and_payer(project, owner, payer, network: str, allowed_assets: Any = True) -> tuple[Any, x402ClientSync]:
    """A fresh LocalUsdc, 1 USDC minted to ``payer``, and the payer's SDK client for ``network``."""
    usdc = owner.deploy(project.LocalUsdc, owner.address)
    usdc.mint(payer.address, 10**6, sender=owner)
    client = x402ClientSync()
    register_exact_evm_client(client, payer, networks=network)
    client.set_spend_controls({"allowed_assets": allowed_assets(usdc) if callable(allowed_assets) else allowed_assets})
    return usdc, client


def evm_facilitator(coordinator, rpc_url: str, network: str) -> x402FacilitatorSync:
    """The SDK facilitator with the exact EVM scheme, settling with ``coordinator``'s key."""
    return sdk_facilitator(EvmSettler(coordinator, rpc_url, int(network.removeprefix("eip155:"))))
