"""The reward tree: OpenZeppelin ``StandardMerkleTree`` leaves of
``["uint256", "bytes32", "uint256"]`` = ``(epoch, worker key, amount)``.

The tree itself is :class:`dispatch_chain.merkle.ReceiptTree` (the same
library as receipt batches): an ABI-encoded ``uint256`` is its 32-byte
big-endian word, so the leaf is ``keccak256(keccak256(epoch || worker ||
amount))``, which dispatch_rewards recomputes from the claiming signer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solders.pubkey import Pubkey

from dispatch_chain.merkle import ReceiptTree, leaf_hash
from dispatch_chain.rewards.errors import RewardsError

LEAF_ENCODING: tuple[str, str, str] = ("uint256", "bytes32", "uint256")
U64_MAX = 2**64 - 1


def _word(value: int, what: str) -> bytes:
    if not 0 <= value <= U64_MAX:
        raise RewardsError(f"{what} must be a u64, got {value}")
    return value.to_bytes(32, "big")


def reward_leaf_values(epoch: int, worker: Pubkey, amount: int) -> tuple[bytes, bytes, bytes]:
    """The three ABI words of a reward leaf."""
    return _word(epoch, "epoch"), bytes(worker), _word(amount, "amount")


def reward_leaf(epoch: int, worker: Pubkey, amount: int) -> bytes:
    """The leaf hash of ``worker``'s ``amount`` in ``epoch``."""
    return leaf_hash(reward_leaf_values(epoch, worker, amount))


class RewardTree:
    """The tree of one epoch's rewards, in the given ``(worker, amount)`` order."""

    __slots__ = ("_index", "_tree", "epoch", "rewards")

    def __init__(self, epoch: int, rewards: Sequence[tuple[Pubkey, int]]) -> None:
        if not rewards:
            raise RewardsError("a reward tree needs at least one reward")
        index: dict[Pubkey, int] = {}
        for i, (worker, _) in enumerate(rewards):
            if worker in index:
                raise RewardsError(f"worker {worker} appears twice in epoch {epoch}")
            index[worker] = i
        self.epoch = epoch
        self.rewards = list(rewards)
        self._tree = ReceiptTree([reward_leaf_values(epoch, w, a) for w, a in rewards])
        self._index = index

    @property
    def root(self) -> bytes:
        return self._tree.root

    @property
    def total(self) -> int:
        return sum(amount for _, amount in self.rewards)

    def amount_of(self, worker: Pubkey) -> int:
        return self.rewards[self._position(worker)][1]

    def proof(self, worker: Pubkey) -> list[bytes]:
        return self._tree.proof(self._position(worker))

    def _position(self, worker: Pubkey) -> int:
        try:
            return self._index[worker]
        except KeyError:
            raise RewardsError(f"worker {worker} has no reward in epoch {self.epoch}") from None

    def dump(self) -> dict[str, Any]:
        """The ``standard-v1`` dump of ``@openzeppelin/merkle-tree`` with this leaf encoding."""
        dump = self._tree.dump()
        dump["leafEncoding"] = list(LEAF_ENCODING)
        for entry, (worker, amount) in zip(dump["values"], self.rewards, strict=True):
            entry["value"] = [str(self.epoch), "0x" + bytes(worker).hex(), str(amount)]
        return dump
