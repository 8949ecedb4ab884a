"""The coordinator's x402 facilitator (the SDK's facilitator and exact EVM scheme) on anvil with
LocalUsdc, through its HTTP endpoints: a payment verifies and settles once, a second settle of the
same payment sends nothing, a crash between broadcast and response recovers the settling transaction,
and a payment for the wrong amount is refused with nothing settled."""

from __future__ import annotations

import json

import pytest
from support_x402 import anvil_client, cli_server, evm_facilitator, usdc_and_payer
from x402 import x402FacilitatorSync
from x402.schemas import PaymentRequired, PaymentRequirements

from dispatch_chain.keys import dev_account
from dispatch_chain.payments.facilitator import DurableFacilitator, facilitator_app, payload_key

from support import RpcProxy

NETWORK = "eip155:31337"
PRICE = 10_000


@pytest.fixture(scope="module")
def world(project, accounts, chain):
    payer, coordinator, pay_to = dev_account(3), dev_account(4), dev_account(5).address
    usdc, client = usdc_and_payer(project, accounts[0], payer, NETWORK, lambda usdc: [
        {"network": NETWORK, "asset": usdc.address, "max_amount_per_payment": "1000000"}])

    def facilitator() -> x402FacilitatorSync:
        return evm_facilitator(coordinator, chain.provider.uri, NETWORK)

    def requirements(amount: int = PRICE) -> PaymentRequirements:
        return PaymentRequirements(scheme="exact", network=NETWORK, asset=usdc.address, amount=str(amount),
                                   pay_to=pay_to, max_timeout_seconds=300,
                                   extra={"name": "USD Coin", "version": "1"})

    def pay(amount: int = PRICE):
        return client.create_payment_payload(PaymentRequired(x402_version=2, accepts=[requirements(amount)],
                                                             resource={"url": "http://localhost/job"}))

    return usdc, pay_to, coordinator, facilitator, requirements, pay, chain


def _body(payload, requirements) -> dict:
    return {"x402Version": 2, "paymentPayload": payload.model_dump(by_alias=True, exclude_none=True),
            "paymentRequirements": requirements.model_dump(by_alias=True, exclude_none=True)}


def test_verify_settle_once_over_http(world, tmp_path) -> None:
    usdc, pay_to, coordinator, facilitator, requirements, pay, chain = world
    http = facilitator_app(DurableFacilitator(facilitator(), tmp_path / "f.sqlite",
                                              evm=anvil_client(chain.provider.uri))).test_client()
    supported = http.get("/supported").get_json()
    assert {"x402Version": 2, "scheme": "exact", "network": NETWORK} in supported["kinds"]
    payload = pay()
    body = _body(payload, requirements())
    assert http.post("/verify", json=body).get_json()["isValid"] is True
    before = usdc.balanceOf(pay_to)
    first = http.post("/settle", json=body).get_json()
    assert first["success"] and first["transaction"].startswith("0x")
    sent = chain.provider.web3.eth.get_transaction_count(coordinator.address)
    again = http.post("/settle", json=body).get_json()
    assert again == first  # the stored response: no second transaction
    assert chain.provider.web3.eth.get_transaction_count(coordinator.address) == sent
    assert usdc.balanceOf(pay_to) == before + PRICE


def test_a_crash_between_broadcast_and_response_recovers_the_transaction(world, tmp_path) -> None:
    _, _, coordinator, facilitator, requirements, pay, chain = world
    payload, path = pay(), tmp_path / "f.sqlite"
    crashed = DurableFacilitator(facilitator(), path, evm=anvil_client(chain.provider.uri))
    with crashed._db:  # the journal row written before broadcast ...
        crashed._db.execute("INSERT INTO settlements (payload_key, network, state, from_block, updated_at)"
                            " VALUES (?, ?, 'broadcasting', ?, 0)",
                            (payload_key(payload), NETWORK, chain.blocks.head.number))
    broadcast = facilitator().settle(payload, requirements())  # ... the broadcast, then the process died
    assert broadcast.success
    restarted = DurableFacilitator(facilitator(), path, evm=anvil_client(chain.provider.uri))
    sent = chain.provider.web3.eth.get_transaction_count(coordinator.address)
    recovered = restarted.settle(payload, requirements())
    assert recovered.success and recovered.transaction == broadcast.transaction
    assert chain.provider.web3.eth.get_transaction_count(coordinator.address) == sent


