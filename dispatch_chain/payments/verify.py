"""Proof of payment: a ``payment_ref`` checked against its chain, many at a time.

A reference proves a payment when its transaction (1) exists and succeeded,
(2) is at the configured safe depth, (3) moved at least the job's price of
the configured USDC (4) to the coordinator's pay-to address, and (5) no other
receipt already claims it. Each failure is its own exception class
(:mod:`.errors`). Reads are batched: one JSON-RPC batch of
``eth_getTransactionReceipt`` (plus the head) for any number of EVM
references, and ``getSignatureStatuses`` plus one batch of ``getTransaction``
for Solana ones; :meth:`PaymentVerifier.verify_one_by_one` makes one round
trip per reference instead (the benchmark's baseline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from dispatch_chain.errors import ChainError
from dispatch_chain.payments.errors import (
    MalformedPaymentRef,
    PaymentError,
    PaymentNotDeepEnough,
    PaymentNotFound,
    PaymentReplayed,
    PaymentReverted,
    PaymentTooSmall,
    WrongPayee,
    WrongPaymentChain,
    WrongPaymentToken,
)
from dispatch_chain.payments.ref import PaymentRef

#: keccak256("Transfer(address,address,uint256)")
TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
BATCH_LIMIT = 100  # JSON-RPC calls per HTTP request


@dataclass(frozen=True, slots=True)
class PaymentClaim:
    """What a receipt says it was paid with: its reference, the job's price (USDC base units), the receipt."""

    payment_ref: str | None
    price: int
    receipt_hash: str


@dataclass(frozen=True, slots=True)
class VerifiedPayment:
    ref: PaymentRef
    amount: int  # USDC base units that reached the pay-to address
    block: int  # EVM block or Solana slot


PaymentResult = VerifiedPayment | PaymentError
#: Who already claims a payment reference (canonical string) -> receipt hash; the store's unique index.
ClaimLookup = Callable[[Sequence[str]], Mapping[str, str]]


def rpc_batch(http: httpx.Client, url: str, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
    """JSON-RPC 2.0 calls in batches of :data:`BATCH_LIMIT` over ``http`` (kept alive); results in order.

    An error answer, or a transport failure, raises :class:`~dispatch_chain.errors.ChainError`.
    """
    results: list[Any] = []
    for start in range(0, len(calls), BATCH_LIMIT):
        chunk = calls[start : start + BATCH_LIMIT]
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(chunk)]
        try:
            response = http.post(url, json=body)
            response.raise_for_status()
            answers = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ChainError(f"the JSON-RPC batch to {url} failed: {exc}") from exc
        if not isinstance(answers, list):
            raise ChainError(f"{url} answered a batch with {type(answers).__name__}, not a list")
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        for i, (method, _) in enumerate(chunk):
            answer = by_id.get(i)
            if answer is None or "error" in answer:
                raise ChainError(f"{method} failed at {url}: {answer and answer.get('error')}")
            results.append(answer.get("result"))
    return results


class EvmPayments:
    """USDC payments on one EVM chain: ``usdc`` token, ``pay_to`` payee, ``confirmations`` deep."""

    def __init__(self, rpc_url: str, chain: str, *, usdc: str, pay_to: str, confirmations: int) -> None:
        self.rpc_url, self.chain = rpc_url, chain
        self.http = httpx.Client(timeout=30.0)
        self.usdc, self.pay_to = usdc.lower(), pay_to.lower()
        self.confirmations = max(confirmations, 1)

    def check(self, refs: Sequence[tuple[PaymentRef, int]]) -> list[PaymentResult]:
        calls: list[tuple[str, list[Any]]] = [("eth_blockNumber", [])]
        calls += [("eth_getTransactionReceipt", [ref.tx]) for ref, _ in refs]
        head, *receipts = rpc_batch(self.http, self.rpc_url, calls)
        return [
            self._judge(ref, price, receipt, int(head, 16))
            for (ref, price), receipt in zip(refs, receipts, strict=True)
        ]

    def _judge(self, ref: PaymentRef, price: int, receipt: Any, head: int) -> PaymentResult:
        text = str(ref)
        if receipt is None:
            return PaymentNotFound(f"{text}: no such transaction on {self.chain}", payment_ref=text)
        block = int(receipt["blockNumber"], 16)
        if int(receipt["status"], 16) != 1:
            return PaymentReverted(f"{text}: the transaction reverted in block {block}", payment_ref=text)
        depth = head - block + 1
        if depth < self.confirmations:
            return PaymentNotDeepEnough(
                f"{text}: {depth} of {self.confirmations} confirmations (block {block}, head {head})", payment_ref=text
            )
        transfers = [
            (log["address"].lower(), "0x" + log["topics"][2][-40:], int(log["data"], 16))
            for log in receipt.get("logs", [])
            if len(log.get("topics", [])) == 3 and log["topics"][0] == TRANSFER_TOPIC
        ]
        return _judge_transfers(text, price, block, ref, [(t, to.lower(), v) for t, to, v in transfers], self)


