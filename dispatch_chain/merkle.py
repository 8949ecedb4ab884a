"""Receipt Merkle trees compatible with OpenZeppelin's ``StandardMerkleTree``.

Leaf encoding (DESIGN.md): ``["bytes32", "bytes32", "bytes32"]`` =
``(receipt_hash, provider pubkey bytes, keccak256(signature bytes))``.
As in ``@openzeppelin/merkle-tree``:

* leaf hash = ``keccak256(keccak256(abi.encode(values)))`` (the double hash
  keeps a leaf from being confused with an inner node);
* inner node = ``keccak256(sort(a, b))`` (sorted pairs, as ``MerkleProof``
  expects);
* leaves are sorted by hash, then laid out at the end of a flat array in
  reverse order, and each node ``i`` has children ``2i+1`` and ``2i+2``.

Roots, proofs and :meth:`ReceiptTree.dump` therefore equal the npm library's,
and proofs verify with OpenZeppelin ``MerkleProof`` on EVM and with the keccak
syscall on Solana.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

from dispatch_chain.errors import DispatchChainError
from dispatch_chain.hashing import keccak256, keccak_256
from dispatch_chain.receipts import SignedReceipt

LEAF_ENCODING: tuple[str, str, str] = ("bytes32", "bytes32", "bytes32")
LeafValues = tuple[bytes, bytes, bytes]


class MerkleError(DispatchChainError):
    """A tree cannot be built from the input, or a proof is malformed."""


def leaf_hash(values: LeafValues) -> bytes:
    """``keccak256(keccak256(abi.encode(bytes32, bytes32, bytes32)))``."""
    if len(values) != 3 or any(len(v) != 32 for v in values):
        raise MerkleError("a receipt leaf is three 32-byte values")
    return keccak256(keccak256(values[0] + values[1] + values[2]))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic lists.

    Each of the 2n proof lists would count towards a collection that walks
    every young object; none can be part of a cycle, so the walks are wasted.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _leaf_hashes(values: Sequence[LeafValues]) -> list[bytes]:
    """:func:`leaf_hash` of every value, checked and hashed in C-level loops."""
    try:
        shaped = set(map(len, values)) == {3} and set(map(len, chain.from_iterable(values))) == {32}
        if not shaped:
            raise ValueError
        keccak = keccak_256
        join = b"".join
        return [keccak(keccak(join(value)).digest()).digest() for value in values]
    except (TypeError, ValueError):
        raise MerkleError("a receipt leaf is three 32-byte values") from None


def hash_pair(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin's commutative node hash: ``keccak256`` of the sorted pair."""
    return keccak256(a + b if a < b else b + a)


def process_proof(leaf: bytes, proof: Iterable[bytes]) -> bytes:
    """The root a proof leads to from a leaf hash (``MerkleProof.processProof``)."""
    node = leaf
    for sibling in proof:
        if len(sibling) != 32:
            raise MerkleError(f"a proof element has 32 bytes, got {len(sibling)}")
        node = hash_pair(node, sibling)
    return node


def verify_proof(root: bytes, leaf: bytes, proof: Iterable[bytes]) -> bool:
    """True when ``proof`` leads from ``leaf`` (a leaf hash) to ``root``."""
    return process_proof(leaf, proof) == root


class ReceiptTree:
    """A built tree over receipt leaves, with the proof of every leaf.

    ``values`` keep the caller's order; :meth:`proof` takes an index into it.
    """

    __slots__ = ("_tree", "_tree_index", "_values")

    def __init__(self, values: Sequence[LeafValues]) -> None:
        if not values:
            raise MerkleError("a tree needs at least one leaf")
        hashes = _leaf_hashes(values)
        n = len(values)
        order = sorted(range(n), key=hashes.__getitem__)
        size = 2 * n - 1
        # Sorted leaves fill the end of the flat array in reverse: rank p goes to slot size-1-p.
        tree: list[bytes] = [b""] * (n - 1) + [hashes[i] for i in reversed(order)]
        tree_index = [0] * n
        slot = size - 1
        for value_index in order:
            tree_index[value_index] = slot
            slot -= 1
        # Inner nodes are 0 .. n-2. Row r of the flat array is [2^r - 1, 2^(r+1) - 1) and its
        # children are the contiguous slice [2*lo + 1, 2*hi + 1), so each row is one comprehension.
        keccak = keccak_256
        inner = n - 1
        row = inner.bit_length()
        while row > 0:
            row -= 1
            lo, hi = (1 << row) - 1, min((1 << (row + 1)) - 1, inner)
            if lo >= hi:
                continue
            kids = tree[2 * lo + 1 : 2 * hi + 1]
            pairs = zip(kids[0::2], kids[1::2], strict=True)
            tree[lo:hi] = [keccak(a + b if a < b else b + a).digest() for a, b in pairs]
        self._values = list(values)
        self._tree = tree
        self._tree_index = tree_index

    @classmethod
    def of_receipts(cls, receipts: Iterable[SignedReceipt]) -> ReceiptTree:
        """Build the tree of a batch of signed receipts, in the given order."""
        return cls([r.leaf_values() for r in receipts])

    def __len__(self) -> int:
        return len(self._values)

    @property
    def root(self) -> bytes:
        return self._tree[0]

    def leaf(self, index: int) -> bytes:
        """The leaf hash of value ``index``."""
        return self._tree[self._tree_index[index]]

    def proof(self, index: int) -> list[bytes]:
        """Sibling hashes from value ``index``'s leaf up to the root."""
        if not 0 <= index < len(self._values):
            raise MerkleError(f"no leaf at index {index} (tree has {len(self._values)})")
        tree = self._tree
        node = self._tree_index[index]
        path: list[bytes] = []
        while node > 0:
            path.append(tree[node + 1 if node % 2 else node - 1])
            node = (node - 1) // 2
        return path

    def proofs(self) -> list[list[bytes]]:
        """The proof of every value, in value order.

        Built top-down: a node's proof is its sibling followed by its parent's
        proof, so each list is one C-level copy instead of a walk to the root.
        """
        tree = self._tree
        paths: list[list[bytes]] = [[]] * len(tree)
        with _collector_paused():
            for i in range(1, len(tree)):
                paths[i] = [tree[i + 1 if i & 1 else i - 1], *paths[(i - 1) >> 1]]
            return [paths[slot] for slot in self._tree_index]

    def dump(self) -> dict[str, Any]:
        """The ``standard-v1`` dump format of ``@openzeppelin/merkle-tree``."""
        return {
            "format": "standard-v1",
            "leafEncoding": list(LEAF_ENCODING),
            "tree": ["0x" + node.hex() for node in self._tree],
            "values": [
                {"value": ["0x" + part.hex() for part in value], "treeIndex": self._tree_index[i]}
                for i, value in enumerate(self._values)
            ],
        }
