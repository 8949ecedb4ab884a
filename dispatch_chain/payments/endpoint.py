"""The paid job endpoint: the x402 SDK's Flask middleware in front of a job, the receipt naming its payment.

``POST /job?tier=FAST&kind=LLM`` without a payment answers 402 with the SDK's
payment requirements: the ``exact`` scheme, the job's price from a
:class:`~dispatch_chain.payments.prices.PriceSource` (governance's
``ProtocolParams`` when the manifest records it, the whitepaper's table
otherwise), the configured USDC and the coordinator's pay-to address, one
option per configured chain. A request carrying ``PAYMENT-SIGNATURE`` /
``X-PAYMENT`` is settled by the SDK *before* the handler runs (the SDK's
``upfront`` payment flow, ``extra.paymentFlow``), through the coordinator's
facilitator (:class:`~dispatch_chain.payments.facilitator.DurableFacilitator`,
settle-once); the SDK's after-settle hook hands the settle response to the
handler, which returns the worker's signed receipt whose ``payment_ref`` is
``<CAIP-2 chain id>:<tx id>`` of the settling transaction (DESIGN.md). Any bad
payment (undecodable, expired, another network, another amount, already used)
is refused by the SDK with its 402 response before the handler runs, and a
refused payment settles nothing (the facilitator verifies before it broadcasts).

The facilitator is any of the SDK's ``FacilitatorClientSync``: the coordinator's
own in process (:class:`LocalFacilitatorClient`) or a remote one over HTTP
(``x402.http.HTTPFacilitatorClientSync``, e.g. ``dispatch-chain x402 facilitator``).
Either may answer a repeated settle with its stored success, so the endpoint keeps
its own record of the payments that bought a job
(:class:`~dispatch_chain.payments.served.ServedPayments`) and refuses a payment it
already took (``payment_already_used``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import nacl.signing
from x402 import FacilitatorClientSync
from x402.schemas import (
    AssetAmount,
    PaymentPayload,
    PaymentRequirements,
    SettleResponse,
    SupportedResponse,
    VerifyResponse,
)

from dispatch_chain.payments.facilitator import DurableFacilitator, payload_key
from dispatch_chain.payments.prices import JobKind, JobTier, PriceSource
from dispatch_chain.payments.served import ServedPayments
from dispatch_chain.receipts import Receipt, output_hash_of, sign_receipt

#: LocalUsdc's and Circle USDC's EIP-712 domain (what the EVM exact scheme signs over).
USDC_EIP712 = {"name": "USD Coin", "version": "1"}


@dataclass(frozen=True, slots=True)
class PayOption:
    """One chain the endpoint accepts payment on: CAIP-2 network, USDC asset, the coordinator's pay-to.

    ``network`` is the id the SDK pays under; ``chain_id`` the CAIP-2 id the ``payment_ref`` names when they
    differ (a local Solana node is paid under the SDK's devnet id, :func:`~.facilitator.sdk_svm_network`).
    """

    network: str
    asset: str
    pay_to: str
    extra: dict[str, str] | None = None  # scheme extras (the EIP-712 domain on EVM)
    max_timeout_seconds: int = 300
    chain_id: str | None = None

    @property
    def ref_chain(self) -> str:
        return self.chain_id or self.network


class LocalFacilitatorClient:
    """The SDK's ``FacilitatorClientSync`` over the coordinator's own :class:`DurableFacilitator`, in process."""

    def __init__(self, durable: DurableFacilitator) -> None:
        self.durable = durable

    def verify(self, payload: PaymentPayload, requirements: PaymentRequirements) -> VerifyResponse:
        return self.durable.verify(payload, requirements)

    def settle(self, payload: PaymentPayload, requirements: PaymentRequirements) -> SettleResponse:
        return self.durable.settle(payload, requirements)

    def get_supported(self) -> SupportedResponse:
        return self.durable.facilitator.get_supported()

    def already_used(self, payload: PaymentPayload) -> bool:
        return self.durable.was_settled(payload)


class SettledPayments:
    """Settle responses of the requests in flight, keyed by payment payload (filled by the SDK's after-settle hook)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settled: dict[str, SettleResponse] = {}

    def after_settle(self, context: Any) -> None:
        if context.result.success:
            with self._lock:
                self._settled[payload_key(context.payment_payload)] = context.result

    def take(self, payload: PaymentPayload) -> SettleResponse | None:
        with self._lock:
            return self._settled.pop(payload_key(payload), None)


def payment_ref_of(settled: SettleResponse, chain_id: str | None = None) -> str:
    """``<CAIP-2 chain id>:<tx id>`` of a settle response (DESIGN.md); ``chain_id`` overrides the SDK's network."""
    return f"{chain_id or settled.network}:{settled.transaction}"


#: What runs the job: (job_id, tier, kind, request body) -> output bytes.
JobRunner = Callable[[str, JobTier, JobKind, bytes], bytes]


def echo_job(job_id: str, tier: JobTier, kind: JobKind, body: bytes) -> bytes:
    """The job ``dispatch-chain x402 serve-jobs`` runs: its output is the request body (real work is the
    coordinator's to dispatch, not this chain layer's)."""
    return body


def paid_job_app(
    facilitator: FacilitatorClientSync,
    options: Sequence[PayOption],
    prices: PriceSource,
    worker_key: nacl.signing.SigningKey,
    run_job: JobRunner,
    *,
    served: ServedPayments,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Any:
    """A Flask app serving ``POST /job`` behind the SDK's payment middleware (see the module docstring).

    A facilitator's settle-once journal answers a repeated settle with the stored success, which is right
    for a client retrying ``/settle`` but must not buy a second job, so a before-settle hook claims the
    payment in ``served`` (an atomic insert; a payment already claimed is refused with
    ``payment_already_used``, also after a restart), a failed settle releases the claim, and the in-process
    facilitator's journal (:meth:`LocalFacilitatorClient.already_used`) refuses a payment settled through
    another door (its HTTP ``/settle``). A payment interrupted mid-request (the endpoint died, or the job
    failed after the settle) buys its job when presented again: a before-verify hook resumes it
    (:meth:`ServedPayments.resume`), without settling anything twice.
    """
    from flask import Flask, g, jsonify, request
    from x402 import x402ResourceServerSync
    from x402.http.middleware.flask import PaymentMiddleware
    from x402.http.types import PaymentOption, RouteConfig
    from x402.mechanisms.evm.exact import ExactEvmServerScheme
    from x402.mechanisms.svm.exact import ExactSvmServerScheme
    from x402.schemas.hooks import AbortResult, SkipSettleResult, SkipVerifyResult

    app = Flask("dispatch-paid-job")
    server = x402ResourceServerSync(facilitator)
    settled = SettledPayments()
    server.on_after_settle(settled.after_settle)

    def resume(context: Any) -> SkipVerifyResult | None:
        """A payment interrupted mid-request (the endpoint died, or the job failed after the settle) is taken
        over by this request: it was verified when it was first claimed, so verification is skipped."""
        resumed = served.resume(context.payment_payload)
        if resumed is None:
            return None
        payer = resumed.settled.payer if resumed.settled is not None else None
        return SkipVerifyResult(result=VerifyResponse(is_valid=True, payer=payer))

    def claim(context: Any) -> AbortResult | SkipSettleResult | None:
        payload = context.payment_payload
        resumed = served.claim_resumed(payload)
        if resumed is not None:
            # settled before the interruption: its job is still owed and nothing is settled again
            return None if resumed.settled is None else SkipSettleResult(result=resumed.settled)
        used_locally = isinstance(facilitator, LocalFacilitatorClient) and facilitator.already_used(payload)
        if used_locally or not served.claim(payload):
            return AbortResult(reason="payment_already_used", message="this payment already bought a job")
        return None

    def record(context: Any) -> None:
        if context.result.success:
            served.settled(context.payment_payload, context.result)

    def release(context: Any) -> None:  # a failed or interrupted settle: the handler never runs
        served.release(context.payment_payload)

    server.on_before_verify(resume)
    server.on_before_settle(claim)
    server.on_after_settle(record)
    server.on_settle_failure(release)
    for option in options:
        # the SDK annotates its schemes' payment_flows looser than its own SchemeNetworkServer protocol
        scheme = ExactEvmServerScheme() if option.network.startswith("eip155:") else ExactSvmServerScheme()
        server.register(option.network, scheme)  # type: ignore[arg-type]

    def job_of(context: Any) -> tuple[JobTier, JobKind]:
        return JobTier(context.adapter.get_query_param("tier") or "CHEAP"), JobKind(
            context.adapter.get_query_param("kind") or "TASK"
        )

    def price_for(option: PayOption) -> Callable[[Any], AssetAmount]:
        def price(context: Any) -> AssetAmount:
            return AssetAmount(
                amount=str(prices.price(*job_of(context))),
                asset=option.asset,
                extra={**(option.extra or {}), "paymentFlow": "upfront"},
            )

        return price

    accepts = [
        PaymentOption(
            scheme="exact",
            pay_to=o.pay_to,
            price=price_for(o),
            network=o.network,
            max_timeout_seconds=o.max_timeout_seconds,
            extra={**(o.extra or {}), "paymentFlow": "upfront"},
        )
        for o in options
    ]
    ref_chains = {o.network: o.ref_chain for o in options}
    routes = {"POST /job": RouteConfig(accepts=accepts, description="one Dispatch job", mime_type="application/json")}

    @app.post("/job")
    def job() -> Any:
        tier = JobTier(request.args.get("tier", "CHEAP"))
        kind = JobKind(request.args.get("kind", "TASK"))
        payment = settled.take(g.payment_payload)
        if payment is None:  # the middleware only calls us after a settle succeeded
            return jsonify({"error": "payment not settled"}), 500
        job_id = f"job-{payment.transaction[-16:]}"
        try:
            output = run_job(job_id, tier, kind, request.get_data())
            receipt = Receipt.create(
                job_id=job_id,
                provider_key=bytes(worker_key.verify_key),
                output_hash=output_hash_of(output),
                completed_at=clock(),
                payment_ref=payment_ref_of(payment, ref_chains.get(payment.network)),
            )
            signed = sign_receipt(receipt, worker_key)
            served.served(g.payment_payload)
        finally:  # a job that failed leaves its payment settled and resumable: presented again, the job runs
            served.finished(g.payment_payload)
        return jsonify(
            {
                "receipt": signed.receipt.to_dict(),
                "receipt_signature": signed.signature_text,
                "price": int(g.payment_requirements.amount),
            }
        )

    PaymentMiddleware(app, routes, server)
    # outermost, so that a job nobody can price is refused before the payment middleware prices it
    app.wsgi_app = _refusing_unknown_jobs(app.wsgi_app)  # type: ignore[method-assign]
    return app


def job_problem(query: str) -> str | None:
    """Why a ``/job`` query string names no job there is a price for (an unknown tier or kind), else None."""
    params = parse_qs(query, keep_blank_values=True)
    for name, kinds in (("tier", JobTier), ("kind", JobKind)):
        for value in params.get(name, []):
            if value not in kinds.__members__:
                return f"unknown {name} {value!r} (one of {', '.join(kinds.__members__)})"
    return None


def _refusing_unknown_jobs(wsgi: Any) -> Any:
    """WSGI: ``/job`` with an unknown tier or kind gets 400 and a JSON error, never a 402 or a 500."""

    def checked(environ: dict[str, Any], start_response: Any) -> Any:
        problem = job_problem(environ.get("QUERY_STRING", "")) if environ.get("PATH_INFO") == "/job" else None
        if problem is None:
            return wsgi(environ, start_response)
        body = json.dumps({"error": problem}).encode()
        start_response("400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return checked