class SolanaPayments:
    """USDC payments on one Solana cluster: ``usdc`` mint, ``pay_to`` owner, at ``commitment`` (finalized)."""

    def __init__(self, rpc_url: str, chain: str, *, usdc: str, pay_to: str, commitment: str = "finalized") -> None:
        self.rpc_url, self.chain = rpc_url, chain
        self.http = httpx.Client(timeout=30.0)
        self.usdc, self.pay_to = usdc, pay_to
        self.commitment = commitment

    def check(self, refs: Sequence[tuple[PaymentRef, int]]) -> list[PaymentResult]:
        sigs = [ref.tx for ref, _ in refs]
        statuses: list[Any] = []
        for start in range(0, len(sigs), 256):  # getSignatureStatuses takes up to 256
            (answer,) = rpc_batch(
                self.http,
                self.rpc_url,
                [("getSignatureStatuses", [sigs[start : start + 256], {"searchTransactionHistory": True}])],
            )
            statuses += answer["value"]
        options = {"encoding": "json", "maxSupportedTransactionVersion": 0, "commitment": "confirmed"}
        found = [i for i, s in enumerate(statuses) if s is not None]
        txs = rpc_batch(self.http, self.rpc_url, [("getTransaction", [sigs[i], options]) for i in found])
        by_index = dict(zip(found, txs, strict=True))
        return [self._judge(ref, price, statuses[i], by_index.get(i)) for i, (ref, price) in enumerate(refs)]

    def _judge(self, ref: PaymentRef, price: int, status: Any, tx: Any) -> PaymentResult:
        text = str(ref)
        if status is None or tx is None:
            return PaymentNotFound(f"{text}: no such transaction on {self.chain}", payment_ref=text)
        slot = int(status["slot"])
        if status.get("err") is not None or tx["meta"].get("err") is not None:
            return PaymentReverted(f"{text}: the transaction failed in slot {slot}", payment_ref=text)
        level = status.get("confirmationStatus")
        if self.commitment == "finalized" and level != "finalized":
            return PaymentNotDeepEnough(f"{text}: {level}, not finalized (slot {slot})", payment_ref=text)
        meta = tx["meta"]
        before = {
            (b["accountIndex"], b["mint"]): int(b["uiTokenAmount"]["amount"])
            for b in meta.get("preTokenBalances") or []
        }
        transfers = []
        for b in meta.get("postTokenBalances") or []:
            gained = int(b["uiTokenAmount"]["amount"]) - before.get((b["accountIndex"], b["mint"]), 0)
            if gained > 0:
                transfers.append((b["mint"], b.get("owner", ""), gained))
        return _judge_transfers(text, price, slot, ref, transfers, self)


def _judge_transfers(
    text: str,
    price: int,
    block: int,
    ref: PaymentRef,
    transfers: Iterable[tuple[str, str, int]],
    chain: EvmPayments | SolanaPayments,
) -> PaymentResult:
    """From (token, recipient, amount) movements: the payment to ``pay_to`` in USDC, or why not."""
    moved = list(transfers)
    usdc = [(to, amount) for token, to, amount in moved if token == chain.usdc]
    if not usdc:
        tokens = sorted({token for token, _, _ in moved})
        what = f"moved {', '.join(tokens)}" if tokens else "moved no token"
        return WrongPaymentToken(f"{text}: {what}, not USDC {chain.usdc}", payment_ref=text)
    paid = sum(amount for to, amount in usdc if to == chain.pay_to)
    if paid == 0:
        payees = sorted({to for to, _ in usdc})
        return WrongPayee(f"{text}: USDC went to {', '.join(payees)}, not the pay-to {chain.pay_to}", payment_ref=text)
    if paid < price:
        return PaymentTooSmall(f"{text}: {paid} USDC base units paid, the job costs {price}", payment_ref=text)
    return VerifiedPayment(ref, paid, block)


class PaymentVerifier:
    """Checks payment claims against the configured chains (by CAIP-2 id) and the store's claims."""

    def __init__(self, chains: Mapping[str, EvmPayments | SolanaPayments], claims: ClaimLookup) -> None:
        self.chains = dict(chains)
        self.claims = claims

    def verify(self, claims: Sequence[PaymentClaim]) -> list[PaymentResult]:
        """One result per claim, in order; chain reads batched per chain."""
        results: list[PaymentResult | None] = [None] * len(claims)
        grouped: dict[str, list[tuple[int, PaymentRef, int]]] = {}
        for i, claim in enumerate(claims):
            try:
                ref = PaymentRef.parse(claim.payment_ref)
            except MalformedPaymentRef as exc:
                results[i] = exc
                continue
            if ref.chain not in self.chains:
                known = ", ".join(sorted(self.chains)) or "none"
                results[i] = WrongPaymentChain(
                    f"{ref}: chain {ref.chain} is not configured (configured: {known})", payment_ref=str(ref)
                )
                continue
            grouped.setdefault(ref.chain, []).append((i, ref, claim.price))
        claimed = self.claims([str(ref) for refs in grouped.values() for _, ref, _ in refs])
        for chain, items in grouped.items():
            checked = self.chains[chain].check([(ref, price) for _, ref, price in items])
            for (i, ref, _), result in zip(items, checked, strict=True):
                owner = claimed.get(str(ref))
                if isinstance(result, VerifiedPayment) and owner is not None and owner != claims[i].receipt_hash:
                    result = PaymentReplayed(
                        f"{ref}: already claimed by receipt {owner}", payment_ref=str(ref), claimed_by=owner
                    )
                results[i] = result
        return [r for r in results if r is not None]

    def verify_one_by_one(self, claims: Sequence[PaymentClaim]) -> list[PaymentResult]:
        """The same answers, one chain round trip per claim (the benchmark's baseline)."""
        return [result for claim in claims for result in self.verify([claim])]
