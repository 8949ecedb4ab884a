"""Receipt tree invariants beyond the OpenZeppelin comparison."""

from __future__ import annotations

import os

import pytest

from dispatch_chain.merkle import MerkleError, ReceiptTree, hash_pair, leaf_hash, process_proof, verify_proof


def _values(n: int) -> list[tuple[bytes, bytes, bytes]]:
    return [(os.urandom(32), os.urandom(32), os.urandom(32)) for _ in range(n)]


def test_every_proof_verifies_and_fails_elsewhere() -> None:
    values = _values(50)
    tree = ReceiptTree(values)
    other = ReceiptTree(_values(50))
    for i in range(len(values)):
        assert tree.leaf(i) == leaf_hash(values[i])
        assert verify_proof(tree.root, tree.leaf(i), tree.proof(i))
        assert not verify_proof(other.root, tree.leaf(i), tree.proof(i))
        assert not verify_proof(tree.root, tree.leaf((i + 1) % 50), tree.proof(i))


def test_single_leaf_tree_root_is_the_leaf() -> None:
    tree = ReceiptTree(_values(1))
    assert tree.root == tree.leaf(0) and tree.proof(0) == []


def test_root_does_not_depend_on_input_order() -> None:
    values = _values(9)
    assert ReceiptTree(values).root == ReceiptTree(list(reversed(values))).root


def test_pair_hash_is_commutative() -> None:
    a, b = os.urandom(32), os.urandom(32)
    assert hash_pair(a, b) == hash_pair(b, a)


def test_bad_input() -> None:
    with pytest.raises(MerkleError, match="at least one leaf"):
        ReceiptTree([])
    with pytest.raises(MerkleError, match="three 32-byte values"):
        leaf_hash((b"\x00" * 31, b"\x00" * 32, b"\x00" * 32))
    with pytest.raises(MerkleError, match="no leaf at index 3"):
        ReceiptTree(_values(3)).proof(3)
    with pytest.raises(MerkleError, match="32 bytes, got 5"):
        process_proof(os.urandom(32), [b"short"])
