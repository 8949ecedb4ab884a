"""The coordinator's x402 facilitator: the SDK's facilitator and ``exact`` schemes, made durable.

:class:`DurableFacilitator` wraps ``x402.x402FacilitatorSync`` (``ExactEvmScheme`` on
``eip155:<chain>``, ``ExactSvmScheme`` on ``solana:<genesis>``, settling with the
coordinator's keys) so that a payment is settled at most once: every settle is
keyed by the payment payload (its signed authorization or transaction), the
key is written to SQLite *before* the SDK broadcasts, and the response after.
A second settle of the same payload returns the stored response without a
transaction. After a crash between broadcast and response the key is found
``broadcasting``: on EVM the authorization's ``AuthorizationUsed`` event names
the transaction that settled it (a used authorization is never broadcast
again), searched from the head block journaled before the broadcast in
requests of at most the profile's ``max_log_range`` blocks (:meth:`EvmClient.get_logs`);
on Solana the payload is one signed transaction, which the chain runs
at most once. :func:`sdk_facilitator` builds the SDK facilitator from the
coordinator's settling keys; :func:`facilitator_app` serves ``/verify``,
``/settle`` and ``/supported`` over Flask.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from x402 import x402FacilitatorSync
from x402.schemas import PaymentPayload, PaymentRequirements, SettleResponse, VerifyResponse

from dispatch_chain.sqlite import open_durable, transaction

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from solders.keypair import Keypair

    from dispatch_chain.evm.client import EvmClient

#: The Solana CAIP-2 ids the SDK's SVM scheme accepts (``x402.mechanisms.svm.utils.normalize_network``).
SDK_SVM_NETWORKS = (
    "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",  # mainnet
    "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",  # devnet
    "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z",  # testnet
)


def sdk_svm_network(caip2: str) -> str:
    """The id the SDK's SVM scheme is registered and paid under for a Solana chain.

    The SDK refuses any other genesis than mainnet's, devnet's and testnet's, so a local node is served under
    devnet's id with every SDK RPC pointed at the node (the signers' and client's ``rpc_url``); the
    ``payment_ref`` still names the node's own chain (the endpoint's ``PayOption.chain_id``).
    """
    return caip2 if caip2 in SDK_SVM_NETWORKS else SDK_SVM_NETWORKS[1]


@dataclass(frozen=True, slots=True)
class EvmSettler:
    """Who settles EVM payments: the account sending ``transferWithAuthorization`` (it pays the gas)."""

    account: LocalAccount
    rpc_url: str
    chain_id: int


@dataclass(frozen=True, slots=True)
class SvmSettler:
    """Who settles Solana payments: the fee payer co-signing the payer's transfer; ``chain`` is its CAIP-2 id."""

    keypair: Keypair
    rpc_url: str
    chain: str


def sdk_facilitator(evm: EvmSettler | None = None, svm: SvmSettler | None = None) -> x402FacilitatorSync:
    """The SDK facilitator with the ``exact`` scheme on ``eip155:<chain id>`` and/or the Solana chain.

    A local Solana node is registered under :func:`sdk_svm_network`'s id, its RPC the node's.
    """
    sdk = x402FacilitatorSync()
    if evm is not None:
        from x402.mechanisms.evm import FacilitatorWeb3Signer
        from x402.mechanisms.evm.exact.register import register_exact_evm_facilitator

        signer = FacilitatorWeb3Signer(private_key=evm.account.key.hex(), rpc_url=evm.rpc_url)
        register_exact_evm_facilitator(sdk, signer, networks=f"eip155:{evm.chain_id}")
    if svm is not None:
        from x402.mechanisms.svm import FacilitatorKeypairSigner
        from x402.mechanisms.svm.exact.register import register_exact_svm_facilitator

        svm_signer = FacilitatorKeypairSigner(svm.keypair, rpc_url=svm.rpc_url)
        register_exact_svm_facilitator(sdk, svm_signer, networks=sdk_svm_network(svm.chain))
    return sdk


