"""The coordinator's x402 facilitator on its SVM side, against the local Solana node with a local 6-decimal USDC
mint: the SDK client signs an `exact` payment (a transfer the facilitator pays the fee of), the facilitator
verifies and settles it once, the USDC reaches the pay-to and the payment_ref verifies with dispatch_chain.payments;
a second settle of the same payment sends nothing."""

from __future__ import annotations

import pytest
from conftest import funded
from solders.keypair import Keypair
from x402 import x402ClientSync
from x402.mechanisms.svm import KeypairSigner
from x402.mechanisms.svm.exact.register import register_exact_svm_client
from x402.schemas import PaymentRequired, PaymentRequirements

from dispatch_chain.payments.endpoint import payment_ref_of
from dispatch_chain.payments.facilitator import DurableFacilitator, SvmSettler, sdk_facilitator, sdk_svm_network
from dispatch_chain.payments.verify import PaymentClaim, PaymentVerifier, SolanaPayments, VerifiedPayment
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.usdc import USDC, create_usdc, fund_usdc

PRICE = 3_000  # FAST TASK: $0.003


@pytest.fixture(scope="module")
def world(solana, tmp_path_factory):
    authority, payer, coordinator, pay_to, mint = funded(solana), funded(solana), funded(solana), Keypair(), Keypair()
    create_usdc(solana, authority, mint)
    fund_usdc(solana, authority, mint.pubkey(), {payer.pubkey(): 10 * USDC, pay_to.pubkey(): 1})  # pay-to's ATA exists
    # The SDK's SVM scheme knows only mainnet/devnet/testnet ids: the local node is paid under the devnet id with
    # every SDK RPC pointed at it (sdk_svm_network); the payment_ref names the node's own chain.
    rpc, network = solana.network.rpc_url, sdk_svm_network(solana.caip2)
    client = x402ClientSync()
    register_exact_svm_client(client, KeypairSigner(payer), networks=network, rpc_url=rpc)
    client.set_spend_controls({"allowed_assets": True})
    durable = DurableFacilitator(sdk_facilitator(svm=SvmSettler(coordinator, rpc, solana.caip2)), tmp_path_factory.mktemp("f") / "f.sqlite")
    requirements = PaymentRequirements(scheme="exact", network=network, asset=str(mint.pubkey()), amount=str(PRICE),
                                       pay_to=str(pay_to.pubkey()), max_timeout_seconds=300,
                                       extra={"feePayer": str(coordinator.pubkey())})
    return solana, client, durable, requirements, mint, pay_to, coordinator


def _balance(solana, owner, mint) -> int:
    return int(solana.rpc.get_token_account_balance(associated_token_account(owner, mint)).value.amount)


def test_an_svm_exact_payment_settles_once_and_verifies(world) -> None:
    solana, client, durable, requirements, mint, pay_to, coordinator = world
    payload = client.create_payment_payload(PaymentRequired(x402_version=2, accepts=[requirements],
                                                            resource={"url": "http://localhost/job"}))
    before = _balance(solana, pay_to.pubkey(), mint.pubkey())
    assert durable.verify(payload, requirements).is_valid
    lamports = solana.rpc.get_balance(coordinator.pubkey()).value
    settled = durable.settle(payload, requirements)
    assert settled.success, settled
    assert _balance(solana, pay_to.pubkey(), mint.pubkey()) == before + PRICE
    paid_fee = solana.rpc.get_balance(coordinator.pubkey()).value
    assert paid_fee < lamports  # the facilitator paid the fee
    again = durable.settle(payload, requirements)
    assert again == settled  # from the journal: nothing sent
    assert _balance(solana, pay_to.pubkey(), mint.pubkey()) == before + PRICE
    assert solana.rpc.get_balance(coordinator.pubkey()).value == paid_fee
    payments = SolanaPayments(solana.network.rpc_url, solana.caip2, usdc=str(mint.pubkey()),
                              pay_to=str(pay_to.pubkey()))
    [result] = PaymentVerifier({solana.caip2: payments}, lambda refs: {}).verify(
        [PaymentClaim(payment_ref_of(settled, solana.caip2), PRICE, "0x01")])
    assert isinstance(result, VerifiedPayment) and result.amount == PRICE, result


def test_the_paid_endpoint_takes_an_svm_payment(world, tmp_path) -> None:
    """Through the endpoint: the SDK's SVM server scheme names the facilitator as fee payer, the receipt's
    payment_ref names the node's own chain (not the SDK's devnet id) and verifies; the same payment again is
    refused with nothing moved."""
    import nacl.signing
    from x402.http.utils import decode_payment_required_header, encode_payment_signature_header

    from dispatch_chain.payments.endpoint import LocalFacilitatorClient, PayOption, paid_job_app
    from dispatch_chain.payments.prices import WhitepaperPrices
    from dispatch_chain.payments.served import ServedPayments
    from dispatch_chain.receipts import SignedReceipt

    solana, client, durable, requirements, mint, pay_to, _ = world
    option = PayOption(requirements.network, str(mint.pubkey()), str(pay_to.pubkey()), chain_id=solana.caip2)
    http = paid_job_app(LocalFacilitatorClient(durable), [option], WhitepaperPrices(),
                        nacl.signing.SigningKey(b"\x05" * 32), lambda *_: b"done",
                        served=ServedPayments(tmp_path / "served.sqlite")).test_client()
    required = decode_payment_required_header(http.post("/job?tier=FAST&kind=TASK").headers["PAYMENT-REQUIRED"])
    assert required.accepts[0].amount == str(PRICE) and required.accepts[0].extra["feePayer"]
    header = encode_payment_signature_header(client.create_payment_payload(required))
    before = _balance(solana, pay_to.pubkey(), mint.pubkey())
    answer = http.post("/job?tier=FAST&kind=TASK", headers={"PAYMENT-SIGNATURE": header})
    assert answer.status_code == 200, answer.headers
    signed = SignedReceipt.from_parts(answer.get_json()["receipt"], answer.get_json()["receipt_signature"])
    assert signed.is_valid() and signed.receipt.payment_ref.startswith(solana.caip2 + ":")
    assert _balance(solana, pay_to.pubkey(), mint.pubkey()) == before + PRICE
    payments = SolanaPayments(solana.network.rpc_url, solana.caip2, usdc=str(mint.pubkey()),
                              pay_to=str(pay_to.pubkey()))
    [result] = PaymentVerifier({solana.caip2: payments}, lambda refs: {}).verify(
        [PaymentClaim(signed.receipt.payment_ref, PRICE, "0x01")])
    assert isinstance(result, VerifiedPayment), result
    again = http.post("/job?tier=FAST&kind=TASK", headers={"PAYMENT-SIGNATURE": header})
    assert again.status_code == 402 and _balance(solana, pay_to.pubkey(), mint.pubkey()) == before + PRICE


