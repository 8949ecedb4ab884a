"""Preparing, broadcasting and confirming EVM transactions, crash-safely.

The split into :meth:`TxSender.prepare` (sign, no network side effects),
:meth:`TxSender.broadcast` (idempotent) and :meth:`TxSender.wait` lets callers
write the signed transaction to durable storage *before* it can reach the
chain; after a crash they re-broadcast the same bytes (same hash, same nonce)
instead of signing something new.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from eth_account.typed_transactions import TypedTransaction
from eth_typing import ChecksumAddress, HexStr
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import TxParams, TxReceipt

from dispatch_chain.errors import ChainError, TransactionFailed
from dispatch_chain.evm.abi import decode_custom_error
from dispatch_chain.evm.client import EvmClient

_ALREADY_SENT = ("already known", "known transaction", "nonce too low", "already imported", "replacement transaction")


@dataclass(frozen=True, slots=True)
class PreparedTx:
    """A signed transaction not yet (or not known to be) on chain."""

    tx_hash: str
    raw: bytes
    nonce: int
    sender: str


def signed_fields(raw: bytes) -> dict[str, Any]:
    """The fields of a signed EIP-1559 transaction (nonce, gas, maxFeePerGas, maxPriorityFeePerGas, data, ...)."""
    return dict(TypedTransaction.from_bytes(HexBytes(raw)).as_dict())


def describe_revert(exc: ContractLogicError, contract: str) -> tuple[str, str]:
    """``(short reason, message)`` for a revert, decoding ``contract``'s custom errors."""
    data = exc.data if isinstance(exc.data, str) else None
    decoded = decode_custom_error(contract, data)
    if decoded is not None:
        name, args = decoded
        shown = ", ".join(f"{k}={v.hex() if isinstance(v, bytes) else v}" for k, v in args.items())
        return name, f"{contract} reverted with {name}({shown})"
    message = str(exc.message or exc)
    return message, f"{contract} reverted: {message}"