#: keccak256("AuthorizationUsed(address,bytes32)") (EIP-3009)
AUTHORIZATION_USED = "0x98de503528ee59b575ef0c0a2576a82497bfc029a5685b209e9ec333479b10a5"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settlements (
    payload_key  TEXT PRIMARY KEY,
    network      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('broadcasting', 'settled')),
    from_block   INTEGER,
    response     TEXT,
    updated_at   REAL NOT NULL
);
"""


def payload_key(payload: PaymentPayload) -> str:
    """What identifies one payment: the hash of its scheme payload (signed authorization / transaction)."""
    body = json.dumps(payload.payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{payload.accepted.network}|{body}".encode()).hexdigest()


class DurableFacilitator:
    """The SDK facilitator with a settle-once SQLite journal (``path``).

    ``evm`` is the EVM chain the ``eip155`` scheme settles on (the profile's, so its ``max_log_range``
    bounds the recovery's log reads). An ``eip155`` payment is settled only when it is given: the head block
    journaled before each broadcast is where a recovery starts reading, never block 0.
    """

    def __init__(self, facilitator: x402FacilitatorSync, path: str | Path, *, evm: EvmClient | None = None) -> None:
        self.facilitator = facilitator
        self.evm = evm
        self._db = open_durable(Path(path))
        self._db.executescript(_SCHEMA)

    def supported(self) -> dict[str, Any]:
        return self.facilitator.get_supported().model_dump(by_alias=True, exclude_none=True)

    def verify(self, payload: PaymentPayload, requirements: PaymentRequirements) -> VerifyResponse:
        return self.facilitator.verify(payload, requirements)

    def was_settled(self, payload: PaymentPayload) -> bool:
        """Whether this payment is in the journal (settled, or broadcast before a crash)."""
        row = self._db.execute("SELECT 1 FROM settlements WHERE payload_key = ?", (payload_key(payload),))
        return row.fetchone() is not None

    def settle(self, payload: PaymentPayload, requirements: PaymentRequirements) -> SettleResponse:
        key = payload_key(payload)
        row = self._db.execute("SELECT state, response, from_block FROM settlements WHERE payload_key = ?", (key,))
        found = row.fetchone()
        if found is not None and found[0] == "settled":
            return SettleResponse.model_validate_json(found[1])
        evm_payment = payload.accepted.network.startswith("eip155:")
        if evm_payment and self.evm is None:
            return _refusal(payload, "facilitator_has_no_evm_chain", "this facilitator has no EVM chain configured")
        if found is not None:  # broadcast, then a crash before the response was stored
            if evm_payment and found[2] is None:
                return _refusal(
                    payload,
                    "settlement_unrecoverable",
                    f"journal row {key} was broadcast without a head block; find AuthorizationUsed(payer, nonce)"
                    " by hand rather than scan the chain's history",
                )
            recovered = self._recover(payload, found[2])
            if recovered is not None:
                return self._store(key, recovered)
        else:
            with transaction(self._db) as db:
                db.execute(
                    "INSERT INTO settlements (payload_key, network, state, from_block, updated_at)"
                    " VALUES (?, ?, 'broadcasting', ?, ?)",
                    (key, payload.accepted.network, self._head(payload), time.time()),
                )
        response = self.facilitator.settle(payload, requirements)
        if response.success:
            return self._store(key, response)
        with transaction(self._db) as db:  # nothing settled: the payment may be retried
            db.execute("DELETE FROM settlements WHERE payload_key = ? AND state = 'broadcasting'", (key,))
        return response

    def _store(self, key: str, response: SettleResponse) -> SettleResponse:
        with transaction(self._db) as db:
            db.execute(
                "UPDATE settlements SET state = 'settled', response = ?, updated_at = ? WHERE payload_key = ?",
                (response.model_dump_json(by_alias=True), time.time(), key),
            )
        return response

    def _head(self, payload: PaymentPayload) -> int | None:
        if not payload.accepted.network.startswith("eip155:") or self.evm is None:
            return None
        return int(self.evm.w3.eth.block_number)

    def _recover(self, payload: PaymentPayload, from_block: int | None) -> SettleResponse | None:
        """The settling transaction of an EIP-3009 authorization already used on chain, if it was.

        Reads ``AuthorizationUsed(payer, nonce)`` from the head journaled before the broadcast to the current
        head, split into requests the RPC accepts (``max_log_range``).
        """
        auth = payload.payload.get("authorization") if isinstance(payload.payload, dict) else None
        if self.evm is None or from_block is None or not auth:
            return None
        from web3 import Web3

        logs = self.evm.get_logs(
            {
                "address": Web3.to_checksum_address(payload.accepted.asset),
                "topics": [AUTHORIZATION_USED, "0x" + "00" * 12 + auth["from"][2:].lower(), auth["nonce"]],
            },
            from_block,
        )
        if not logs:
            return None
        return SettleResponse(
            success=True,
            payer=auth["from"],
            transaction="0x" + bytes(logs[0]["transactionHash"]).hex(),
            network=payload.accepted.network,
        )

    def close(self) -> None:
        self._db.close()


def _refusal(payload: PaymentPayload, reason: str, message: str) -> SettleResponse:
    """A settle answered with a failure and nothing broadcast."""
    return SettleResponse(
        success=False, error_reason=reason, error_message=message, transaction="", network=payload.accepted.network
    )


def facilitator_app(durable: DurableFacilitator) -> Any:
    """A Flask app serving the facilitator endpoints (JSON bodies as the x402 HTTP facilitator client sends)."""
    from flask import Flask, jsonify, request

    app = Flask("dispatch-x402-facilitator")

    def _parse() -> tuple[PaymentPayload, PaymentRequirements]:
        body = request.get_json(force=True)
        return (
            PaymentPayload.model_validate(body["paymentPayload"]),
            PaymentRequirements.model_validate(body["paymentRequirements"]),
        )

    @app.get("/supported")
    def supported() -> Any:
        return jsonify(durable.supported())

    @app.post("/verify")
    def verify() -> Any:
        try:
            payload, requirements = _parse()
        except (KeyError, TypeError, ValueError) as exc:
            return jsonify({"isValid": False, "invalidReason": "invalid_payload", "invalidMessage": str(exc)}), 400
        return jsonify(durable.verify(payload, requirements).model_dump(by_alias=True, exclude_none=True))

    @app.post("/settle")
    def settle() -> Any:
        try:
            payload, requirements = _parse()
        except (KeyError, TypeError, ValueError) as exc:
            return jsonify({"success": False, "errorReason": "invalid_payload", "errorMessage": str(exc)}), 400
        return jsonify(durable.settle(payload, requirements).model_dump(by_alias=True, exclude_none=True))

    return app
