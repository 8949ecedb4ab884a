"""The paid job endpoint in front of a remote facilitator (the coordinator's DurableFacilitator served over HTTP on
a real local port, reached with the SDK's HTTPFacilitatorClientSync) on anvil with LocalUsdc: that facilitator
answers a repeated /settle with its stored success, so only the endpoint's own record (ServedPayments) stops one
payment from buying two jobs, also across an endpoint restart; a failed settle releases the claim."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import nacl.signing
import pytest
from support_x402 import anvil_client, evm_facilitator, usdc_and_payer
from werkzeug.serving import make_server
from x402.http import FacilitatorConfig, HTTPFacilitatorClientSync
from x402.http.utils import (
    decode_payment_required_header,
    decode_payment_response_header,
    encode_payment_signature_header,
)

from dispatch_chain.keys import dev_account
from dispatch_chain.payments.endpoint import USDC_EIP712, PayOption, paid_job_app
from dispatch_chain.payments.facilitator import DurableFacilitator, facilitator_app
from dispatch_chain.payments.prices import WhitepaperPrices
from dispatch_chain.payments.served import ServedPayments
from dispatch_chain.receipts import SignedReceipt

NETWORK = "eip155:31337"
FAST_LLM = 10_000
JOB = "/job?tier=FAST&kind=LLM"


@contextmanager
def served_over_http(durable: DurableFacilitator) -> Iterator[str]:
    """``facilitator_app(durable)`` on a free loopback port in a thread; yields its URL."""
    server = make_server("127.0.0.1", 0, facilitator_app(durable), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def world(project, accounts, chain):
    payer, coordinator, pay_to = dev_account(3), dev_account(4), dev_account(7).address
    usdc, client = usdc_and_payer(project, accounts[0], payer, NETWORK)
    return usdc, client, coordinator, pay_to, chain


def _endpoint(world, facilitator_url: str, served_path):
    usdc, _, _, pay_to, _ = world
    remote = HTTPFacilitatorClientSync(FacilitatorConfig(url=facilitator_url))
    return paid_job_app(remote, [PayOption(NETWORK, usdc.address, pay_to, USDC_EIP712)], WhitepaperPrices(),
                        nacl.signing.SigningKey(b"\x09" * 32), lambda job_id, tier, kind, body: b"echo " + body,
                        served=ServedPayments(served_path)).test_client()


def _state(world) -> tuple[int, int]:
    usdc, _, coordinator, pay_to, chain = world
    return usdc.balanceOf(pay_to), chain.provider.web3.eth.get_transaction_count(coordinator.address)


def _pay(world, http) -> str:
    answer = http.post(JOB, data=b"x")
    assert answer.status_code == 402
    return encode_payment_signature_header(
        world[1].create_payment_payload(decode_payment_required_header(answer.headers["PAYMENT-REQUIRED"])))


def _refused_as_used(world, http, header: str) -> None:
    state = _state(world)
    again = http.post(JOB, data=b"x", headers={"PAYMENT-SIGNATURE": header})
    assert again.status_code == 402 and "receipt" not in (again.get_json() or {})
    assert "payment_already_used" in decode_payment_response_header(again.headers["PAYMENT-RESPONSE"]).error_reason
    assert _state(world) == state


def test_one_payment_buys_one_job_through_a_remote_facilitator(world, tmp_path) -> None:
    usdc, _, coordinator, pay_to, chain = world
    durable = DurableFacilitator(evm_facilitator(coordinator, chain.provider.uri, NETWORK), tmp_path / "f.sqlite",
                                 evm=anvil_client(chain.provider.uri))
    with served_over_http(durable) as url:
        http = _endpoint(world, url, tmp_path / "served.sqlite")
        header = _pay(world, http)
        before = usdc.balanceOf(pay_to)
        paid = http.post(JOB, data=b"x", headers={"PAYMENT-SIGNATURE": header})
        assert paid.status_code == 200, paid.headers
        signed = SignedReceipt.from_parts(paid.get_json()["receipt"], paid.get_json()["receipt_signature"])
        assert signed.is_valid() and signed.receipt.payment_ref.startswith(NETWORK + ":0x")
        assert usdc.balanceOf(pay_to) == before + FAST_LLM
        # the facilitator alone would sell the job again: it answers the repeated settle with its stored success
        from x402.http.utils import decode_payment_signature_header

        payload = decode_payment_signature_header(header)
        again = HTTPFacilitatorClientSync(FacilitatorConfig(url=url)).settle(payload, payload.accepted)
        assert again.success and signed.receipt.payment_ref.endswith(again.transaction)
        # the endpoint refuses it, and so does a restarted endpoint (a new app on the same record file)
        _refused_as_used(world, http, header)
        _refused_as_used(world, _endpoint(world, url, tmp_path / "served.sqlite"), header)
        assert usdc.balanceOf(pay_to) == before + FAST_LLM


def test_a_failed_settle_releases_the_claim(world, tmp_path) -> None:
    """A facilitator without the EVM chain verifies the payment but refuses to settle it: the endpoint answers
    402, keeps no claim, and the same payment then buys its job through a working facilitator."""
    usdc, _, coordinator, pay_to, chain = world
    sdk = evm_facilitator(coordinator, chain.provider.uri, NETWORK)
    record = tmp_path / "served.sqlite"
    with served_over_http(DurableFacilitator(sdk, tmp_path / "bad.sqlite")) as bad_url:
        http = _endpoint(world, bad_url, record)
        header = _pay(world, http)
        state = _state(world)
        refused = http.post(JOB, data=b"x", headers={"PAYMENT-SIGNATURE": header})
        assert refused.status_code == 402
        reason = decode_payment_response_header(refused.headers["PAYMENT-RESPONSE"]).error_reason
        assert "facilitator_has_no_evm_chain" in reason
        assert _state(world) == state
    good = DurableFacilitator(sdk, tmp_path / "good.sqlite", evm=anvil_client(chain.provider.uri))
    with served_over_http(good) as url:
        paid = _endpoint(world, url, record).post(JOB, data=b"x", headers={"PAYMENT-SIGNATURE": header})
        assert paid.status_code == 200, paid.headers
        assert usdc.balanceOf(pay_to) == state[0] + FAST_LLM


def test_the_cli_serves_jobs_in_front_of_the_cli_facilitator(world, tmp_path) -> None:
    """`x402 serve-jobs --facilitator URL` in front of `x402 facilitator`, both subprocesses: one payment buys
    one job; the repeat is refused by the endpoint, also after the endpoint restarts on the same record."""
    import json
    import urllib.request

    from support_x402 import cli_server, post, serve_jobs_env

    from dispatch_chain.keys import save_worker_key
    from dispatch_chain.localnet import free_port

    usdc, client, _, pay_to, chain = world
    save_worker_key(tmp_path / "worker.json", nacl.signing.SigningKey(b"\x0c" * 32))
    env = serve_jobs_env(tmp_path, chain.provider.uri, usdc.address)
    f_port, j_port = free_port(), free_port()
    facilitator = ["x402", "facilitator", "--port", str(f_port), "--store", str(tmp_path / "f.sqlite"),
                   "--evm-account", "dev:4"]
    jobs = ["x402", "serve-jobs", "--port", str(j_port), "--worker-key", str(tmp_path / "worker.json"),
            "--pay-to", f"{NETWORK}:{pay_to}", "--facilitator", f"http://127.0.0.1:{f_port}",
            "--served-store", str(tmp_path / "served.sqlite")]
    url = f"http://127.0.0.1:{j_port}{JOB}"
    probe = urllib.request.Request(url, data=b"hi", method="POST")
    with cli_server(facilitator, env, f"http://127.0.0.1:{f_port}/supported"):
        with cli_server(jobs, env, probe) as (status, _, headers):
            assert status == 402
            payload = client.create_payment_payload(decode_payment_required_header(headers["PAYMENT-REQUIRED"]))
            header = encode_payment_signature_header(payload)
            before = usdc.balanceOf(pay_to)
            status, body, _ = post(url, b"hi", {"PAYMENT-SIGNATURE": header})
            assert status == 200, body
            assert json.loads(body)["receipt"]["payment_ref"].startswith(NETWORK + ":0x")
            status, _, headers = post(url, b"hi", {"PAYMENT-SIGNATURE": header})
            assert status == 402
            assert "payment_already_used" in decode_payment_response_header(headers["PAYMENT-RESPONSE"]).error_reason
        with cli_server(jobs, env, probe):  # restarted on the same record
            status, _, headers = post(url, b"hi", {"PAYMENT-SIGNATURE": header})
            assert status == 402
            assert "payment_already_used" in decode_payment_response_header(headers["PAYMENT-RESPONSE"]).error_reason
        assert usdc.balanceOf(pay_to) == before + FAST_LLM
