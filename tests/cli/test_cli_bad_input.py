"""Bad input through every offline CLI path: exit 2 and one line naming the field, never a traceback.

Property-based through click's CliRunner (fast), plus real subprocesses for
each exit code, because a traceback printed by the interpreter itself is only
visible from outside.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_chain.anchoring.store import ReceiptStore
from dispatch_chain.cli import main

from support import make_signed, make_worker

SIGNED = make_signed(make_worker(5), "cli-prop")
MESSAGE = {"type": "job_complete", "job_id": "cli-prop", "output": "ok", "output_hash": SIGNED.receipt.output_hash,
           **SIGNED.to_dict()}
HUGE_INT = b'{"type": "job_complete", "job_id": ' + b"9" * 5000 + b"}"
DEEP = b"[" * 100_000 + b"]" * 100_000
LATIN1 = b'{"job_id": "caf\xe9"}'

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=15)
documents = (st.binary(max_size=120) | json_values.map(lambda v: json.dumps(v).encode())
             | st.sampled_from([HUGE_INT, DEEP, LATIN1]))


def invoke(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


@settings(max_examples=60)
@given(documents)
def test_receipt_commands_on_any_document(tmp_path_factory, document) -> None:
    path = tmp_path_factory.mktemp("doc") / "input.json"
    path.write_bytes(document)
    for command in (["receipt", "verify"], ["receipt", "hash"]):
        result = invoke(*command, str(path))
        assert result.exit_code == 2, result.output
        one_error_line(result)


@settings(max_examples=40)
@given(documents)
def test_audit_on_any_document_is_bad_input_before_any_chain(tmp_path_factory, document) -> None:
    folder = tmp_path_factory.mktemp("audit")
    path = folder / "bundle.json"
    path.write_bytes(document)
    # an unreachable node: a malformed bundle must be refused before any connection is tried
    result = invoke("audit", str(path), env={"DISPATCH_EVM_RPC_URL": "http://127.0.0.1:9",
                                             "DISPATCH_MANIFEST": str(folder / "none.json")})
    assert result.exit_code == 2, result.output
    assert one_error_line(result).startswith(f"error: {path}")


@settings(max_examples=40)
@given(st.lists(json_values | st.just(MESSAGE), min_size=1, max_size=6))
def test_ingest_stores_the_valid_and_exits_1_for_any_invalid(tmp_path_factory, records) -> None:
    folder = tmp_path_factory.mktemp("ingest")
    path = folder / "receipts.json"
    path.write_text(json.dumps(records))  # a JSON array of records (a JSON Lines file of one array would be ambiguous)
    result = invoke("anchor", "ingest", str(path), "--store", str(folder / "store.sqlite"), "--json")
    valid = sum(1 for r in records if r == MESSAGE)
    assert result.exit_code == (0 if valid == len(records) else 1), result.output
    report = json.loads(result.stdout)
    assert report["valid"] == valid and len(report["invalid"]) == len(records) - valid
    with ReceiptStore(folder / "store.sqlite") as db:
        assert db.stats()["receipts"] == (1 if valid else 0)


def test_field_names_with_line_breaks_stay_on_one_line(tmp_path) -> None:
    path = tmp_path / "input.json"
    path.write_text(json.dumps({**MESSAGE, "evil\nFAKE line\u2028": 1}))
    result = invoke("receipt", "verify", str(path))
    assert result.exit_code == 2 and "evil\\nFAKE line\\u2028: unknown field" in one_error_line(result)
    result = invoke("anchor", "ingest", str(path), "--store", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 1 and len(result.output.splitlines()) == 2, result.output  # summary + 1 invalid


@pytest.mark.parametrize("document", [HUGE_INT, DEEP, LATIN1, b"{", b"\x00\x01"], ids=["huge", "deep", "latin1",
                                                                                       "truncated", "binary"])
def test_ingest_of_a_malformed_file_stores_nothing(tmp_path, document) -> None:
    path = tmp_path / "receipts.jsonl"
    path.write_bytes(json.dumps(MESSAGE).encode() + b"\n" + document)
    result = invoke("anchor", "ingest", str(path), "--store", str(tmp_path / "store.sqlite"))
    assert result.exit_code == 2, result.output
    one_error_line(result)
    assert not (tmp_path / "store.sqlite").exists() or ReceiptStore(tmp_path / "store.sqlite").stats()["receipts"] == 0


@settings(max_examples=60)
@given(st.integers(2**64, 10**30) | st.text(max_size=30))
def test_amounts_are_checked_before_any_chain(amount) -> None:
    text = f"{amount // 10**9}.{amount % 10**9:09d}" if isinstance(amount, int) else amount
    result = invoke("--network", "nowhere", "solana", "stake", "--", text)
    if result.exit_code != 2:  # a valid amount gets as far as the (unknown) network: exit 3
        assert result.exit_code == 3 and "unknown network 'nowhere'" in result.output, result.output
    else:
        assert "AMOUNT" in result.output


@pytest.mark.parametrize("args, field", [
    (["worker", "show", "9" * 5000], "WORKER"),
    (["worker", "show", "ed25519:" + "zz" * 32], "WORKER"),
    (["anchor", "bundle", "0x" + "zz" * 32, "--store", "{tmp}/s.sqlite"], "0xRECEIPT_HASH"),
    (["solana", "settle", "job", "11111111111111111111111111111111", "1", "--receipt-hash", "0x" + "g" * 64],
     "--receipt-hash"),
    (["solana", "init-programs", "--anchorer", "not-a-key"], "--anchorer"),
    (["solana", "init-programs", "--program", "dispatch_anchor=0OIl"], "--program"),
    (["solana", "create-bolt", "--airdrop", "1e400"], "--airdrop"),
    (["solana", "init-programs", "--cooldown", str(2**63)], "--cooldown"),
    (["solana", "settle", "caf\udce9", "11111111111111111111111111111111", "1", "--receipt-hash", "0x" + "0" * 64],
     "JOB_ID"),
    (["solana", "stake", "18446744073.709551616"], "AMOUNT"),
    (["reputation", "show", "1", "--client", "0x12"], "--client"),
    (["reputation", "give", "ed25519:" + "11" * 32, "--value", "80", "--job-id", "j", "--receipt-hash", "0x" + "q" * 64],
     "--receipt-hash"),
    (["audit", "{tmp}/none.json", "--trust", "eip155:1:0x12"], "No such file"),
    (["anchor", "run", "--once", "--uri-template", "https://x/{nope}"], "--uri-template"),
    (["anchor", "run", "--once", "--uri-template", "https://x/{0}"], "--uri-template"),
])
def test_bad_arguments_name_the_field(tmp_path, args, field) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = invoke("--network", "nowhere", *args)
    assert result.exit_code == 2, result.output
    assert field in result.output


# -- real processes, one per exit code ------------------------------------------------------------------------

def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dispatch_chain.cli", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def test_process_exit_codes(tmp_path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(MESSAGE))
    assert cli("receipt", "verify", str(good)).returncode == 0

    mixed = tmp_path / "mixed.jsonl"
    tampered = {**MESSAGE, "receipt": {**MESSAGE["receipt"], "payment_ref": "x"}}
    mixed.write_text(json.dumps(MESSAGE) + "\n" + json.dumps(tampered) + "\n")
    proc = cli("anchor", "ingest", str(mixed), "--store", str(tmp_path / "store.sqlite"))
    assert proc.returncode == 1, proc.stderr
    assert "newly stored 1, invalid 1" in proc.stdout and "invalid #1 (job 'cli-prop')" in proc.stderr
    with ReceiptStore(tmp_path / "store.sqlite") as db:
        assert db.stats()["receipts"] == 1

    for name, data in (("huge", HUGE_INT), ("deep", DEEP), ("latin1", LATIN1)):
        path = tmp_path / f"{name}.json"
        path.write_bytes(data)
        for command in (["receipt", "verify"], ["audit"], ["anchor", "ingest", "--store", str(tmp_path / "x.sqlite")]):
            proc = cli(*command, str(path))
            assert proc.returncode == 2, (command, name, proc.stderr)
            assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: "), proc.stderr
            assert len(proc.stderr.splitlines()) == 1

    # a file name that is not UTF-8 reaches Python as a lone surrogate: still one clean line
    proc = subprocess.run([sys.executable, "-m", "dispatch_chain.cli", "receipt", "verify",
                           os.fsencode(str(tmp_path)) + b"/caf\xe9.json"], capture_output=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith(b"error: cannot read ") and b"Traceback" not in proc.stderr

    proc = cli("--manifest", str(tmp_path / "none.json"), "anchor", "run", "--once",
               "--store", str(tmp_path / "s.sqlite"))
    assert proc.returncode == 3 and "deployments manifest not found" in proc.stderr


def _commands(group=main, prefix=()):
    import click

    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


COMMANDS = list(_commands())
nasty_text = (st.text(max_size=20) | st.sampled_from(["9" * 5000, "-1", "1e400", "nan", "0x" + "zz" * 32,
                                                      "18446744073.709551616", "ed25519:" + "0" * 64]))


@st.composite
def command_lines(draw):
    path, command = draw(st.sampled_from(COMMANDS))
    options = [o for p in command.params for o in p.opts if o.startswith("--")]
    tokens = draw(st.lists(st.sampled_from(options) | nasty_text, max_size=6)) if options else \
        draw(st.lists(nasty_text, max_size=4))
    tokens = [t for t in tokens if not t.startswith(("/", "~")) and ".." not in t and t not in ("--help", "-h")]
    return [*path, *tokens]


@settings(max_examples=150)
@given(command_lines())
def test_any_command_line_gets_an_exit_code_never_a_crash(tmp_path_factory, argv) -> None:
    """Every command, with arbitrary arguments, against a network that does not exist: 0-3, no traceback."""
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path_factory.mktemp("fuzz")):
        result = runner.invoke(main, ["--network", "nowhere", *argv], env={"DISPATCH_KEY_DIR": "keys"})
    assert result.exception is None or isinstance(result.exception, SystemExit), (argv, repr(result.exception))
    assert result.exit_code in (0, 1, 2, 3), (argv, result.output)
    assert "Traceback" not in result.output
