"""Monad ProtocolParams -> attested governance message -> dispatch_governance on the local Solana node.

Two watchers (two attesters of three, threshold 2) carry ParamsChanged events from anvil to
the receiver, which holds the admin role of staking and settlement and applies the change by
CPI: afterwards the Solana fee and thresholds equal Monad's. A restarted watcher (fresh store)
repeats its work harmlessly; stale and wrong-source messages fail with the program's errors.
"""

from __future__ import annotations

import time

import pytest

from dispatch_chain.evm.client import EvmClient
from dispatch_chain.governance.message import ParamsMessage
from dispatch_chain.governance.solana import GovernanceReceiver
from dispatch_chain.governance.watcher import GovernanceWatcher, WatcherStore
from dispatch_chain.hashing import keccak256
from dispatch_chain.solana.errors import ProgramError

from support import dev_network
from support_governance import bolt_mint, deploy_params, funded

BOLT = 10**9
SOLANA_CHAIN = "solana:localgovernancetest"


@pytest.fixture(scope="module")
def monad_params(project, accounts):
    """A ProtocolParams owned by anvil's account 0 (the governor path is tested in test_governance_cli.py)."""
    return deploy_params(project, accounts[0], accounts[0])


@pytest.fixture(scope="module")
def wired(solana, solana_node, monad_params, chain, tmp_path_factory):
    from dispatch_chain.solana.deploy import ProgramSettings, init_programs

    mint = bolt_mint(solana)
    admin = solana_node.deployer
    init_programs(solana, admin, mint, program_ids={}, anchorers=[admin.pubkey()],
                  settings=ProgramSettings(), manifest=tmp_path_factory.mktemp("m") / "local.json", network="local",
                  progress=lambda message: None)
    receiver = GovernanceReceiver(solana)
    attesters = [funded(solana) for _ in range(3)]
    receiver.initialize(
        admin, mint=mint, chain_id=keccak256(SOLANA_CHAIN.encode()), source_chain=keccak256(f"eip155:{chain.chain_id}".encode()),
        source_emitter=bytes(12) + bytes.fromhex(monad_params.address[2:]),
        attesters=[a.pubkey() for a in attesters], threshold=2,
    )
    receiver.hand_over(admin)
    return receiver, attesters, mint


def _watcher(wired, monad_params, chain, store_path) -> GovernanceWatcher:
    receiver, attesters, mint = wired
    index = int(store_path.stem[-1])
    evm = EvmClient(dev_network(chain.provider.uri, chain.chain_id))
    return GovernanceWatcher(evm, monad_params.address, receiver, attesters[index], WatcherStore(store_path),
                             monad_chain=f"eip155:{chain.chain_id}", solana_chain=SOLANA_CHAIN, mint=mint,
                             start_block=0)


def _solana_params(receiver: GovernanceReceiver):
    staking = receiver.staking.read("StakingConfig", receiver.client.account(receiver.staking.pda(b"config")))
    settlement = receiver.settlement.read("SettlementConfig",
                                          receiver.client.account(receiver.settlement.pda(b"config")))
    return settlement.fee_bps, staking.verified_threshold, staking.sentinel_threshold, staking.cooldown_seconds


def test_the_treasury_vault_is_the_one_genesis_funded_before_the_receiver_existed(wired) -> None:
    from dispatch_chain.solana.bolt import associated_token_account, token_balance

    receiver, _, mint = wired
    config = receiver.config()
    assert config.treasury == receiver.treasury_address(mint) == associated_token_account(receiver.config_address, mint)
    assert config.treasury_mint == mint
    assert token_balance(receiver.client, config.treasury) == 150_000_000 * BOLT  # untouched by initialise


def test_the_receiver_is_the_admin_of_staking_and_settlement(wired) -> None:
    receiver = wired[0]
    staking = receiver.staking.read("StakingConfig", receiver.client.account(receiver.staking.pda(b"config")))
    settlement = receiver.settlement.read("SettlementConfig",
                                          receiver.client.account(receiver.settlement.pda(b"config")))
    assert staking.admin == settlement.admin == receiver.config_address


def test_a_monad_change_reaches_solana_through_two_attesters(wired, monad_params, accounts, chain, tmp_path) -> None:
    receiver = wired[0]
    monad_params.setFeeBps(400, sender=accounts[0])
    monad_params.setTierThresholds(150 * BOLT, 1_500 * BOLT, sender=accounts[0])  # version 2: the newest
    first, second = (_watcher(wired, monad_params, chain, tmp_path / f"watcher{i}") for i in (0, 1))

    step = first.step()
    assert (step.version, step.attested, step.applied) == (2, True, False)
    assert receiver.config().applied_version == 0  # one of two attestations: below the threshold
    assert _solana_params(receiver)[0] == 500
    step = second.step()
    assert (step.version, step.attested, step.applied) == (2, True, True)
    assert receiver.config().applied_version == 2
    assert _solana_params(receiver) == (400, 150 * BOLT, 1_500 * BOLT, monad_params.params().unstakeCooldown)

    # A restarted watcher (its store lost) repeats nothing harmful: the version is applied.
    again = _watcher(wired, monad_params, chain, tmp_path / "fresh0")
    assert again.step().attested is False

    # A later change: the first watcher attests it, the second applies it.
    monad_params.setFeeBps(300, sender=accounts[0])
    assert first.step().attested and receiver.config().applied_version == 2  # below the threshold
    assert second.step().applied
    assert _solana_params(receiver)[0] == 300 == monad_params.params().feeBps


