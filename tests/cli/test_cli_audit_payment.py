"""`dispatch-chain audit` checks the receipt's payment_ref (issue 15): against anvil with LocalUsdc and
a real anchored batch; a failing payment exits 1 naming its reason, --no-payment skips the check."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dispatch_chain.anchoring.bundles import bundle_of
from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.cli import main
from dispatch_chain.evm.anchor import EvmReceiptAnchor
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.keys import dev_account

from support import dev_network, make_signed, make_worker

PRICE = 5_000  # CHEAP LLM, $0.005


@pytest.fixture(scope="module")
def world(chain, project, accounts, tmp_path_factory):
    owner, payer, pay_to, stranger = accounts[0], accounts[2], accounts[3], accounts[4]
    anchor = owner.deploy(project.ReceiptAnchor, 0, owner, [accounts[1]])
    usdc = owner.deploy(project.LocalUsdc, owner.address)
    usdc.mint(payer, 10**6, sender=owner)

    def pay(to, amount: int) -> str:
        return f"eip155:31337:0x{usdc.transfer(to, amount, sender=payer).txn_hash.removeprefix('0x').lower()}"

    refs = {"good": pay(pay_to, PRICE), "small": pay(pay_to, PRICE - 1), "payee": pay(stranger, PRICE),
            "unpaid": None, "malformed": "eip155:31337:0x12"}
    client = EvmClient(dev_network(chain.provider.uri))
    backend = EvmReceiptAnchor(client, anchor.address, sender=TxSender(client, dev_account(1)))
    store = ReceiptStore(tmp_path_factory.mktemp("audit-pay") / "store.sqlite")
    service = AnchoringService(store, [backend], BatchPolicy(max_size=8, max_age=0))
    signed = {name: make_signed(make_worker(7), f"paid-{name}", payment_ref=ref) for name, ref in refs.items()}
    service.submit(list(signed.values()))
    service.drain()
    folder = tmp_path_factory.mktemp("bundles")
    paths = {}
    for name, s in signed.items():
        stored = store.receipt(s.receipt.receipt_hash())
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(bundle_of(stored, store.anchors_of_batch(stored.batch.id)).to_json())
    manifest = folder / "local.json"
    manifest.write_text(json.dumps({"network": "local", "evm": {"chain_id": 31337, "contracts": {
        "ReceiptAnchor": {"address": anchor.address}, "USDC": {"address": usdc.address}}}}))
    env = {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_MANIFEST": str(manifest)}

    def audit(name: str, *args: str):
        return CliRunner().invoke(main, ["audit", str(paths[name]), *args], env=env)

    audit.pay_to = f"eip155:31337:{pay_to.address}"  # type: ignore[attr-defined]
    audit.refs = refs  # type: ignore[attr-defined]
    audit.manifest = str(manifest)  # type: ignore[attr-defined]
    return audit


def test_a_paid_receipt_is_proven_with_its_payment(world) -> None:
    result = world("good", "--pay-to", world.pay_to, "--price", "0.005")
    assert result.exit_code == 0, result.output
    assert "ok    payment: 0.005000 USDC paid to" in result.output and "PROVEN job 'paid-good'" in result.output


@pytest.mark.parametrize(("name", "reason"), [
    ("small", "4999 USDC base units paid, the job costs 5000 (exit code 18)"),
    ("payee", "not the pay-to"),
    ("malformed", "hash>, got 'eip155:31337:0x12' (exit code 11)"),
])
def test_a_failing_payment_exits_1_naming_why(world, name, reason) -> None:
    result = world(name, "--pay-to", world.pay_to, "--price", "0.005")
    assert result.exit_code == 1 and "FAIL  payment: " in result.output and reason in result.output, result.output
    skipped = world(name, "--no-payment")
    assert skipped.exit_code == 0 and "payment" not in skipped.output, skipped.output


def test_unpaid_and_unconfigured(world) -> None:
    unpaid = world("unpaid")
    assert unpaid.exit_code == 0 and "no payment_ref (an unpaid job)" in unpaid.output, unpaid.output
    no_pay_to = world("good")
    assert no_pay_to.exit_code == 1 and "no pay-to address given for eip155:31337" in no_pay_to.output
    report = json.loads(world("good", "--pay-to", world.pay_to, "--json").output)
    assert report["ok"] and report["findings"][-1]["check"] == "payment"


@pytest.mark.parametrize(("args", "message"), [
    (("--pay-to", "0xabc"), "--pay-to '0xabc': expected"),
    (("--price", "-1"), "non-negative amount"),
    (("--price", "0.0000001"), "at most 6 decimals"),
    (("--price", "free"), "not a USDC amount"),
])
def test_bad_payment_options_exit_2(world, args, message) -> None:
    result = world("good", *args)
    assert result.exit_code == 2 and message in result.output, result.output


def test_payment_verify_exits_with_each_reasons_code(world, chain) -> None:
    env = {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_MANIFEST": world.manifest}

    def verify(ref: str, *args: str):
        return CliRunner().invoke(main, ["payment", "verify", ref, "--pay-to", world.pay_to, "--price", "0.005",
                                         *args], env=env)

    good = verify(world.refs["good"])
    assert good.exit_code == 0 and "0.005000 USDC paid to" in good.output, good.output
    cases = [(world.refs["malformed"], 11), ("eip155:1:0x" + "ab" * 32, 12), ("eip155:31337:0x" + "cd" * 32, 13),
             (world.refs["payee"], 17), (world.refs["small"], 18)]
    assert [verify(ref).exit_code for ref, _ in cases] == [code for _, code in cases]
    assert verify(world.refs["good"], "--price", "lots").exit_code == 2
