"""Python against the JavaScript reference: JSON.stringify + tweetnacl, and
@openzeppelin/merkle-tree. Vectors are generated here (hypothesis included)
and checked in both directions."""

from __future__ import annotations

import os

import nacl.signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_chain.merkle import ReceiptTree, verify_proof
from dispatch_chain.receipts import Receipt, SignedReceipt, parse_signature, sign_receipt

from support import make_signed, make_worker

# Every code point, lone surrogates included (hypothesis leaves them out by default).
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=40)
TRICKY = st.sampled_from(["\ud800", "\udc00", "\ud83d\ude00", "\u2028", "\x00", '"', "\\", "\x7f", "é", "\U0001f600"])
TEXT = st.one_of(ANY_TEXT, st.lists(st.one_of(TRICKY, ANY_TEXT), max_size=6).map("".join))
SEEDS = st.binary(min_size=32, max_size=32)


@st.composite
def receipts(draw) -> tuple[dict, bytes]:
    seed = draw(SEEDS)
    worker_key = bytes(make_worker(int.from_bytes(seed, "big") or 1).verify_key)
    receipt = {
        "job_id": draw(TEXT.filter(bool)),
        "provider_pubkey": "ed25519:" + worker_key.hex(),
        "output_hash": "sha256:" + draw(st.binary(min_size=32, max_size=32)).hex(),
        "completed_at": "2026-02-10T12:00:00.123Z",
        "payment_ref": draw(st.one_of(st.none(), TEXT)),
    }
    return receipt, (int.from_bytes(seed, "big") or 1).to_bytes(32, "big")


BATCH = st.lists(receipts(), min_size=1, max_size=25)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(BATCH)
def test_javascript_signs_python_verifies(node_interop, batch) -> None:
    answers = node_interop("sign", [{"receipt": r, "seed": seed.hex()} for r, seed in batch])
    for (receipt_dict, seed), answer in zip(batch, answers, strict=True):
        receipt = Receipt.from_dict(receipt_dict)
        assert receipt.canonical_bytes().hex() == answer["canonical_hex"]
        assert answer["pubkey"] == receipt.provider_pubkey
        signed = SignedReceipt(receipt, parse_signature(answer["signature"]))
        assert signed.is_valid()
        # ed25519 is deterministic: the same key signs the same bytes identically.
        assert make_signed_with_seed(receipt, seed).signature == signed.signature


def make_signed_with_seed(receipt: Receipt, seed: bytes) -> SignedReceipt:
    return sign_receipt(receipt, nacl.signing.SigningKey(seed))


@SETTINGS
@given(BATCH, st.data())
def test_python_signs_javascript_verifies(node_interop, batch, data) -> None:
    signed = [make_signed_with_seed(Receipt.from_dict(r), seed) for r, seed in batch]
    requests = [s.to_dict() for s in signed]
    # Tamper with some: JavaScript must reject exactly those.
    tampered = data.draw(st.sets(st.integers(0, len(batch) - 1)))
    for i in tampered:
        requests[i]["receipt"]["completed_at"] = "2026-02-10T12:00:01.123Z"
    verdicts = node_interop("verify", requests)
    assert verdicts == [i not in tampered for i in range(len(batch))]


def test_merkle_root_and_proofs_match_openzeppelin(node_interop) -> None:
    for size in (1, 2, 3, 7, 16, 33, 100):
        values = [tuple(os.urandom(32) for _ in range(3)) for _ in range(size)]
        tree = ReceiptTree(values)
        answer = node_interop("merkle", {"values": [["0x" + v.hex() for v in value] for value in values]})
        assert "0x" + tree.root.hex() == answer["root"], size
        assert tree.dump() == answer["dump"], size
        for i in range(size):
            assert ["0x" + p.hex() for p in tree.proof(i)] == answer["proofs"][i]
            assert verify_proof(tree.root, tree.leaf(i), tree.proof(i))


def test_receipt_tree_matches_openzeppelin(node_interop) -> None:
    signed = [make_signed(make_worker(i % 5 + 1), f"job-{i}") for i in range(40)]
    tree = ReceiptTree.of_receipts(signed)
    values = [["0x" + part.hex() for part in s.leaf_values()] for s in signed]
    answer = node_interop("merkle", {"values": values})
    assert "0x" + tree.root.hex() == answer["root"]
