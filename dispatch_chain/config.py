"""Network profiles: which chains to talk to, by configuration only.

The same code runs against the local chains (anvil and the local Solana node)
and the public testnets (Monad testnet, Solana devnet); only the profile
differs. A profile comes from, in increasing precedence:

1. the built-in profiles ``local`` and ``testnet``;
2. a TOML file (``--config`` or ``DISPATCH_CONFIG``) with ``[networks.<name>]``
   tables using the field names of :class:`NetworkProfile`;
3. environment variables (:mod:`dispatch_chain.settings` declares them all):
   ``DISPATCH_NETWORK`` (the profile name), ``DISPATCH_CONFIG``, and the
   profile overrides ``DISPATCH_EVM_RPC_URL``, ``DISPATCH_EVM_CHAIN_ID``,
   ``DISPATCH_SOLANA_RPC_URL``, ``DISPATCH_MANIFEST``, ``DISPATCH_COORDINATOR_URL``,
   ``DISPATCH_REPUTATION_CLIENTS`` (comma-separated coordinator addresses).

``EvmNetwork.max_log_range`` is the most blocks one ``eth_getLogs`` request may
span (Monad's public RPC: 100, the ``testnet`` profile's value); nothing in the
package scans a contract's history, it only bounds the few log reads there are.

Secrets (keys) never live here: see :mod:`dispatch_chain.keys`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dispatch_chain.errors import ConfigError
from dispatch_chain.settings import Settings

MONAD_TESTNET_CHAIN_ID = 10143
SOLANA_DEVNET_GENESIS = "EtWTRABZaYq6iMfeYKouRu166VU2xqa1"
ANVIL_CHAIN_ID = 31337


class EvmNetwork(BaseModel):
    """An EVM chain (Monad, or anvil locally)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rpc_url: str
    chain_id: int
    confirmations: int = Field(1, ge=0, description="blocks to wait after inclusion")
    poll_interval: float = Field(0.2, gt=0, description="seconds between receipt polls")
    max_log_range: int = Field(
        5000, gt=0, description="most blocks one eth_getLogs request may span (Monad's public RPC: 100)"
    )

    @property
    def caip2(self) -> str:
        return f"eip155:{self.chain_id}"


class SolanaNetwork(BaseModel):
    """A Solana cluster (devnet, or the local node)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rpc_url: str
    commitment: str = "confirmed"


class NetworkProfile(BaseModel):
    """Everything needed to reach one deployment of the Dispatch chain layer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    evm: EvmNetwork | None = None
    solana: SolanaNetwork | None = None
    manifest: Path
    coordinator_url: str = "http://127.0.0.1:3000"
    reputation_clients: tuple[str, ...] = Field(
        (), description="coordinator addresses whose feedback counts in reputation summaries"
    )

    @property
    def is_local(self) -> bool:
        return self.evm is None or self.evm.chain_id == ANVIL_CHAIN_ID


BUILTIN_PROFILES: dict[str, dict[str, Any]] = {
    "local": {
        "evm": {"rpc_url": "http://127.0.0.1:8545", "chain_id": ANVIL_CHAIN_ID, "confirmations": 0},
        "solana": {"rpc_url": "http://127.0.0.1:8899"},
        "manifest": "deployments/local.json",
    },
    "testnet": {
        "evm": {
            "rpc_url": "https://testnet-rpc.monad.xyz",
            "chain_id": MONAD_TESTNET_CHAIN_ID,
            "confirmations": 1,
            "max_log_range": 100,
        },
        "solana": {"rpc_url": "https://api.devnet.solana.com"},
        "manifest": "deployments/testnet.json",
    },
}


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except RecursionError:
        raise ConfigError(f"config file {path}: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer beyond Python's conversion limit
        raise ConfigError(f"config file {path}: {str(exc).split(':')[0]}") from None
    networks = data.get("networks", {})
    if not isinstance(networks, dict):
        raise ConfigError(f"{path}: [networks] must be a table of profiles")
    return networks


def load_network(
    name: str | None = None,
    *,
    config_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> NetworkProfile:
    """Resolve a network profile from built-ins, a config file and the environment."""
    settings = Settings.from_env(env)
    name = name or settings.network or "local"
    config_file = config_file or settings.config
    profiles: dict[str, dict[str, Any]] = {k: dict(v) for k, v in BUILTIN_PROFILES.items()}
    if config_file:
        for profile_name, table in _read_config_file(Path(config_file)).items():
            profiles[profile_name] = _merge(profiles.get(profile_name, {}), table)
    if name not in profiles:
        raise ConfigError(f"unknown network {name!r}; known: {', '.join(sorted(profiles))}")
    data = _merge(profiles[name], {"name": name})
    data = _merge(data, settings.profile_overrides())
    if overrides:
        data = _merge(data, {k: v for k, v in overrides.items() if v is not None})
    try:
        return NetworkProfile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"network profile {name!r} is invalid: {exc}") from None
