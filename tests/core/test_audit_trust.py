"""The auditor's trust list, and the auditor's side kept free of the coordinator's store."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dispatch_chain.audit import TrustedDeployments, TrustError, parse_trust
from dispatch_chain.bundle import ChainAnchor
from dispatch_chain.errors import ConfigError

ADDRESS = "0x" + "Ab" * 20
PROGRAM = "AnchorXbHaiABcF6EiUd5N6wU5t3b2Jd9bRyZ1aBCDEF"
GENESIS = "EtWTRABZaYq6iMfeYKouRu166VU2xqa1"


def test_auditor_modules_do_not_import_the_store() -> None:
    code = ("import sys, dispatch_chain.bundle, dispatch_chain.audit, dispatch_chain.evm.audit, dispatch_chain.solana.audit;"
            "print([m for m in sys.modules if m in ('dispatch_chain.anchoring.store', 'dispatch_chain.anchoring.service',"
            " 'dispatch_chain.sqlite', 'sqlite3')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_parse_trust_specs() -> None:
    evm = parse_trust(f"eip155:10143:{ADDRESS}")
    assert (evm.chain, evm.address, evm.source) == ("eip155:10143", ADDRESS, "--trust")
    assert evm.matches("eip155:10143", ADDRESS.lower()) and not evm.matches("eip155:1", ADDRESS)
    sol = parse_trust(f"solana:{GENESIS}Extra9Genes:{PROGRAM}")  # a full genesis hash is cut to 32
    assert sol.chain == f"solana:{GENESIS}" and sol.matches(f"solana:{GENESIS}", PROGRAM)
    assert not sol.matches(f"solana:{GENESIS}", PROGRAM.lower())  # base58 is case-sensitive


@pytest.mark.parametrize("spec", ["", ADDRESS, f"eip155:0:{ADDRESS}", "eip155:10143:0x12", f"eip155:x:{ADDRESS}",
                                  f"solana:{GENESIS}:0OIl", f"bip122:abc:{ADDRESS}", "9" * 5000])
def test_malformed_specs_name_the_problem(spec) -> None:
    with pytest.raises(TrustError, match=r"^trust"):
        parse_trust(spec)


def test_manifest_deployments_are_trusted(tmp_path) -> None:
    manifest = tmp_path / "testnet.json"
    manifest.write_text(json.dumps({
        "network": "testnet",
        "evm": {"chain_id": 10143, "contracts": {"ReceiptAnchor": {"address": ADDRESS},
                                                   "IdentityRegistry": {"address": "0x" + "11" * 20}}},
        "solana": {"cluster": f"solana:{GENESIS}", "programs": {"dispatch_anchor": PROGRAM,
                                                                 "dispatch_staking": GENESIS}},
    }))
    trusted = TrustedDeployments.load(manifest)
    assert [d.spec for d in trusted.deployments] == [f"eip155:10143:{ADDRESS}", f"solana:{GENESIS}:{PROGRAM}"]
    assert trusted.find("eip155:10143", "0x" + "11" * 20) is None  # only the anchoring deployments
    anchor = ChainAnchor(chain="eip155:10143", contract="0x" + "22" * 20, batch_id=1, root="0x" + "00" * 32, proof=[])
    assert f"trusted on eip155:10143: eip155:10143:{ADDRESS}" in trusted.refusal(anchor)


def test_missing_manifest_narrows_trust_and_broken_one_is_a_config_error(tmp_path) -> None:
    trusted = TrustedDeployments.load(tmp_path / "none.json", [parse_trust(f"eip155:1:{ADDRESS}")])
    assert [d.chain for d in trusted.deployments] == ["eip155:1"] and "no deployments manifest at" in trusted.note
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(ConfigError):
        TrustedDeployments.load(broken)
