"""The anchoring service with payment checks (issue 15): receipts whose payment does not verify are
stored, flagged, reported and anchored like the others; never dropped. One payment backs one receipt."""

from __future__ import annotations

from dispatch_chain.anchoring.service import AnchoringService, BatchPolicy
from dispatch_chain.payments.checks import PaymentPolicy
from dispatch_chain.payments.errors import PaymentReplayed, PaymentTooSmall
from dispatch_chain.payments.verify import EvmPayments

from support import make_signed, make_worker

PRICE = 5_000  # CHEAP LLM: $0.005


def test_failing_payments_are_flagged_not_dropped(project, accounts, chain, store, evm_backend) -> None:
    owner, payer, pay_to = accounts[0], accounts[1], accounts[2]
    usdc = owner.deploy(project.LocalUsdc, owner.address)
    usdc.mint(payer, 10**6, sender=owner)
    caip2 = f"eip155:{chain.chain_id}"
    good = f"{caip2}:0x{usdc.transfer(pay_to, PRICE, sender=payer).txn_hash.removeprefix('0x').lower()}"
    small = f"{caip2}:0x{usdc.transfer(pay_to, PRICE - 1, sender=payer).txn_hash.removeprefix('0x').lower()}"
    payments = EvmPayments(chain.provider.uri, caip2, usdc=usdc.address, pay_to=pay_to.address, confirmations=1)
    messages: list[str] = []
    service = AnchoringService(store, [evm_backend], BatchPolicy(max_size=8, max_age=0), progress=messages.append,
                               payments=PaymentPolicy({caip2: payments}, price_of=lambda receipt: PRICE))
    worker = make_worker(3)
    paid = make_signed(worker, "job-paid", payment_ref=good)
    replay = make_signed(worker, "job-replay", payment_ref=good)  # the same payment for a second job
    too_small = make_signed(worker, "job-small", payment_ref=small)
    unpaid = make_signed(worker, "job-unpaid")

    service.submit([paid, replay, too_small, unpaid])
    flags = {f.receipt_hash: f.error for f in service.payment_flags}
    assert set(flags) == {replay.receipt.receipt_hash(), too_small.receipt.receipt_hash()}
    assert isinstance(flags[replay.receipt.receipt_hash()], PaymentReplayed)
    assert flags[replay.receipt.receipt_hash()].claimed_by == "0x" + paid.receipt.receipt_hash().hex()
    assert isinstance(flags[too_small.receipt.receipt_hash()], PaymentTooSmall)
    assert sum("payment flagged" in m for m in messages) == 2

    summary = service.drain()  # every receipt is anchored, flagged or not
    assert [b.leaf_count for b in summary.batches_cut] == [4]
    for signed in (paid, replay, too_small, unpaid):
        assert store.receipt(signed.receipt.receipt_hash()).batch is not None
    flagged = store.flagged_payments()
    assert {h for h, _, _ in flagged} == set(flags)
    assert all(reason.startswith(("PaymentReplayed", "PaymentTooSmall")) for _, _, reason in flagged)
    assert store.stats()["flagged_payments"] == 2

    service.submit([paid])  # the same receipt again still owns its payment
    assert service.payment_flags == []
    assert store.payment_claims([good, small, "eip155:1:0x" + "00" * 32]) == {
        good: "0x" + paid.receipt.receipt_hash().hex(), small: "0x" + too_small.receipt.receipt_hash().hex()}
