"""Fixtures shared by every test directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
from hypothesis import settings

from support import SEED_VARIABLE, make_worker, session_seed

REPO = Path(__file__).resolve().parent.parent
INTEROP_JS = REPO / "tests" / "js" / "interop.cjs"


# Property tests: no deadline (2 shared cores), and the same examples every run in CI.
settings.register_profile("dispatch", deadline=None)
settings.register_profile("dispatch-ci", deadline=None, derandomize=True)
settings.load_profile("dispatch-ci" if os.environ.get("CI", "").lower() in ("true", "1") else "dispatch")


def pytest_report_header(config: pytest.Config) -> str:
    seed, source = session_seed()
    return f"random seed {seed} ({source}); replay with {SEED_VARIABLE}={seed}"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def node_interop() -> Callable[[str, Any], Any]:
    """Run tests/js/interop.cjs (tweetnacl, JSON.stringify, @openzeppelin/merkle-tree)."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is required for the interop tests (./dev setup checks for it)")

    def run(command: str, request: Any) -> Any:
        # ensure_ascii keeps lone surrogates as \\udxxx escapes, which JSON.parse
        # turns back into the same UTF-16 code units.
        proc = subprocess.run(
            [node, str(INTEROP_JS), command],
            input=json.dumps(request, ensure_ascii=True),
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        if proc.returncode != 0:
            raise AssertionError(f"interop.cjs {command} failed: {proc.stderr}")
        return json.loads(proc.stdout)

    return run


@pytest.fixture
def worker() -> nacl.signing.SigningKey:
    return make_worker(1)
