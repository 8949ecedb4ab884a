"""Shared x402 test wiring on anvil: LocalUsdc with a funded payer and its SDK client, the SDK facilitator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from x402 import x402ClientSync, x402FacilitatorSync
from x402.mechanisms.evm.exact.register import register_exact_evm_client

from dispatch_chain.config import ANVIL_CHAIN_ID, EvmNetwork
from dispatch_chain.evm.client import EvmClient
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


def anvil_client(rpc_url: str, *, max_log_range: int = 5000) -> EvmClient:
    """The facilitator's view of anvil (its ``max_log_range`` bounds the crash recovery's log reads)."""
    return EvmClient(EvmNetwork(rpc_url=rpc_url, chain_id=ANVIL_CHAIN_ID, max_log_range=max_log_range))


@contextmanager
def cli_server(args: list[str], env: dict[str, str | None], probe: str | urllib.request.Request, *,
               timeout: float = 30.0) -> Iterator[tuple[int, Any, Any]]:
    """``dispatch-chain ARGS`` as a subprocess serving HTTP; yields ``(status, body, headers)`` of the first
    answer to ``probe`` (an HTTP error status is an answer too: the server is up). ``env`` overrides the
    environment, a None value removes the variable."""
    merged = {**os.environ, **env}
    proc = subprocess.Popen([sys.executable, "-m", "dispatch_chain.cli", *args],
                            env={k: v for k, v in merged.items() if v is not None},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(probe, timeout=2) as answer:
                    first = (answer.status, answer.read(), answer.headers)
                break
            except urllib.error.HTTPError as refused:
                first = (refused.code, refused.read(), refused.headers)
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else proc.returncode
                assert time.monotonic() < deadline, f"dispatch-chain {' '.join(args)} did not start"
                time.sleep(0.2)
        yield first
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    """POST over a real socket: ``(status, body, headers)``, an HTTP error status included."""
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(), refused.headers


def serve_jobs_env(tmp_path: Any, rpc_url: str, usdc: str) -> dict[str, str | None]:
    """The environment of a ``serve-jobs`` subprocess on anvil: the local profile, a manifest recording ``usdc``."""
    manifest = tmp_path / "local.json"
    manifest.write_text(json.dumps({"network": "local", "evm": {"chain_id": 31337, "contracts": {"USDC": {"address": usdc}}}}))
    return {"DISPATCH_EVM_RPC_URL": rpc_url, "DISPATCH_NETWORK": "local", "DISPATCH_MANIFEST": str(manifest),
            "DISPATCH_SOLANA_KEYPAIR": None}
