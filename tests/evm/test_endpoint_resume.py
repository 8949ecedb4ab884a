"""Nothing paid is lost when the paid endpoint is interrupted: a payment whose job failed after the settle, or
whose endpoint died between the settle and the job, buys its job when presented again — with no second
transaction and no second USDC transfer — and then never again. A payment still in flight is not resumed."""

from __future__ import annotations

import sqlite3

import nacl.signing
import pytest
from support_x402 import anvil_client, evm_facilitator, usdc_and_payer
from x402.http.utils import (
    decode_payment_required_header,
    decode_payment_response_header,
    decode_payment_signature_header,
    encode_payment_signature_header,
)

from dispatch_chain.keys import dev_account
from dispatch_chain.payments.endpoint import USDC_EIP712, LocalFacilitatorClient, PayOption, paid_job_app
from dispatch_chain.payments.facilitator import DurableFacilitator
from dispatch_chain.payments.prices import WhitepaperPrices
from dispatch_chain.payments.served import ServedPayments
from dispatch_chain.receipts import SignedReceipt

NETWORK = "eip155:31337"
JOB = "/job?tier=FAST&kind=LLM"
FAST_LLM = 10_000


@pytest.fixture(scope="module")
def tokens(project, accounts):
    usdc, client = usdc_and_payer(project, accounts[0], dev_account(3), NETWORK)
    return usdc, client


@pytest.fixture
def world(tokens, chain, tmp_path):
    """Per test: the chain goes back to its snapshot after each test, and the facilitator's signer keeps nonces."""
    coordinator, pay_to = dev_account(4), dev_account(8).address
    durable = DurableFacilitator(evm_facilitator(coordinator, chain.provider.uri, NETWORK),
                                 tmp_path / "facilitator.sqlite", evm=anvil_client(chain.provider.uri))
    return *tokens, coordinator, pay_to, chain, durable


class Jobs:
    """A job runner whose first ``failures`` runs fail (a worker that crashed mid-job)."""

    def __init__(self, failures: int = 0) -> None:
        self.failures, self.runs = failures, 0

    def __call__(self, job_id, tier, kind, body) -> bytes:
        self.runs += 1
        if self.runs <= self.failures:
            raise RuntimeError("the worker died")
        return b"done " + body


def _endpoint(world, served: ServedPayments, jobs: Jobs):
    usdc, _, _, pay_to, _, durable = world
    return paid_job_app(LocalFacilitatorClient(durable), [PayOption(NETWORK, usdc.address, pay_to, USDC_EIP712)],
                        WhitepaperPrices(), nacl.signing.SigningKey(b"\x0b" * 32), jobs, served=served).test_client()


def _state(world) -> tuple[int, int]:
    usdc, _, coordinator, pay_to, chain, _ = world
    return usdc.balanceOf(pay_to), chain.provider.web3.eth.get_transaction_count(coordinator.address)


def _pay(world, http) -> str:
    answer = http.post(JOB, data=b"x")
    assert answer.status_code == 402
    required = decode_payment_required_header(answer.headers["PAYMENT-REQUIRED"])
    return encode_payment_signature_header(world[1].create_payment_payload(required))


def _job(http, header: str):
    return http.post(JOB, data=b"x", headers={"PAYMENT-SIGNATURE": header})


def _delivered(answer) -> SignedReceipt:
    assert answer.status_code == 200, (answer.status_code, answer.headers)
    signed = SignedReceipt.from_parts(answer.get_json()["receipt"], answer.get_json()["receipt_signature"])
    assert signed.is_valid()
    return signed


def _refused_as_used(http, header: str) -> None:
    again = _job(http, header)
    assert again.status_code == 402 and "receipt" not in (again.get_json() or {})
    assert "payment_already_used" in decode_payment_response_header(again.headers["PAYMENT-RESPONSE"]).error_reason


def _settling_tx(world, ref: str) -> str:
    tx = ref.removeprefix(NETWORK + ":")
    receipt = world[4].provider.web3.eth.get_transaction_receipt(tx)
    assert receipt["status"] == 1
    return tx


def test_a_job_that_failed_after_the_settle_runs_when_its_payment_comes_again(world, tmp_path) -> None:
    jobs = Jobs(failures=1)
    http = _endpoint(world, ServedPayments(tmp_path / "served.sqlite"), jobs)
    header = _pay(world, http)
    before = _state(world)
    assert _job(http, header).status_code == 500  # paid, then the job failed
    paid = _state(world)
    assert paid[0] == before[0] + FAST_LLM and paid[1] == before[1] + 1
    signed = _delivered(_job(http, header))  # the same payment: its job now runs, nothing is settled again
    assert jobs.runs == 2 and _state(world) == paid
    _settling_tx(world, signed.receipt.payment_ref)
    _refused_as_used(http, header)
    assert _state(world) == paid


def test_a_payment_settled_before_the_endpoint_died_buys_its_job_from_the_next_one(world, tmp_path) -> None:
    record = tmp_path / "served.sqlite"
    first = ServedPayments(record)
    header = _pay(world, _endpoint(world, first, Jobs()))
    failed = _job(_endpoint(world, first, Jobs(failures=1)), header)
    assert failed.status_code == 500
    paid = _state(world)
    # the endpoint process dies: its rows now name a process that is gone
    first.close()
    with sqlite3.connect(record) as db:
        db.execute("UPDATE served_payments SET owner = '999999999:1:dead'")
    second = ServedPayments(record)
    http = _endpoint(world, second, Jobs())
    signed = _delivered(_job(http, header))
    assert _state(world) == paid
    _settling_tx(world, signed.receipt.payment_ref)
    _refused_as_used(http, header)
    _refused_as_used(_endpoint(world, ServedPayments(record), Jobs()), header)


def test_a_claim_interrupted_before_its_settle_answer_is_settled_once_then_served(world, tmp_path) -> None:
    """The endpoint claimed the payment and the facilitator settled it, but the endpoint died before it heard
    the answer: the next endpoint settles it again through the facilitator, whose journal answers, and runs the
    job once."""
    record = tmp_path / "served.sqlite"
    first = ServedPayments(record)
    header = _pay(world, _endpoint(world, first, Jobs()))
    payload = decode_payment_signature_header(header)
    before = _state(world)
    assert first.claim(payload)
    settled = world[5].settle(payload, payload.accepted)  # the facilitator settles; the endpoint never hears
    assert settled.success and _state(world)[0] == before[0] + FAST_LLM
    paid = _state(world)
    first.close()
    second = ServedPayments(record)
    http = _endpoint(world, second, Jobs())
    signed = _delivered(_job(http, header))
    assert signed.receipt.payment_ref == f"{NETWORK}:{settled.transaction}"
    assert _state(world) == paid
    _refused_as_used(http, header)


def test_a_payment_in_flight_is_not_resumed(world, tmp_path) -> None:
    """A claim held by a request still running (same record, alive) is refused to a second request."""
    served = ServedPayments(tmp_path / "served.sqlite")
    http = _endpoint(world, served, Jobs())
    header = _pay(world, http)
    assert served.claim(decode_payment_signature_header(header))  # a request is settling it right now
    state = _state(world)
    _refused_as_used(http, header)
    assert _state(world) == state
