"""``dispatch-chain rewards``: an epoch computed from files, claim files that
check out (and one that does not), the curve, and bad input with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from solders.pubkey import Pubkey

from dispatch_chain.cli import main
from dispatch_chain.merkle import verify_proof
from dispatch_chain.rewards import RewardTree, reward_leaf

START = 1_800_000_000
WEEK = 7 * 24 * 3600


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def key(i: int) -> Pubkey:
    return Pubkey(bytes([i]) + bytes(31))


def write_inputs(tmp_path: Path) -> tuple[Path, Path]:
    begin = START + 2 * WEEK
    settlements = [{"worker": str(key(1)), "amount": 3_000, "settled_at": begin},
                   {"worker": str(key(2)), "amount": "1000", "settled_at": begin + 10},
                   {"worker": str(key(3)), "amount": 9_000, "settled_at": begin + 20},      # not SENTINEL
                   {"worker": str(key(1)), "amount": 5_000, "settled_at": begin + WEEK}]   # next epoch
    (tmp_path / "settlements.jsonl").write_text("\n".join(json.dumps(s) for s in settlements) + "\n")
    (tmp_path / "sentinels.json").write_text(json.dumps([str(key(1)), str(key(2))]))
    return tmp_path / "settlements.jsonl", tmp_path / "sentinels.json"


def test_epoch_writes_claim_files_that_verify(tmp_path: Path) -> None:
    settlements, sentinels = write_inputs(tmp_path)
    out = tmp_path / "claims"
    result = run("rewards", "epoch", "2", "--start", str(START), "--settlements", str(settlements),
                 "--sentinels", str(sentinels), "--budget", "1000001", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(r["worker"], r["amount"]) for r in data["rewards"]] == [(str(key(1)), "750000"), (str(key(2)), "250000")]
    assert data["ineligible"] == [{"worker": str(key(3)), "weight": "9000"}]
    tree = RewardTree(2, [(key(1), 750_000), (key(2), 250_000)])
    assert data["root"] == "0x" + tree.root.hex() and data["total"] == "1000000"

    claim_path = out / "epoch-2" / f"{key(1)}.json"
    shown = run("rewards", "show", str(claim_path))
    assert shown.exit_code == 0 and "750000" in shown.output
    claim = json.loads(claim_path.read_text())
    assert verify_proof(tree.root, reward_leaf(2, key(1), 750_000), [bytes.fromhex(p[2:]) for p in claim["proof"]])

    claim["amount"] = "750001"
    claim_path.write_text(json.dumps(claim))
    bad = CliRunner().invoke(main, ["rewards", "show", str(claim_path)])
    assert bad.exit_code == 1 and "INVALID" in bad.output


def test_epoch_output_is_the_same_whatever_the_order(tmp_path: Path) -> None:
    settlements, sentinels = write_inputs(tmp_path)
    lines = settlements.read_text().splitlines()
    reordered = tmp_path / "reordered.jsonl"
    reordered.write_text("\n".join(reversed(lines)) + "\n")
    outputs = [run("rewards", "epoch", "2", "--start", str(START), "--settlements", str(path),
                   "--sentinels", str(sentinels), "--json").output for path in (settlements, reordered)]
    assert outputs[0] == outputs[1]


def test_curve_and_bad_input(tmp_path: Path) -> None:
    curve = run("rewards", "curve", "--start", "0")
    assert curve.exit_code == 0
    assert "t=31536000: released 200000000000000000" in curve.output
    assert "reserve never emitted: 25000000000000000" in curve.output
    _, sentinels = write_inputs(tmp_path)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([{"worker": "not-a-key", "amount": 1, "settled_at": 0}]))
    result = CliRunner().invoke(main, ["rewards", "epoch", "2", "--start", str(START), "--settlements", str(broken),
                                       "--sentinels", str(sentinels)])
    assert result.exit_code == 2 and "not a base58 public key" in result.output
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps([{"worker": str(key(1)), "amount": 1}]))
    result = CliRunner().invoke(main, ["rewards", "epoch", "2", "--start", str(START), "--settlements", str(missing),
                                       "--sentinels", str(sentinels)])
    assert result.exit_code == 2 and "settled_at" in result.output
