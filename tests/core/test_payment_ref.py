"""payment_ref parsing (DESIGN.md's <CAIP-2 chain id>:<tx id>) and the payment errors' exit codes."""

from __future__ import annotations

import pytest
from solders.signature import Signature

from dispatch_chain.payments.errors import ALL_PAYMENT_ERRORS, MalformedPaymentRef, PaymentError
from dispatch_chain.payments.ref import PaymentRef

TX = "0x" + "ab" * 32
SIG = str(Signature(bytes(range(64))))
GENESIS = "EtWTRABZaYq6iMfeYKouRu166VU2xqa1"


def test_the_two_forms_parse_and_print_back() -> None:
    evm = PaymentRef.parse(f"eip155:10143:{TX}")
    assert (evm.chain, evm.tx, evm.namespace, str(evm)) == ("eip155:10143", TX, "eip155", f"eip155:10143:{TX}")
    sol = PaymentRef.parse(f"solana:{GENESIS}:{SIG}")
    assert (sol.chain, sol.tx, sol.namespace) == (f"solana:{GENESIS}", SIG, "solana")


@pytest.mark.parametrize(("value", "message"), [
    (None, "expected a string, got NoneType"),
    (42, "expected a string, got int"),
    ("", "expected <CAIP-2 chain id>:<tx id>"),
    (f"eip155:10143:{TX.upper()}", "64 lowercase hex"),
    (f"eip155:10143:{TX[:-2]}", "64 lowercase hex"),
    (f"eip155:0:{TX}", "64 lowercase hex"),
    (f"eip155:10143:{TX}:extra", "64 lowercase hex"),
    (f"eip155::{TX}", "64 lowercase hex"),
    (f"solana:{GENESIS[:-1]}:{SIG}", "32-character genesis prefix"),
    (f"solana:{GENESIS}:{SIG}0", "32-character genesis prefix"),
    (f"solana:{GENESIS}:" + "z" * 88, "not 64 bytes of base58"),
    (f"bip122:000000000019d6689c085ae165831e93:{TX}", "on eip155 or solana"),
    ("x" * 201, "longer than 200"),
    (f"eip155:10143:{TX}\n", "64 lowercase hex"),
])
def test_malformed_references_say_why(value, message) -> None:
    with pytest.raises(MalformedPaymentRef, match=message) as raised:
        PaymentRef.parse(value)
    assert raised.value.exit_code == 11


def test_every_failure_has_its_own_exit_code() -> None:
    codes = [cls.exit_code for cls in ALL_PAYMENT_ERRORS]
    assert len(set(codes)) == len(codes) and min(codes) > 3  # 0-3 are the CLI's own
    assert all(issubclass(cls, PaymentError) for cls in ALL_PAYMENT_ERRORS)
