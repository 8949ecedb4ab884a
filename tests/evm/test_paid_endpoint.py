"""The paid job endpoint (the SDK's Flask middleware, upfront settle through the coordinator's facilitator) on
anvil with LocalUsdc: an unpaid request gets the SDK's 402 with the job's price, a paid one the worker's signed
receipt whose payment_ref verifies with dispatch_chain.payments; a malformed, expired, wrong-network, wrong-amount
or already used X-PAYMENT is refused with the SDK's 402 and nothing is settled on chain."""

from __future__ import annotations

import time

import nacl.signing
import pytest
from support_x402 import anvil_client, evm_facilitator, usdc_and_payer
from x402 import x402ClientSync
from x402.http.utils import (
    decode_payment_required_header,
    decode_payment_response_header,
    encode_payment_signature_header,
)
from x402.mechanisms.evm.exact.register import register_exact_evm_client

from dispatch_chain.keys import dev_account
from dispatch_chain.payments.endpoint import USDC_EIP712, LocalFacilitatorClient, PayOption, paid_job_app
from dispatch_chain.payments.facilitator import DurableFacilitator
from dispatch_chain.payments.prices import WhitepaperPrices
from dispatch_chain.payments.served import ServedPayments
from dispatch_chain.payments.verify import EvmPayments, PaymentClaim, PaymentVerifier, VerifiedPayment
from dispatch_chain.receipts import SignedReceipt, output_hash_of

NETWORK = "eip155:31337"
FAST_LLM = 10_000  # the whitepaper's FAST LLM price, USDC base units


@pytest.fixture(scope="module")
def world(project, accounts, chain, tmp_path_factory):
    payer, coordinator, pay_to = dev_account(3), dev_account(4), dev_account(6).address
    usdc, client = usdc_and_payer(project, accounts[0], payer, NETWORK)
    sdk = evm_facilitator(coordinator, chain.provider.uri, NETWORK)
    durable = DurableFacilitator(sdk, tmp_path_factory.mktemp("f") / "f.sqlite", evm=anvil_client(chain.provider.uri))
    worker = nacl.signing.SigningKey(b"\x07" * 32)
    app = paid_job_app(LocalFacilitatorClient(durable), [PayOption(NETWORK, usdc.address, pay_to, USDC_EIP712)],
                       WhitepaperPrices(), worker, lambda job_id, tier, kind, body: b"done " + body,
                       served=ServedPayments(tmp_path_factory.mktemp("e") / "served.sqlite"))
    return app.test_client(), client, usdc, pay_to, coordinator, chain


def _required(http, path="/job?tier=FAST&kind=LLM"):
    answer = http.post(path, data=b"x")
    assert answer.status_code == 402
    return decode_payment_required_header(answer.headers["PAYMENT-REQUIRED"])


def _state(world) -> tuple[int, int]:
    _, _, usdc, pay_to, coordinator, chain = world
    return usdc.balanceOf(pay_to), chain.provider.web3.eth.get_transaction_count(coordinator.address)


def test_unpaid_request_gets_the_job_price(world) -> None:
    http, *_ = world
    required = _required(http)
    [option] = required.accepts
    assert (option.scheme, option.network, option.amount) == ("exact", NETWORK, str(FAST_LLM))
    assert option.extra["paymentFlow"] == "upfront" and option.extra["name"] == "USD Coin"
    assert _required(http, "/job?tier=CHEAP&kind=TASK").accepts[0].amount == "1000"


def test_a_paid_request_returns_a_receipt_whose_payment_verifies(world) -> None:
    http, client, usdc, pay_to, _, chain = world
    before = usdc.balanceOf(pay_to)
    payload = client.create_payment_payload(_required(http))
    answer = http.post("/job?tier=FAST&kind=LLM", data=b"x",
                       headers={"PAYMENT-SIGNATURE": encode_payment_signature_header(payload)})
    assert answer.status_code == 200, answer.headers
    body = answer.get_json()
    signed = SignedReceipt.from_parts(body["receipt"], body["receipt_signature"])
    assert signed.is_valid()
    ref = signed.receipt.payment_ref
    assert ref is not None and ref.startswith(NETWORK + ":0x")
    assert usdc.balanceOf(pay_to) == before + FAST_LLM
    payments = EvmPayments(chain.provider.uri, NETWORK, usdc=usdc.address, pay_to=pay_to, confirmations=1)
    [result] = PaymentVerifier({NETWORK: payments}, lambda refs: {}).verify(
        [PaymentClaim(ref, FAST_LLM, "0x" + signed.receipt.receipt_hash().hex())])
    assert isinstance(result, VerifiedPayment) and result.amount == FAST_LLM
    # the same X-PAYMENT again: already used, refused, nothing settled
    state = _state(world)
    again = http.post("/job?tier=FAST&kind=LLM", data=b"x", headers={"PAYMENT-SIGNATURE": encode_payment_signature_header(payload)})
    assert again.status_code == 402 and "receipt" not in (again.get_json() or {})
    assert "payment_already_used" in decode_payment_response_header(again.headers["PAYMENT-RESPONSE"]).error_reason
    assert _state(world) == state


