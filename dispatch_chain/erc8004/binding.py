"""Binding a worker's ed25519 key to an ERC-8004 agent.

The official IdentityRegistry assigns agent ids sequentially, so the
whitepaper's ``agentId = keccak256(pubkey) & (2**128-1)`` cannot be chosen on
chain. Instead the agent's metadata carries the worker's key and the worker's
ed25519 signature over ``(chain id, registry address, owner address)``:

    metadata["dispatch.ed25519"]          = the 32-byte public key
    metadata["dispatch.ed25519.binding"]  = ed25519 signature (64 bytes) over
        b"dispatch/erc8004-binding/v1" || chain id (32 bytes, big-endian)
        || registry address (20 bytes) || owner address (20 bytes)

A copy of someone else's key and signature on another agent names the wrong
owner (or registry, or chain) and is rejected by every reader. The
whitepaper's value survives as :func:`worker_key`, the off-chain worker key.
"""

from __future__ import annotations

from dataclasses import dataclass

import nacl.bindings
import nacl.signing
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_canonical_address

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.hashing import keccak256

BINDING_DOMAIN = b"dispatch/erc8004-binding/v1"
METADATA_PUBKEY = "dispatch.ed25519"
METADATA_BINDING = "dispatch.ed25519.binding"
_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class BindingError(DispatchChainError):
    """A binding is missing, malformed, or its signature does not verify."""


def worker_key(pubkey: bytes) -> int:
    """The whitepaper's off-chain worker key: ``keccak256(pubkey) & (2**128 - 1)``."""
    if len(pubkey) != 32:
        raise BindingError(f"an ed25519 public key has 32 bytes, got {len(pubkey)}")
    return int.from_bytes(keccak256(pubkey), "big") & ((1 << 128) - 1)


def binding_message(chain_id: int, registry: str, owner: str) -> bytes:
    """The bytes a worker signs to bind its key to an agent owned by ``owner``."""
    return BINDING_DOMAIN + chain_id.to_bytes(32, "big") + to_canonical_address(registry) + to_canonical_address(owner)


def sign_binding(worker: nacl.signing.SigningKey, chain_id: int, registry: str, owner: str) -> bytes:
    return worker.sign(binding_message(chain_id, registry, owner)).signature


def verify_binding(pubkey: bytes, signature: bytes, chain_id: int, registry: str, owner: str) -> bool:
    if len(pubkey) != 32 or len(signature) != 64:
        return False
    try:
        nacl.bindings.crypto_sign_open(signature + binding_message(chain_id, registry, owner), pubkey)
    except Exception:  # BadSignatureError, or a key libsodium rejects
        return False
    return True


def derived_owner(worker: nacl.signing.SigningKey) -> LocalAccount:
    """An EVM account derived from the worker's ed25519 seed, so a worker keeps one secret.

    ``keccak256(b"dispatch/evm-owner/v1" || seed)`` as a secp256k1 key (domain
    separated: it reveals nothing about the ed25519 key).
    """
    secret = int.from_bytes(keccak256(b"dispatch/evm-owner/v1" + bytes(worker)), "big")
    if not 0 < secret < _SECP256K1_ORDER:  # probability ~2**-128
        raise BindingError("this worker key derives no valid EVM key; give an owner account explicitly")
    return Account.from_key(secret.to_bytes(32, "big"))


@dataclass(frozen=True, slots=True)
class Binding:
    """A verified binding read from the registry."""

    agent_id: int
    pubkey: bytes
    owner: str
