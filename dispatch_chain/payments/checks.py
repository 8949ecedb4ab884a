"""Payment checks of stored receipts: verified or flagged, never dropped.

The anchoring service calls :func:`check_receipts` on the receipts it has
just stored (when given a :class:`PaymentPolicy`): each receipt naming a
``payment_ref`` is verified against its chain; the outcome is stored
(``payment_checks``), and a failing one is flagged and reported while the
receipt stays stored and is anchored like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.payments.errors import PaymentError
from dispatch_chain.payments.verify import EvmPayments, PaymentClaim, PaymentVerifier, SolanaPayments
from dispatch_chain.receipts import Receipt, SignedReceipt


@dataclass(frozen=True)
class PaymentPolicy:
    """The chains payments are checked on (by CAIP-2 id) and what each receipt's job costs."""

    chains: Mapping[str, EvmPayments | SolanaPayments]
    price_of: Callable[[Receipt], int]


@dataclass(frozen=True, slots=True)
class PaymentFlag:
    receipt_hash: bytes
    payment_ref: str | None
    error: PaymentError


def check_receipts(store: ReceiptStore, policy: PaymentPolicy, signed: Sequence[SignedReceipt]) -> list[PaymentFlag]:
    """Verify the payments of ``signed`` (those with a payment_ref), store every outcome; returns the flagged."""
    paid = [s for s in signed if s.receipt.payment_ref is not None]
    if not paid:
        return []
    verifier = PaymentVerifier(policy.chains, store.payment_claims)
    claims = [
        PaymentClaim(s.receipt.payment_ref, policy.price_of(s.receipt), "0x" + s.receipt.receipt_hash().hex())
        for s in paid
    ]
    results = verifier.verify(claims)
    store.record_payment_checks(
        (s.receipt.receipt_hash(), s.receipt.payment_ref, not isinstance(r, PaymentError), _reason(r))
        for s, r in zip(paid, results, strict=True)
    )
    return [
        PaymentFlag(s.receipt.receipt_hash(), s.receipt.payment_ref, r)
        for s, r in zip(paid, results, strict=True)
        if isinstance(r, PaymentError)
    ]


def _reason(result: object) -> str:
    return f"{type(result).__name__}: {result}" if isinstance(result, PaymentError) else "verified"
