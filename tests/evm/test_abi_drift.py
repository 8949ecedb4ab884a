"""The ABIs dispatch_chain ships (dispatch_chain/abi/) equal the compiled contracts'."""

from __future__ import annotations

import importlib.util
import json

import pytest

from dispatch_chain.evm.abi import load_abi


@pytest.fixture(scope="module")
def exporter(repo_root):
    spec = importlib.util.spec_from_file_location("export_abis", repo_root / "scripts" / "export_abis.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_abis_match_the_compiled_contracts(exporter, project) -> None:
    checked = 0
    for name in exporter.CONTRACTS:
        if not hasattr(project, name):
            continue
        path = exporter.ABI_DIR / f"{name}.json"
        assert path.exists(), f"{name}: no committed ABI (run: ape run export_abis)"
        assert json.loads(path.read_text()) == exporter.compiled_abi(name), f"{name}: ABI drift (run: ape run export_abis)"
        assert list(load_abi(name)) == exporter.compiled_abi(name)
        checked += 1
    assert checked >= 1