def test_the_cli_serves_jobs_paid_on_solana(world, tmp_path) -> None:
    """`x402 serve-jobs --pay-to solana:<genesis>:<owner>` as a subprocess, the in-process facilitator paying the
    fees with --solana-keypair, a manifest of the Solana side only and no EVM node anywhere: unpaid -> 402 with the
    SVM option at the whitepaper's price; paid with the SDK client -> the worker's receipt, whose payment_ref names
    the node's own chain and verifies; the same payment again -> refused, nothing moved."""
    import json
    import urllib.request

    import nacl.signing
    from support_x402 import cli_server, post
    from x402.http.utils import (
        decode_payment_required_header,
        decode_payment_response_header,
        encode_payment_signature_header,
    )

    from dispatch_chain.keys import save_keypair_bytes, save_worker_key
    from dispatch_chain.localnet import free_port
    from dispatch_chain.receipts import SignedReceipt

    solana, client, _, _, mint, pay_to, coordinator = world
    save_worker_key(tmp_path / "worker.json", nacl.signing.SigningKey(b"\x0c" * 32))
    save_keypair_bytes(tmp_path / "fee-payer.json", bytes(coordinator))
    manifest = tmp_path / "local.json"
    manifest.write_text(json.dumps({"network": "local", "solana": {
        "cluster": solana.caip2, "accounts": {"usdc_mint": str(mint.pubkey())}}}))
    env = {"DISPATCH_NETWORK": "local", "DISPATCH_MANIFEST": str(manifest),
           "DISPATCH_SOLANA_RPC_URL": solana.network.rpc_url,
           "DISPATCH_EVM_RPC_URL": "http://127.0.0.1:9",  # nothing listens there: the EVM side is never touched
           "DISPATCH_SOLANA_KEYPAIR": None, "DISPATCH_EVM_ACCOUNT": None, "DISPATCH_FACILITATOR_ACCOUNT": None}
    port = free_port()
    url = f"http://127.0.0.1:{port}/job?tier=FAST&kind=TASK"
    args = ["x402", "serve-jobs", "--port", str(port), "--worker-key", str(tmp_path / "worker.json"),
            "--pay-to", f"{solana.caip2}:{pay_to.pubkey()}", "--solana-keypair", str(tmp_path / "fee-payer.json"),
            "--store", str(tmp_path / "f.sqlite"), "--served-store", str(tmp_path / "served.sqlite")]
    with cli_server(args, env, urllib.request.Request(url, data=b"hello", method="POST")) as (status, _, headers):
        assert status == 402
        required = decode_payment_required_header(headers["PAYMENT-REQUIRED"])
        [option] = required.accepts
        assert (option.network, option.asset, option.amount, option.pay_to) == (
            sdk_svm_network(solana.caip2), str(mint.pubkey()), str(PRICE), str(pay_to.pubkey()))
        assert option.extra["feePayer"] == str(coordinator.pubkey())
        header = encode_payment_signature_header(client.create_payment_payload(required))
        before = _balance(solana, pay_to.pubkey(), mint.pubkey())
        status, body, _ = post(url, b"hello", {"PAYMENT-SIGNATURE": header})
        assert status == 200, body
        answer = json.loads(body)
        signed = SignedReceipt.from_parts(answer["receipt"], answer["receipt_signature"])
        assert signed.is_valid() and signed.receipt.payment_ref.startswith(solana.caip2 + ":")
        assert _balance(solana, pay_to.pubkey(), mint.pubkey()) == before + PRICE
        payments = SolanaPayments(solana.network.rpc_url, solana.caip2, usdc=str(mint.pubkey()),
                                  pay_to=str(pay_to.pubkey()))
        [result] = PaymentVerifier({solana.caip2: payments}, lambda refs: {}).verify(
            [PaymentClaim(signed.receipt.payment_ref, PRICE, "0x" + signed.receipt.receipt_hash().hex())])
        assert isinstance(result, VerifiedPayment) and result.amount == PRICE, result
        status, _, headers = post(url, b"hello", {"PAYMENT-SIGNATURE": header})
        assert status == 402
        assert "payment_already_used" in decode_payment_response_header(headers["PAYMENT-RESPONSE"]).error_reason
        assert _balance(solana, pay_to.pubkey(), mint.pubkey()) == before + PRICE
