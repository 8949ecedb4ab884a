"""`dispatch-chain gov init-receiver | watch | status` against anvil and the local Solana node."""

from __future__ import annotations

import json

from click.testing import CliRunner

from dispatch_chain.cli import main
from dispatch_chain.deployments import load_manifest
from dispatch_chain.governance.solana import GovernanceReceiver

from support_governance import bolt_mint, deploy_params, funded, keyfile, record_governance

BOLT = 10**9


def test_init_receiver_watch_and_status(solana, solana_node, project, accounts, governor, chain, tmp_path) -> None:
    from dispatch_chain.solana.deploy import ProgramSettings, init_programs

    manifest = tmp_path / "local.json"
    mint = bolt_mint(solana)
    admin = solana_node.deployer
    init_programs(solana, admin, mint, program_ids={}, anchorers=[admin.pubkey()], settings=ProgramSettings(),
                  manifest=manifest, network="local", progress=lambda message: None)
    params = deploy_params(project, accounts[0], accounts[0])

    record_governance(manifest, chain, params, governor)
    env = {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_SOLANA_RPC_URL": solana_node.url,
           "DISPATCH_MANIFEST": str(manifest)}
    attesters = [funded(solana) for _ in range(3)]
    keys = [keyfile(tmp_path / f"attester{i}.json", k) for i, k in enumerate(attesters)]

    def run(*args: str):
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    result = run("gov", "init-receiver", *[a for k in attesters for a in ("--attester", str(k.pubkey()))],
                 "--threshold", "4", "--keypair", keyfile(tmp_path / "admin.json", admin))
    assert result.exit_code == 2 and "exceeds the 3 attesters" in result.output
    result = run("gov", "init-receiver", *[a for k in attesters for a in ("--attester", str(k.pubkey()))],
                 "--threshold", "2", "--keypair", keyfile(tmp_path / "admin.json", admin))
    assert result.exit_code == 0, result.output
    receiver = GovernanceReceiver(solana)
    staking = receiver.staking.read("StakingConfig", solana.account(receiver.staking.pda(b"config")))
    assert staking.admin == receiver.config_address
    assert load_manifest(manifest).require_solana().programs["dispatch_governance"] == str(receiver.program.program_id)

    params.setFeeBps(250, sender=accounts[0])
    result = run("gov", "watch", "--once", "--keypair", keys[0], "--store", str(tmp_path / "w0.sqlite"))
    assert result.exit_code == 0 and "version 1: attested True, applied False" in result.output, result.output
    status = json.loads(run("gov", "status", "--json").output)
    assert status["solana"] == {"applied_version": 0, "monad_version": 1, "fee_bps": 500}
    assert "not yet applied" in run("gov", "status").output
    result = run("gov", "watch", "--once", "--keypair", keys[1], "--store", str(tmp_path / "w1.sqlite"))
    assert result.exit_code == 0 and "applied True" in result.output, result.output
    status = json.loads(run("gov", "status", "--json").output)
    assert status["solana"] == {"applied_version": 1, "monad_version": 1, "fee_bps": 250}
    assert "solana: applied" in run("gov", "status").output
