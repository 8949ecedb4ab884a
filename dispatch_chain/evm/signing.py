"""EIP-1559 transactions signed on the pipelined sender's hot path.

eth-account's ``sign_transaction`` validates and reformats the transaction dict
on every call, and web3 encodes call data through its generic ABI mappers: on
this machine the two took about 8 ms per feedback transaction, more than the
rest of the sender together. Here the call data is encoded with eth-abi
directly and the typed transaction is RLP-encoded and signed (libsecp256k1
through eth-keys) in a few lines. The bytes are identical to eth-account's and
web3's for the calls the sender makes (tests/evm/test_signing.py), and any call
whose arguments eth-abi will not take as given goes through web3 as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import rlp
from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from eth_utils import function_abi_to_4byte_selector
from eth_utils.abi import get_abi_input_types
from web3.contract.contract import ContractFunction

from dispatch_chain.hashing import keccak256

EIP1559_TYPE = b"\x02"


def call_data(function: ContractFunction) -> bytes:
    """The call data of ``function`` (selector + ABI-encoded positional arguments)."""
    abi = function.abi
    if not getattr(function, "kwargs", None):
        try:
            return function_abi_to_4byte_selector(abi) + abi_encode(get_abi_input_types(abi), list(function.args))
        except Exception:  # arguments web3 would normalise first (hex strings, structs as dicts, ...)
            pass
    return bytes.fromhex(function._encode_transaction_data().removeprefix("0x"))


@dataclass(frozen=True, slots=True)
class SignedTx:
    tx_hash: str
    raw: bytes


class Eip1559Signer:
    """Signs EIP-1559 (type 2) transactions with no access list for one account on one chain."""

    def __init__(self, account: LocalAccount, chain_id: int) -> None:
        self._key = keys.PrivateKey(bytes(account.key))
        self.chain_id = chain_id

    def sign(self, *, nonce: int, to: str, data: bytes, gas: int, max_fee: int, tip: int, value: int = 0) -> SignedTx:
        fields = [self.chain_id, nonce, tip, max_fee, gas, bytes.fromhex(to.removeprefix("0x")), value, data, []]
        signature = self._key.sign_msg_hash(keccak256(EIP1559_TYPE + rlp.encode(fields)))
        raw = EIP1559_TYPE + rlp.encode([*fields, signature.v, signature.r, signature.s])
        return SignedTx("0x" + keccak256(raw).hex(), raw)