def test_recovery_reads_logs_in_ranges_the_rpc_accepts(world, tmp_path) -> None:
    """The crash recovery behind an RPC refusing eth_getLogs over more than 4 blocks, 30 blocks after the
    broadcast: it reads the AuthorizationUsed event in ranges the RPC serves and names the real transaction."""
    _, _, coordinator, facilitator, requirements, pay, chain = world
    payload, path = pay(), tmp_path / "f.sqlite"
    with RpcProxy(chain.provider.uri, max_log_range=4) as proxy:
        crashed = DurableFacilitator(facilitator(), path, evm=anvil_client(proxy.url, max_log_range=4))
        with crashed._db:  # the journal row as settle() writes it, with the head it records, then the crash
            crashed._db.execute("INSERT INTO settlements (payload_key, network, state, from_block, updated_at)"
                                " VALUES (?, ?, 'broadcasting', ?, 0)",
                                (payload_key(payload), NETWORK, crashed._head(payload)))
        broadcast = facilitator().settle(payload, requirements())
        assert broadcast.success
        chain.mine(30)
        restarted = DurableFacilitator(facilitator(), path, evm=anvil_client(proxy.url, max_log_range=4))
        sent = chain.provider.web3.eth.get_transaction_count(coordinator.address)
        recovered = restarted.settle(payload, requirements())
        assert recovered.success and recovered.transaction == broadcast.transaction
        assert restarted.settle(payload, requirements()) == recovered  # now from the journal
        assert chain.provider.web3.eth.get_transaction_count(coordinator.address) == sent
        assert proxy.refused_ranges == 0 and len(proxy.log_ranges) >= 8
        assert all(end - start < 4 for start, end in proxy.log_ranges)
        assert min(start for start, _ in proxy.log_ranges) > 0  # from the recorded head, not block 0


def test_a_broadcast_without_a_recorded_head_is_refused_not_scanned(world, tmp_path) -> None:
    """A journal row broadcast with no head block (none was known) is answered with a clear refusal: neither a
    scan of the chain's history nor a second broadcast."""
    _, _, coordinator, facilitator, requirements, pay, chain = world
    payload, path = pay(), tmp_path / "f.sqlite"
    with RpcProxy(chain.provider.uri, max_log_range=4) as proxy:
        durable = DurableFacilitator(facilitator(), path, evm=anvil_client(proxy.url, max_log_range=4))
        with durable._db:
            durable._db.execute("INSERT INTO settlements (payload_key, network, state, from_block, updated_at)"
                                " VALUES (?, ?, 'broadcasting', NULL, 0)", (payload_key(payload), NETWORK))
        sent = chain.provider.web3.eth.get_transaction_count(coordinator.address)
        answer = durable.settle(payload, requirements())
        assert not answer.success and answer.error_reason == "settlement_unrecoverable"
        assert proxy.log_ranges == []
        assert chain.provider.web3.eth.get_transaction_count(coordinator.address) == sent
    no_evm = DurableFacilitator(facilitator(), tmp_path / "g.sqlite")  # an EVM payment needs the EVM chain
    refused = no_evm.settle(pay(), requirements())
    assert not refused.success and refused.error_reason == "facilitator_has_no_evm_chain"
    assert chain.provider.web3.eth.get_transaction_count(coordinator.address) == sent


def test_a_wrong_payment_is_refused_and_nothing_settled(world, tmp_path) -> None:
    usdc, pay_to, coordinator, facilitator, requirements, pay, chain = world
    http = facilitator_app(DurableFacilitator(facilitator(), tmp_path / "f.sqlite",
                                              evm=anvil_client(chain.provider.uri))).test_client()
    payload = pay(PRICE - 1)  # signed for less than the price asked
    body = _body(payload, requirements())
    body["paymentPayload"]["accepted"] = body["paymentRequirements"]
    verdict = http.post("/verify", json=body).get_json()
    assert verdict["isValid"] is False and verdict["invalidReason"]
    before, sent = usdc.balanceOf(pay_to), chain.provider.web3.eth.get_transaction_count(coordinator.address)
    settled = http.post("/settle", json=body).get_json()
    assert settled["success"] is False and settled["errorReason"]
    assert usdc.balanceOf(pay_to) == before
    assert chain.provider.web3.eth.get_transaction_count(coordinator.address) == sent
    assert http.post("/settle", data="not json", content_type="application/json").status_code == 400


def test_the_cli_serves_the_facilitator(world, tmp_path) -> None:
    from dispatch_chain.localnet import free_port

    chain = world[-1]
    port = free_port()
    env = {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_NETWORK": "local", "DISPATCH_SOLANA_KEYPAIR": None}
    args = ["x402", "facilitator", "--port", str(port), "--store", str(tmp_path / "j.sqlite"), "--evm-account", "dev:4"]
    with cli_server(args, env, f"http://127.0.0.1:{port}/supported") as (status, body, _):
        assert status == 200
        supported = json.loads(body)
        assert {"x402Version": 2, "scheme": "exact", "network": NETWORK} in supported["kinds"]
        assert supported["signers"]["eip155:*"] == [dev_account(4).address]