def _refused(world, header: str, reason: str) -> None:
    """The SDK's 402 carrying ``reason`` (PAYMENT-REQUIRED's error or PAYMENT-RESPONSE's errorReason), no receipt,
    and no USDC moved nor transaction sent by the coordinator."""
    http = world[0]
    state = _state(world)
    answer = http.post("/job?tier=FAST&kind=LLM", data=b"x", headers={"PAYMENT-SIGNATURE": header})
    assert answer.status_code == 402
    assert "receipt" not in (answer.get_json() or {})
    if "PAYMENT-RESPONSE" in answer.headers:
        said = decode_payment_response_header(answer.headers["PAYMENT-RESPONSE"]).error_reason
    else:
        said = decode_payment_required_header(answer.headers["PAYMENT-REQUIRED"]).error
    assert said is not None and reason in said
    assert _state(world) == state


def test_a_malformed_header_is_refused(world) -> None:
    _refused(world, "not base64 json", "Payment required")


def test_a_wrong_amount_is_refused(world) -> None:
    http, client, *_ = world
    required = _required(http, "/job?tier=CHEAP&kind=TASK")  # signed for the cheap job ...
    cheap = client.create_payment_payload(required)
    _refused(world, encode_payment_signature_header(cheap), "No matching payment requirements")  # ... for FAST LLM
    cheap.accepted = _required(world[0]).accepts[0]  # claims the FAST LLM price; the signature says 1,000
    _refused(world, encode_payment_signature_header(cheap), "invalid")


def test_a_wrong_network_is_refused(world) -> None:
    http = world[0]
    required = _required(http)
    required.accepts[0].network = "eip155:1"
    other = x402ClientSync()
    register_exact_evm_client(other, dev_account(3), networks="eip155:1")
    other.set_spend_controls({"allowed_assets": True})
    _refused(world, encode_payment_signature_header(other.create_payment_payload(required)),
             "No matching payment requirements")


def test_an_expired_payment_is_refused(world) -> None:
    http, client, *_ = world
    payload = client.create_payment_payload(_required(http))
    auth = payload.payload["authorization"]
    auth["validBefore"] = str(int(time.time()) - 60)  # expired (the signature no longer matches either)
    _refused(world, encode_payment_signature_header(payload), "valid_before")


def test_the_cli_serves_paid_jobs(world, tmp_path) -> None:
    """`dispatch-chain x402 serve-jobs` as a subprocess (in-process facilitator, the manifest's USDC, the
    whitepaper's prices): unpaid -> 402 with the price; paid with the SDK client -> 200 and the worker's receipt
    whose payment_ref verifies; the same payment again -> refused."""
    import json
    import urllib.request

    from support_x402 import cli_server, post, serve_jobs_env

    from dispatch_chain.keys import save_worker_key
    from dispatch_chain.localnet import free_port

    _, client, usdc, _, _, chain = world
    pay_to = dev_account(8).address
    worker = nacl.signing.SigningKey(b"\x0b" * 32)
    save_worker_key(tmp_path / "worker.json", worker)
    port = free_port()
    url = f"http://127.0.0.1:{port}/job?tier=FAST&kind=LLM"
    env = serve_jobs_env(tmp_path, chain.provider.uri, usdc.address)
    args = ["x402", "serve-jobs", "--port", str(port), "--worker-key", str(tmp_path / "worker.json"),
            "--pay-to", f"{NETWORK}:{pay_to}", "--evm-account", "dev:4",
            "--store", str(tmp_path / "f.sqlite"), "--served-store", str(tmp_path / "served.sqlite")]

    with cli_server(args, env, urllib.request.Request(url, data=b"hello", method="POST")) as (status, _, headers):
        assert status == 402
        required = decode_payment_required_header(headers["PAYMENT-REQUIRED"])
        [option] = required.accepts
        assert (option.network, option.asset, option.amount, option.pay_to) == (NETWORK, usdc.address,
                                                                               str(FAST_LLM), pay_to)
        header = encode_payment_signature_header(client.create_payment_payload(required))
        before = usdc.balanceOf(pay_to)
        status, body, _ = post(url, b"hello", {"PAYMENT-SIGNATURE": header})
        assert status == 200, body
        answer = json.loads(body)
        signed = SignedReceipt.from_parts(answer["receipt"], answer["receipt_signature"])
        assert signed.is_valid() and signed.receipt.provider_key == bytes(worker.verify_key)
        assert signed.receipt.output_hash == output_hash_of(b"hello")  # the echo job
        assert usdc.balanceOf(pay_to) == before + FAST_LLM and answer["price"] == FAST_LLM
        payments = EvmPayments(chain.provider.uri, NETWORK, usdc=usdc.address, pay_to=pay_to, confirmations=1)
        [result] = PaymentVerifier({NETWORK: payments}, lambda refs: {}).verify(
            [PaymentClaim(signed.receipt.payment_ref, FAST_LLM, "0x" + signed.receipt.receipt_hash().hex())])
        assert isinstance(result, VerifiedPayment) and result.amount == FAST_LLM
        status, _, headers = post(url, b"hello", {"PAYMENT-SIGNATURE": header})
        assert status == 402
        assert "payment_already_used" in decode_payment_response_header(headers["PAYMENT-RESPONSE"]).error_reason
        assert usdc.balanceOf(pay_to) == before + FAST_LLM


@pytest.mark.parametrize("query", ["tier=ULTRA", "kind=VIDEO", "tier=FAST&tier=fast", "kind="])
def test_an_unknown_job_is_bad_input(world, query) -> None:
    """A tier or kind without a price is a 400 naming it, before any payment talk, and nothing is settled."""
    state = _state(world)
    answer = world[0].post(f"/job?{query}", data=b"x")
    assert answer.status_code == 400, answer.status_code
    assert "unknown" in answer.get_json()["error"] and "PAYMENT-REQUIRED" not in answer.headers
    assert _state(world) == state
