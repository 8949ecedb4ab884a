"""Claim files: what a worker needs to claim its reward of an epoch.

One JSON file per worker, ``<dir>/epoch-<n>/<worker>.json``::

    {"format": "dispatch-reward-claim-v1", "program": "<dispatch_rewards id>",
     "epoch": n, "root": "0x..", "worker": "<base58>", "amount": "<base units>",
     "proof": ["0x..", ...]}

(amounts as decimal strings: BOLT base units exceed JavaScript's safe
integers), beside ``<dir>/epoch-<n>/tree.json``, the OpenZeppelin
``standard-v1`` dump of the whole tree. :func:`read_claim_file` checks that
the proof leads to the root.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solders.pubkey import Pubkey

from dispatch_chain.merkle import verify_proof
from dispatch_chain.rewards.errors import RewardsError
from dispatch_chain.rewards.tree import RewardTree, reward_leaf

FORMAT = "dispatch-reward-claim-v1"


@dataclass(frozen=True, slots=True)
class ClaimFile:
    program: Pubkey
    epoch: int
    root: bytes
    worker: Pubkey
    amount: int
    proof: tuple[bytes, ...]

    def verifies(self) -> bool:
        """True when the proof leads from this leaf to the root."""
        return verify_proof(self.root, reward_leaf(self.epoch, self.worker, self.amount), self.proof)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "program": str(self.program),
            "epoch": self.epoch,
            "root": "0x" + self.root.hex(),
            "worker": str(self.worker),
            "amount": str(self.amount),
            "proof": ["0x" + p.hex() for p in self.proof],
        }

    @classmethod
    def from_json(cls, data: Any) -> ClaimFile:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RewardsError(f"not a {FORMAT} claim file")
        try:
            claim = cls(
                Pubkey.from_string(data["program"]),
                int(data["epoch"]),
                _hex32(data["root"], "root"),
                Pubkey.from_string(data["worker"]),
                int(data["amount"]),
                tuple(_hex32(p, "proof element") for p in data["proof"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RewardsError(f"malformed claim file: {exc}") from exc
        if claim.epoch < 0 or claim.amount <= 0:
            raise RewardsError("a claim file's epoch must be >= 0 and its amount positive")
        return claim


def _hex32(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise RewardsError(f"{what} must be 0x and 64 hex digits")
    return bytes.fromhex(value[2:])


def claims_of(tree: RewardTree, program: Pubkey) -> list[ClaimFile]:
    """The claim of every worker of ``tree``, in the tree's reward order."""
    return [
        ClaimFile(program, tree.epoch, tree.root, worker, amount, tuple(tree.proof(worker)))
        for worker, amount in tree.rewards
    ]


def write_claim_files(directory: Path, tree: RewardTree, program: Pubkey) -> Path:
    """Writes ``epoch-<n>/<worker>.json`` for every worker and ``epoch-<n>/tree.json``; returns the folder."""
    folder = Path(directory) / f"epoch-{tree.epoch}"
    folder.mkdir(parents=True, exist_ok=True)
    for claim in claims_of(tree, program):
        (folder / f"{claim.worker}.json").write_text(json.dumps(claim.to_json(), indent=2) + "\n")
    (folder / "tree.json").write_text(json.dumps(tree.dump(), indent=2) + "\n")
    return folder


def read_claim_file(path: Path) -> ClaimFile:
    """Reads a claim file and checks its proof against its root."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise RewardsError(f"cannot read claim file {path}: {exc}") from exc
    claim = ClaimFile.from_json(data)
    if not claim.verifies():
        raise RewardsError(f"the proof in {path} does not lead to its root")
    return claim
