"""The deployments manifest: where each contract and program of a network lives.

Deploy scripts write it (``ape run deploy`` for EVM, the Solana init scripts
for Solana); ``dispatch_chain`` reads it. One JSON file per network, e.g.
``deployments/local.json``. Writers update it under a file lock and replace it
atomically, so two deploy scripts never lose each other's entries and a crash
never leaves half a file.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dispatch_chain.errors import ConfigError, DeploymentNotFound
from dispatch_chain.jsoninput import JsonInputError, parse_json


class ContractDeployment(BaseModel):
    """One deployed EVM contract."""

    model_config = ConfigDict(extra="forbid")

    address: str
    tx: str | None = None
    block: int | None = Field(None, description="deployment block: event scans start here")
    deployer: str | None = None
    official: bool = Field(False, description="a public deployment this project did not deploy")


class EvmDeployment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chain_id: int
    contracts: dict[str, ContractDeployment] = Field(default_factory=dict)
    roles: dict[str, list[str]] = Field(default_factory=dict, description="role name -> holders")

    def contract(self, name: str) -> ContractDeployment:
        try:
            return self.contracts[name]
        except KeyError:
            raise DeploymentNotFound(
                f"no {name} in the EVM deployments (chain {self.chain_id}); run the deploy script first"
            ) from None


class SolanaDeployment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: str | None = Field(None, description="CAIP-2 id, solana:<genesis hash prefix>")
    programs: dict[str, str] = Field(default_factory=dict, description="program name -> program id")
    accounts: dict[str, str] = Field(default_factory=dict, description="named accounts: mint, configs, vaults")

    def program(self, name: str) -> str:
        try:
            return self.programs[name]
        except KeyError:
            raise DeploymentNotFound(
                f"no program {name} in the Solana deployments; run the init script first"
            ) from None

    def account(self, name: str) -> str:
        try:
            return self.accounts[name]
        except KeyError:
            raise DeploymentNotFound(
                f"no account {name} in the Solana deployments; run the init script first"
            ) from None


class Manifest(BaseModel):
    """The whole manifest of one network."""

    model_config = ConfigDict(extra="forbid")

    network: str
    updated_at: str = ""
    evm: EvmDeployment | None = None
    solana: SolanaDeployment | None = None

    def require_evm(self) -> EvmDeployment:
        if self.evm is None:
            raise DeploymentNotFound(f"the {self.network} manifest has no EVM deployments; run `ape run deploy`")
        return self.evm

    def require_solana(self) -> SolanaDeployment:
        if self.solana is None:
            raise DeploymentNotFound(f"the {self.network} manifest has no Solana deployments; run the Solana init")
        return self.solana


def load_manifest(path: str | Path) -> Manifest:
    """Read a manifest; a missing or malformed file is a :class:`ConfigError`."""
    path = Path(path)
    try:
        data = parse_json(path.read_bytes(), f"deployments manifest {path}")
    except FileNotFoundError:
        raise DeploymentNotFound(f"deployments manifest not found: {path} (deploy first)") from None
    except OSError as exc:
        raise ConfigError(f"cannot read deployments manifest {path}: {exc.strerror or exc}") from None
    except JsonInputError as exc:
        raise ConfigError(str(exc)) from None
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"deployments manifest {path} is malformed: {exc}") from None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_manifest(path: str | Path, network: str, change: Callable[[Manifest], None]) -> Manifest:
    """Read-modify-write the manifest under a lock; creates it when absent."""
    path = Path(path)
    with _locked(path):
        manifest = load_manifest(path) if path.exists() else Manifest(network=network)
        if manifest.network != network:
            raise ConfigError(f"{path} belongs to network {manifest.network!r}, not {network!r}")
        change(manifest)
        manifest.updated_at = datetime.now(UTC).isoformat(timespec="seconds")
        _write_atomic(path, manifest.model_dump_json(indent=2, exclude_none=True) + "\n")
        return manifest


def deployed_by(contract: Any, deployer: Any) -> ContractDeployment:
    """The manifest entry of a contract an ape deploy script just deployed (its creation receipt)."""
    receipt = contract.creation_metadata.receipt
    return ContractDeployment(
        address=contract.address,
        tx=receipt.txn_hash,
        block=receipt.block_number,
        deployer=deployer.address,
        official=False,
    )


def record_evm(
    path: str | Path,
    network: str,
    chain_id: int,
    contracts: dict[str, ContractDeployment],
    roles: dict[str, list[str]],
) -> Manifest:
    """Add EVM contracts and roles to the manifest (the EVM section restarts when the chain id changes)."""

    def change(m: Manifest) -> None:
        evm = m.evm if m.evm is not None and m.evm.chain_id == chain_id else EvmDeployment(chain_id=chain_id)
        evm.contracts.update(contracts)
        evm.roles.update(roles)
        m.evm = evm

    return update_manifest(path, network, change)
