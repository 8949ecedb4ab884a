"""`dispatch-chain solana init-programs` with governance deployed: it initialises the governance receiver and
hands it the staking and settlement admin roles, refuses to leave them with the signer silently, and keeps them
only with --keep-admin (anvil and a fresh local Solana node, this module's own)."""

from __future__ import annotations

from click.testing import CliRunner

from dispatch_chain.cli import main
from dispatch_chain.deployments import SolanaDeployment, load_manifest, update_manifest
from dispatch_chain.governance.solana import GovernanceReceiver

from support_governance import bolt_mint, deploy_params, funded, keyfile, record_governance


def test_init_programs_hands_the_admin_roles_to_the_receiver(
    solana, solana_node, project, accounts, governor, chain, tmp_path
) -> None:
    manifest = tmp_path / "local.json"
    mint = bolt_mint(solana)
    params = deploy_params(project, accounts[0], accounts[0])

    update_manifest(manifest, "local", lambda m: setattr(
        m, "solana", SolanaDeployment(cluster=solana.caip2, accounts={"bolt_mint": str(mint)})))
    record_governance(manifest, chain, params, governor)
    env = {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_SOLANA_RPC_URL": solana_node.url,
           "DISPATCH_MANIFEST": str(manifest)}
    admin = keyfile(tmp_path / "admin.json", solana_node.deployer)
    attesters = [str(funded(solana).pubkey()) for _ in range(3)]
    with_attesters = [a for key in attesters for a in ("--governance-attester", key)]
    receiver = GovernanceReceiver(solana)

    def run(*args: str):
        return CliRunner().invoke(main, ["solana", "init-programs", "--keypair", admin, *args], env=env,
                                  catch_exceptions=False)

    def admins():
        staking = receiver.staking.read("StakingConfig", solana.account(receiver.staking.pda(b"config")))
        settlement = receiver.settlement.read("SettlementConfig", solana.account(receiver.settlement.pda(b"config")))
        return staking.admin, settlement.admin

    refused = run()
    assert refused.exit_code == 2 and "governance is deployed" in refused.output, refused.output
    assert solana.account(receiver.staking.pda(b"config")) is None  # refused before sending anything
    refused = run(*with_attesters)
    assert refused.exit_code == 2 and "needs --governance-threshold" in refused.output
    refused = run(*with_attesters, "--governance-threshold", "4")
    assert refused.exit_code == 2 and "exceeds the 3 governance attesters" in refused.output

    kept = run("--keep-admin")
    assert kept.exit_code == 0, kept.output
    signer = solana_node.deployer.pubkey()
    assert admins() == (signer, signer) and receiver.find_config() is None

    handed = run(*with_attesters, "--governance-threshold", "2")
    assert handed.exit_code == 0, handed.output
    assert admins() == (receiver.config_address, receiver.config_address)
    config = receiver.config()
    assert config.threshold == 2 and [str(a) for a in config.attesters] == attesters
    assert config.source_emitter == bytes(12) + bytes.fromhex(params.address[2:])
    recorded = load_manifest(manifest).require_solana()
    assert recorded.programs["dispatch_governance"] == str(receiver.program.program_id)
    assert recorded.accounts["governance_config"] == str(receiver.config_address)


def test_attesters_without_governance_in_the_manifest_are_refused(solana, solana_node, tmp_path) -> None:
    manifest = tmp_path / "local.json"
    update_manifest(manifest, "local", lambda m: setattr(
        m, "solana", SolanaDeployment(cluster=solana.caip2, accounts={"bolt_mint": str(bolt_mint(solana))})))
    env = {"DISPATCH_SOLANA_RPC_URL": solana_node.url, "DISPATCH_MANIFEST": str(manifest)}
    result = CliRunner().invoke(main, ["solana", "init-programs", "--keypair", keyfile(tmp_path / "a.json",
                                solana_node.deployer), "--governance-attester", str(funded(solana).pubkey()),
                                "--governance-threshold", "1"], env=env, catch_exceptions=False)
    assert result.exit_code == 2 and "no ProtocolParams" in result.output, result.output
