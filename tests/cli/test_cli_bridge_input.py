"""`dispatch-chain solana init-bridge` with bad input: one line, exit 2, before any connection."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from solders.keypair import Keypair

from dispatch_chain.cli import main

ATTESTER = str(Keypair().pubkey())
PEER = "0x" + "42" * 20


@pytest.mark.parametrize(("args", "expected"), [
    (["--attester", ATTESTER, "--threshold", "2", "--peer-bridge", PEER], "exceeds the 1 attesters"),
    (["--attester", ATTESTER, "--threshold", "1", "--peer-bridge", "0x1234"], "expected 20 bytes"),
    (["--attester", ATTESTER, "--threshold", "1", "--peer-bridge", "0x" + "zz" * 20], "not hex"),
    (["--attester", "not-a-key", "--threshold", "1", "--peer-bridge", PEER], "init-bridge:"),
    (["--attester", ATTESTER, "--threshold", "1", "--peer-bridge", PEER, "--pauser", "nope"], "init-bridge:"),
])
def test_init_bridge_rejects_bad_input(tmp_path, args, expected) -> None:
    result = CliRunner().invoke(main, ["--manifest", str(tmp_path / "none.json"), "solana", "init-bridge",
                                       "--url", "http://127.0.0.1:1", *args])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert len(result.output.strip().splitlines()) == 1
