"""Local nodes die with the process that started them, also when it is SIGKILLed and runs no cleanup: a killed
demo or test leaves no anvil or Solana node running, orphaned, on its ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

STARTER = """
import time
from dispatch_chain.localnet import Anvil, SolanaNode
node = {kind}().start()
print(node.process.pid, flush=True)
time.sleep(600)
"""


def running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its new parent to reap it has stopped running)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("kind", ["Anvil", "SolanaNode"])
def test_a_node_dies_with_its_killed_parent(kind) -> None:
    parent = subprocess.Popen([sys.executable, "-c", STARTER.format(kind=kind)], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        node = int(parent.stdout.readline())
        assert running(node)
    finally:
        parent.kill()  # SIGKILL: no context manager, no atexit, nothing of the parent's runs
        parent.wait()
    deadline = time.monotonic() + 15
    try:
        while running(node):
            assert time.monotonic() < deadline, f"{kind} (pid {node}) outlived its killed parent"
            time.sleep(0.1)
    finally:
        if running(node):  # the failure, cleaned up
            os.kill(node, signal.SIGKILL)
