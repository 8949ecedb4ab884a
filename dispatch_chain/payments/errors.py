"""Why a payment reference does not prove a payment: one class and one exit code each.

Every class derives from :class:`PaymentError` (a :class:`~dispatch_chain.errors.DispatchChainError`);
``exit_code`` is what ``dispatch-chain`` exits with when the check fails for that reason
(codes 0-3 are the CLI's own: ok, failed, bad input, chain trouble).
"""

from __future__ import annotations

from dispatch_chain.errors import DispatchChainError


class PaymentError(DispatchChainError):
    """The payment reference does not prove a payment of the job's price to the coordinator."""

    exit_code = 10

    def __init__(self, message: str, *, payment_ref: str | None = None) -> None:
        super().__init__(message)
        self.payment_ref = payment_ref


class MalformedPaymentRef(PaymentError):
    """Not ``<CAIP-2 chain id>:<tx id>`` in the form DESIGN.md fixes (or null where a payment is needed)."""

    exit_code = 11


class WrongPaymentChain(PaymentError):
    """The reference names a chain this verifier is not configured for."""

    exit_code = 12


class PaymentNotFound(PaymentError):
    """No such transaction on the chain (not sent, or not seen by this node)."""

    exit_code = 13


class PaymentReverted(PaymentError):
    """The transaction was included but failed: it moved nothing."""

    exit_code = 14


class PaymentNotDeepEnough(PaymentError):
    """The transaction is not yet at the configured safe depth (confirmations / finalization)."""

    exit_code = 15


class WrongPaymentToken(PaymentError):
    """The transaction moved a token, but not the configured USDC."""

    exit_code = 16


class WrongPayee(PaymentError):
    """USDC moved, but not to the coordinator's pay-to address."""

    exit_code = 17


class PaymentTooSmall(PaymentError):
    """USDC reached the pay-to address, but less than the job's price."""

    exit_code = 18


class PaymentReplayed(PaymentError):
    """Another receipt already claims this payment: one payment backs at most one receipt."""

    exit_code = 19

    def __init__(self, message: str, *, payment_ref: str | None = None, claimed_by: str | None = None) -> None:
        super().__init__(message, payment_ref=payment_ref)
        self.claimed_by = claimed_by


ALL_PAYMENT_ERRORS: tuple[type[PaymentError], ...] = (
    MalformedPaymentRef,
    WrongPaymentChain,
    PaymentNotFound,
    PaymentReverted,
    PaymentNotDeepEnough,
    WrongPaymentToken,
    WrongPayee,
    PaymentTooSmall,
    PaymentReplayed,
)