class TxSender:
    """Sends contract calls from one local account on one chain."""

    def __init__(self, client: EvmClient, account: LocalAccount, *, gas_margin: float = 1.25) -> None:
        self.client = client
        self.account = account
        self.gas_margin = gas_margin

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def fees(self, bump: float = 1.0) -> dict[str, int]:
        """EIP-1559 fee fields: twice the base fee plus the suggested tip, times ``bump``."""
        w3 = self.client.w3
        base = int(w3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        try:
            tip = int(w3.eth.max_priority_fee)
        except Exception:  # nodes without eth_maxPriorityFeePerGas
            tip = 1_000_000_000
        return {"maxPriorityFeePerGas": int(tip * bump), "maxFeePerGas": int((2 * base + tip) * bump)}

    def replacement_fees(self, raw: bytes, bump: float = 1.25) -> dict[str, int]:
        """Fees for a replacement of the signed ``raw``: both fields raised by ``bump`` (nodes ask >= +10 %),
        and never below what the chain asks now."""
        old = signed_fields(raw)
        current = self.fees()
        return {
            "maxFeePerGas": max(int(old["maxFeePerGas"] * bump) + 1, current["maxFeePerGas"]),
            "maxPriorityFeePerGas": max(int(old["maxPriorityFeePerGas"] * bump) + 1, current["maxPriorityFeePerGas"]),
        }

    def prepare(
        self,
        call: ContractFunction,
        *,
        contract: str,
        nonce: int | None = None,
        gas: int | None = None,
        fees: dict[str, int] | None = None,
    ) -> PreparedTx:
        """Estimate, price and sign ``call``; a call that would revert raises :class:`TransactionFailed`."""
        w3 = self.client.w3
        sender = self.account.address
        if gas is None:
            try:
                gas = int(call.estimate_gas({"from": sender}) * self.gas_margin)
            except ContractLogicError as exc:
                reason, message = describe_revert(exc, contract)
                raise TransactionFailed(message, reason=reason) from exc
        if nonce is None:
            nonce = w3.eth.get_transaction_count(sender, "pending")
        # a TypedDict cannot be built with ** of the fee fields, hence the cast
        params = cast(
            TxParams,
            {
                "from": sender,
                "nonce": nonce,
                "gas": gas,
                "chainId": self.client.network.chain_id,
                **(fees or self.fees()),
            },
        )
        tx = call.build_transaction(params)
        # eth_account types its input as a plain dict; web3's TxParams is that dict, typed
        signed = self.account.sign_transaction(cast(dict[str, Any], tx))
        return PreparedTx("0x" + bytes(signed.hash).hex(), bytes(signed.raw_transaction), nonce, sender)

    def broadcast(self, prepared: PreparedTx) -> None:
        """Send the signed bytes; sending the same transaction twice is not an error."""
        try:
            self.client.w3.eth.send_raw_transaction(prepared.raw)
        except (Web3RPCError, ValueError) as exc:
            if any(marker in str(exc).lower() for marker in _ALREADY_SENT):
                return
            raise ChainError(f"broadcast of {prepared.tx_hash} failed: {exc}") from exc

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        """The receipt of a mined transaction, or ``None`` while it is not mined."""
        try:
            return self.client.w3.eth.get_transaction_receipt(HexStr(tx_hash))
        except TransactionNotFound:
            return None

    def is_known(self, tx_hash: str) -> bool:
        """Whether the node knows the transaction (pending or mined)."""
        try:
            self.client.w3.eth.get_transaction(HexStr(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def wait(self, tx_hash: str, *, timeout: float = 120.0) -> TxReceipt:
        """Wait for inclusion plus the network's confirmations; raises on timeout."""
        deadline = time.monotonic() + timeout
        interval = self.client.network.poll_interval
        while True:
            receipt = self.receipt(tx_hash)
            if receipt is not None:
                needed = self.client.network.confirmations
                if needed == 0 or self.client.w3.eth.block_number >= receipt["blockNumber"] + needed - 1:
                    return receipt
            if time.monotonic() > deadline:
                raise ChainError(f"transaction {tx_hash} not confirmed within {timeout:.0f} s")
            time.sleep(interval)

    def revert_reason(self, call: ContractFunction, receipt: TxReceipt, *, contract: str) -> tuple[str, str]:
        """Replay a reverted call at its block to learn why it reverted."""
        try:
            call.call({"from": self.account.address}, block_identifier=receipt["blockNumber"] - 1)
        except ContractLogicError as exc:
            return describe_revert(exc, contract)
        except Exception as exc:  # pruned state, RPC limits
            return "unknown", f"{contract} call reverted (reason unavailable: {exc})"
        return "unknown", f"{contract} call reverted (replay succeeded; state changed in between)"


def send_value(sender: TxSender, to: str, wei: int, *, timeout: float = 120.0) -> str:
    """Send ``wei`` to ``to`` from the sender's account and wait for it (funding accounts)."""
    w3 = sender.client.w3
    nonce = w3.eth.get_transaction_count(sender.address, "pending")
    tx: dict[str, Any] = {
        "to": w3.to_checksum_address(to),
        "value": wei,
        "gas": 21_000,
        "nonce": nonce,
        "chainId": sender.client.network.chain_id,
        **sender.fees(),
    }
    signed = sender.account.sign_transaction(tx)
    tx_hash = "0x" + bytes(signed.hash).hex()
    sender.broadcast(PreparedTx(tx_hash, bytes(signed.raw_transaction), nonce, sender.address))
    if sender.wait(tx_hash, timeout=timeout)["status"] != 1:
        raise TransactionFailed(f"transfer of {wei} wei to {to} failed", tx=tx_hash)
    return tx_hash


def event_args(event: Any) -> dict[str, Any]:
    """A decoded web3 event's arguments as a plain dict."""
    return dict(event["args"])
