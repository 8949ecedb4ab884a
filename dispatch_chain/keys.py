"""Loading signing keys from the environment or encrypted keystores, never from the repo.

EVM accounts are named by a *spec*:

* ``env:NAME`` — a hex private key in the environment variable ``NAME``;
* ``keystore:PATH`` — an encrypted JSON keystore (geth/ape format), whose
  password is read from ``DISPATCH_KEYSTORE_PASSWORD``;
* ``dev:N`` — the N-th account of the public anvil/hardhat test mnemonic.
  Only for local chains (chain id 31337); refused anywhere else.

``DISPATCH_EVM_ACCOUNT`` holds the default spec. Solana keypairs and worker
keys are ``solana-keygen`` JSON files (``DISPATCH_SOLANA_KEYPAIR`` for the
payer), kept outside the repo with mode 0600.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from eth_account import Account
from eth_account.signers.local import LocalAccount

from dispatch_chain.config import ANVIL_CHAIN_ID
from dispatch_chain.errors import ConfigError
from dispatch_chain.jsoninput import JsonInputError, parse_json
from dispatch_chain.settings import Settings

if TYPE_CHECKING:
    import nacl.signing
    from solders.keypair import Keypair

#: The public mnemonic anvil and hardhat fund at genesis. Its keys are test
#: fixtures known to everyone, which is why ``dev:N`` works only on chain 31337.
DEV_MNEMONIC = "test test test test test test test test test test test junk"

Account.enable_unaudited_hdwallet_features()


def dev_account(index: int) -> LocalAccount:
    """The ``index``-th funded account of a local anvil node."""
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def load_evm_account(
    spec: str | None = None, *, chain_id: int | None = None, env: Mapping[str, str] | None = None
) -> LocalAccount:
    """Resolve an account spec (see the module docs) to a local signer."""
    settings = Settings.from_env(env)
    env = os.environ if env is None else env  # for env:VAR, a variable the operator names
    spec = spec or settings.evm_account
    if not spec:
        if chain_id == ANVIL_CHAIN_ID:
            spec = "dev:0"
        else:
            raise ConfigError(
                "no EVM account: set DISPATCH_EVM_ACCOUNT to env:VAR or keystore:PATH (dev:N on local chains only)"
            )
    kind, _, value = spec.partition(":")
    if kind == "dev":
        if chain_id is not None and chain_id != ANVIL_CHAIN_ID:
            raise ConfigError(f"dev accounts are public test keys and are refused on chain {chain_id}")
        try:
            return dev_account(int(value))
        except ValueError:
            raise ConfigError(f"bad account spec {spec!r}: dev:N needs an integer N") from None
    if kind == "env":
        key = env.get(value)
        if not key:
            raise ConfigError(f"account spec {spec!r}: environment variable {value} is not set")
        try:
            return Account.from_key(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"account spec {spec!r}: not a valid private key ({exc})") from None
    if kind == "keystore":
        path = Path(value).expanduser()
        password = settings.keystore_password
        if password is None:
            raise ConfigError(f"keystore {path}: set DISPATCH_KEYSTORE_PASSWORD to unlock it")
        try:
            encrypted = parse_json(path.read_bytes(), f"keystore {path}")
            return Account.from_key(Account.decrypt(encrypted, password))
        except FileNotFoundError:
            raise ConfigError(f"keystore not found: {path}") from None
        except OSError as exc:
            raise ConfigError(f"cannot read keystore {path}: {exc.strerror or exc}") from None
        except JsonInputError as exc:
            raise ConfigError(str(exc)) from None
        except (ValueError, KeyError) as exc:
            raise ConfigError(f"keystore {path} could not be decrypted: {exc}") from None
    raise ConfigError(f"bad account spec {spec!r}: expected env:VAR, keystore:PATH or dev:N")


def read_keypair_file(path: str | Path) -> bytes:
    """The 64 bytes (secret seed, then public key) of a solana-keygen JSON key file, checked."""
    import nacl.signing

    path = Path(path).expanduser()
    try:
        numbers = parse_json(path.read_bytes(), str(path))
    except FileNotFoundError:
        raise ConfigError(f"key file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror or exc}") from None
    except JsonInputError:
        raise ConfigError(f"{path} is not a solana-keygen JSON key file") from None
    if not (
        isinstance(numbers, list) and len(numbers) == 64 and all(isinstance(n, int) and 0 <= n < 256 for n in numbers)
    ):
        raise ConfigError(f"{path}: a key file holds a JSON array of 64 bytes (solana-keygen format)")
    raw = bytes(numbers)
    if bytes(nacl.signing.SigningKey(raw[:32]).verify_key) != raw[32:]:
        raise ConfigError(f"{path}: the public half does not match the secret seed")
    return raw


def load_worker_key(path: str | Path) -> nacl.signing.SigningKey:
    """A worker's ed25519 key from a solana-keygen JSON file.

    A worker's ed25519 key is also a Solana address, so one file serves both chains.
    """
    import nacl.signing

    return nacl.signing.SigningKey(read_keypair_file(path)[:32])


def load_solana_keypair(path: str | Path) -> Keypair:
    """A Solana keypair (solders) from a solana-keygen JSON file."""
    from solders.keypair import Keypair

    return Keypair.from_bytes(read_keypair_file(path))


def save_worker_key(path: str | Path, key: nacl.signing.SigningKey) -> None:
    """Write a worker key in solana-keygen format, readable by its owner only; never overwrites."""
    save_keypair_bytes(path, bytes(key) + bytes(key.verify_key))


def save_keypair_bytes(path: str | Path, secret_and_public: bytes) -> None:
    """Write 64 key bytes in solana-keygen format (mode 0600); refuses to overwrite."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(list(secret_and_public))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{path} exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(data)