def test_stale_and_foreign_messages_fail_with_the_programs_errors(wired, monad_params, chain) -> None:
    receiver, attesters, _ = wired
    applied = receiver.config().applied_version
    base = dict(source_chain=keccak256(f"eip155:{chain.chain_id}".encode()),
                source_emitter=bytes(12) + bytes.fromhex(monad_params.address[2:]), params_version=applied,
                fee_bps=100, verified_threshold=BOLT, sentinel_threshold=BOLT, cooldown_seconds=0,
                destination_chain=keccak256(SOLANA_CHAIN.encode()))
    with pytest.raises(ProgramError) as stale:
        receiver.attest(attesters[2], ParamsMessage(**base))
    assert stale.value.name == "StaleVersion"
    with pytest.raises(ProgramError) as foreign:
        receiver.attest(attesters[2], ParamsMessage(**{**base, "params_version": applied + 1,
                                                       "source_emitter": bytes(12) + bytes(20)}))
    assert foreign.value.name == "WrongSourceEmitter"


def test_a_treasury_spend_is_approved_on_solana_and_not_payable_before_six_months(
    wired, monad_params, accounts, chain, tmp_path
) -> None:
    from dispatch_chain.solana.bolt import associated_token_account

    receiver, _, mint = wired
    recipient = funded(receiver.client)
    monad_params.approveTreasurySpend(25 * BOLT, bytes(recipient.pubkey()), sender=accounts[0])
    spend_id = monad_params.treasurySpends()
    first, second = (_watcher(wired, monad_params, chain, tmp_path / f"spend{i}") for i in (0, 1))
    assert first.step().spends_attested == (spend_id,)
    record = receiver.spend(spend_id)
    assert record is not None and record.payable_at == 0 and record.amount == 25 * BOLT
    assert second.step().spends_attested == (spend_id,)
    record = receiver.spend(spend_id)
    approved_at = record.payable_at - 180 * 86_400
    assert abs(approved_at - time.time()) < 120  # the delay starts at approval on Solana
    assert first.step().spends_attested == ()  # nothing new, nothing twice
    from spl.token import instructions as token_ix

    receiver.client.send([token_ix.create_idempotent_associated_token_account(
        recipient.pubkey(), recipient.pubkey(), mint)], [recipient])
    token = associated_token_account(recipient.pubkey(), mint)
    with pytest.raises(ProgramError) as early:
        receiver.pay_spend(recipient, spend_id, token, mint=mint)
    assert early.value.name == "SpendNotDue"


def test_pay_spend_command_refuses_a_spend_before_its_delay(wired, solana_node, chain, tmp_path) -> None:
    from click.testing import CliRunner

    from dispatch_chain.cli import main

    receiver = wired[0]
    spend_id = 1  # approved on Solana by the previous test (anvil reverts between tests, Solana does not)
    manifest = tmp_path / "local.json"
    manifest.write_text('{"network": "local"}')
    env = {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_SOLANA_RPC_URL": solana_node.url,
           "DISPATCH_MANIFEST": str(manifest)}
    payer = funded(receiver.client)
    key = tmp_path / "payer.json"
    key.write_text(__import__("json").dumps(list(bytes(payer))))
    key.chmod(0o600)
    result = CliRunner().invoke(main, ["gov", "pay-spend", str(spend_id), "--keypair", str(key)], env=env)
    assert result.exit_code == 1 and "SpendNotDue" in result.output and result.output.count("\n") == 1, result.output
    result = CliRunner().invoke(main, ["gov", "pay-spend", "999", "--keypair", str(key)], env=env)
    assert result.exit_code == 1 and "no treasury spend 999" in result.output


def test_the_spend_pays_from_the_genesis_vault_after_six_months(wired, solana_node) -> None:
    """Last in this module: it warps the node's clock past the delay of spend 1 (approved above)."""
    from spl.token import instructions as token_ix

    from dispatch_chain.solana.bolt import associated_token_account, token_balance

    receiver, _, mint = wired
    record = receiver.spend(1)
    assert record is not None and not record.paid and receiver.paid_out() == 0
    vault = receiver.treasury_address(mint)
    before = token_balance(receiver.client, vault)
    solana_node.warp_clock(180 * 86_400 + 60)
    payer = funded(receiver.client)
    receiver.client.send([token_ix.create_idempotent_associated_token_account(
        payer.pubkey(), record.recipient, mint)], [payer])
    token = associated_token_account(record.recipient, mint)
    receiver.pay_spend(payer, 1, token, mint=mint)
    assert token_balance(receiver.client, token) == 25 * BOLT
    assert token_balance(receiver.client, vault) == before - 25 * BOLT
    assert receiver.paid_out() == 25 * BOLT and [r.spend_id for r in receiver.spends() if r.paid] == [1]
    with pytest.raises(ProgramError) as twice:  # another payer: not the same transaction again
        receiver.pay_spend(funded(receiver.client), 1, token, mint=mint)
    assert twice.value.name == "SpendAlreadyPaid"
