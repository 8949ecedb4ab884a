"""``payment_ref``: the settling transaction of an x402 payment as ``<CAIP-2 chain id>:<tx id>``.

The forms ../shared/DESIGN.md fixes:

- EVM: ``eip155:<chain id>:0x<64 lowercase hex tx hash>``, e.g. ``eip155:10143:0x…``;
- Solana: ``solana:<32-character genesis hash prefix>:<base58 signature>`` (64 bytes).

Anything else raises :class:`~dispatch_chain.payments.errors.MalformedPaymentRef` naming what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from solders.signature import Signature

from dispatch_chain.payments.errors import MalformedPaymentRef

_EVM = re.compile(r"eip155:([1-9][0-9]{0,19}):(0x[0-9a-f]{64})")
_SOLANA = re.compile(r"solana:([1-9A-HJ-NP-Za-km-z]{32}):([1-9A-HJ-NP-Za-km-z]{64,88})")
MAX_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PaymentRef:
    """A parsed payment reference: ``chain`` (CAIP-2) and ``tx`` (hash or signature), ``str()`` is canonical."""

    chain: str
    tx: str

    @property
    def namespace(self) -> str:
        return self.chain.split(":", 1)[0]

    def __str__(self) -> str:
        return f"{self.chain}:{self.tx}"

    @classmethod
    def parse(cls, value: object) -> PaymentRef:
        if not isinstance(value, str):
            raise MalformedPaymentRef(f"payment_ref: expected a string, got {type(value).__name__}")
        shown = value[:MAX_LENGTH]
        if len(value) > MAX_LENGTH:
            raise MalformedPaymentRef(f"payment_ref: longer than {MAX_LENGTH} characters", payment_ref=shown)
        if match := _EVM.fullmatch(value):
            return cls(f"eip155:{match.group(1)}", match.group(2))
        if match := _SOLANA.fullmatch(value):
            try:
                Signature.from_string(match.group(2))
            except ValueError:
                raise MalformedPaymentRef(
                    "payment_ref: the Solana signature is not 64 bytes of base58", payment_ref=shown
                ) from None
            return cls(f"solana:{match.group(1)}", match.group(2))
        if value.startswith("eip155:"):
            why = "expected eip155:<chain id>:0x<64 lowercase hex transaction hash>"
        elif value.startswith("solana:"):
            why = "expected solana:<32-character genesis prefix>:<base58 signature>"
        else:
            why = "expected <CAIP-2 chain id>:<tx id> on eip155 or solana"
        raise MalformedPaymentRef(f"payment_ref: {why}, got {shown!r}", payment_ref=shown)
