"""Every ``DISPATCH_*`` environment variable, in one model.

Field ``name`` is the variable ``DISPATCH_<NAME>``; its description is what
``dispatch-chain env``, ``dispatch-chain --help`` and the README say about it.
Every reader goes through :class:`Settings` (``Settings.from_env(env)``), or,
for click options, through :func:`env_var`, which refuses names the model
does not declare. Adding a variable is one line here: a field made with
:func:`setting`, or with :func:`profile_setting` when it overrides a field of
the network profile (``load_network`` applies those generically).

Values are kept as the environment gives them (text); the code that uses one
validates it, so the behaviour is the same as reading the variable directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dispatch_chain.errors import ConfigError

PREFIX = "DISPATCH_"


def setting(description: str, *, secret: bool = False, scope: str = "package") -> Any:
    """A variable read by the package (``scope`` says otherwise: ``./dev`` or ``tests``)."""
    return Field(None, description=description, repr=not secret, json_schema_extra={"secret": secret, "scope": scope})


def profile_setting(path: str, description: str, *, split: bool = False) -> Any:
    """A variable overriding the network profile field ``path`` (``evm.rpc_url``); ``split``: comma list."""
    return Field(
        None,
        description=f"{description} (overrides the profile's {path})",
        json_schema_extra={"profile": path, "split": split, "secret": False, "scope": "package"},
    )


class Settings(BaseModel):
    """The ``DISPATCH_*`` environment, read once; ``None`` where a variable is unset."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # -- which network, and where its files are --------------------------------------------------------------
    network: str | None = setting("network profile: local (default), testnet, or one from the config file")
    config: str | None = setting("TOML file adding or changing [networks.<name>] profiles")
    manifest: str | None = profile_setting("manifest", "deployments manifest of the network")
    evm_rpc_url: str | None = profile_setting("evm.rpc_url", "EVM JSON-RPC URL")
    evm_chain_id: str | None = profile_setting("evm.chain_id", "EVM chain id")
    solana_rpc_url: str | None = profile_setting("solana.rpc_url", "Solana JSON-RPC URL")
    coordinator_url: str | None = profile_setting("coordinator_url", "coordinator endpoint recorded with feedback")
    reputation_clients: str | None = profile_setting(
        "reputation_clients", "comma-separated coordinator addresses whose feedback counts", split=True
    )
    store: str | None = setting("anchoring store (SQLite); default run/<network>/anchoring.sqlite")
    outbox: str | None = setting("reputation outbox (SQLite); default run/<network>/reputation-outbox.sqlite")
    # -- keys (never files in the repository) ----------------------------------------------------------------
    evm_account: str | None = setting("EVM account spec: env:VAR, keystore:PATH, or dev:N (chain 31337 only)")
    anchor_account: str | None = setting("the anchoring service's own EVM account spec (default DISPATCH_EVM_ACCOUNT)")
    feedback_account: str | None = setting("the feedback sender's own EVM account spec (default DISPATCH_EVM_ACCOUNT)")
    facilitator_account: str | None = setting(
        "the x402 facilitator's own EVM account spec, which settles payments (default DISPATCH_EVM_ACCOUNT)"
    )
    lock_dir: str | None = setting("directory of the EVM account lock files (default <tmp>/dispatch-chain-locks)")
    keystore_password: str | None = setting("password of a keystore:PATH account", secret=True)
    solana_keypair: str | None = setting("Solana keypair file (solana-keygen JSON, mode 0600)")
    key_dir: str | None = setting("where deploy keys the tools create go (default ~/.config/dispatch)")
    # -- tools ------------------------------------------------------------------------------------------------
    solana_node_bin: str | None = setting("dispatch-solana-node binary for local chains (default: on PATH)")
    sbf_dir: str | None = setting(
        "directory of the programs' SBF builds (<program>.so) the local node deploys; ./dev sets it"
    )
    cache: str | None = setting(
        "cache of the heavy installs and of the compiled batch verify loop (default ~/.cache/dispatch-chain)"
    )
    native_verify: str | None = setting(
        "0: verify receipt signatures one libsodium call at a time, without the batch loop compiled on first use"
    )
    python: str | None = setting(
        "Python 3.11 interpreter to build the venv with (default: found on PATH)", scope="./dev"
    )
    skip_rust: str | None = setting("1: skip the Rust build and tests (Python-only work)", scope="./dev")
    lint_skip_rust: str | None = setting(
        "1: the lint stage skips rustfmt and clippy (Rust still built, tested)", scope="./dev"
    )
    sbf_v0_dir: str | None = setting(
        "the programs built for SBPF v0, for the Python tests on solders' LiteSVM; ./dev sets it", scope="tests"
    )
    test_seed: str | None = setting("seed of the randomised tests (fixed when CI=true)", scope="tests")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings of ``env`` (default: the process environment)."""
        env = os.environ if env is None else env
        return cls.model_validate({name: env[variable(name)] for name in cls.model_fields if variable(name) in env})

    def profile_overrides(self) -> dict[str, Any]:
        """The network-profile fields these settings override, as a nested dict for ``load_network``."""
        overrides: dict[str, Any] = {}
        for name, info in type(self).model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            value = getattr(self, name)
            if value is None or "profile" not in extra:
                continue
            *parents, leaf = str(extra["profile"]).split(".")
            target = overrides
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = [part.strip() for part in value.split(",") if part.strip()] if extra["split"] else value
        return overrides


def variable(name: str) -> str:
    """The environment variable of field ``name``: ``evm_rpc_url`` -> ``DISPATCH_EVM_RPC_URL``."""
    return PREFIX + name.upper()


def env_var(name: str) -> str:
    """The variable of a declared setting, for click's ``envvar=``; an undeclared name is a bug."""
    if name not in Settings.model_fields:
        raise ConfigError(f"{variable(name)} is not declared in dispatch_chain.settings.Settings")
    return variable(name)


def documented() -> list[tuple[str, str, str, bool]]:
    """``(variable, description, scope, secret)`` of every setting, in declaration order."""
    rows = []
    for name, info in Settings.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        rows.append(
            (variable(name), info.description or "", str(extra.get("scope", "package")), bool(extra.get("secret")))
        )
    return rows
