"""`dispatch-chain gov` and dispatch_chain.governance against anvil: a proposal from flags to executed
parameters, the cached coordinator view, and one line with exit 1 or 2 for every refusal."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from solders.pubkey import Pubkey

from dispatch_chain.bridge.tiers import WrappedTierReader
from dispatch_chain.cli import main
from dispatch_chain.config import NetworkProfile
from dispatch_chain.connect import Connections
from dispatch_chain.deployments import ContractDeployment, EvmDeployment, Manifest
from dispatch_chain.evm.client import EvmClient
from dispatch_chain.evm.transactions import TxSender
from dispatch_chain.governance import errors
from dispatch_chain.governance.evm import EvmGovernance
from dispatch_chain.governance.params import ParamsError
from dispatch_chain.governance.reader import CachedParams
from dispatch_chain.keys import dev_account
from dispatch_chain.protocol import Tier

from support import dev_network
from support_bridge import isolated
from support_governance import EXECUTION_WINDOW, TIMELOCK_DELAY, VOTING_DELAY, VOTING_PERIOD, advance, deploy_params

BOLT = 10**9
RECIPIENT = str(Pubkey(bytes(range(1, 33))))
ALICE, BOB, DAVE, OUTSIDER = "dev:5", "dev:6", "dev:8", "dev:9"


@pytest.fixture(scope="module")
def cli_env(chain, governor, params, token, tmp_path_factory):
    manifest = tmp_path_factory.mktemp("gov-cli") / "local.json"
    evm = EvmDeployment(chain_id=chain.chain_id, contracts={
        "DispatchGovernor": ContractDeployment(address=governor.address, block=0),
        "ProtocolParams": ContractDeployment(address=params.address, block=0),
        "WrappedBolt": ContractDeployment(address=token.address, block=0)})
    manifest.write_text(Manifest(network="local", evm=evm).model_dump_json())
    return {"DISPATCH_EVM_RPC_URL": chain.provider.uri, "DISPATCH_MANIFEST": str(manifest)}


@pytest.fixture(scope="module")
def client(chain, governor, params) -> EvmGovernance:
    return EvmGovernance(EvmClient(dev_network(chain.provider.uri, chain.chain_id)), governor.address, params.address)


def run(env, *args: str):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def one_line_error(result, code: int, *needles: str) -> None:
    assert result.exit_code == code, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: "), result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_params_shows_the_whole_set(cli_env) -> None:
    result = run(cli_env, "gov", "params", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "version": 0, "fee_bps": 500, "verified_threshold": str(100 * BOLT), "sentinel_threshold": str(1_000 * BOLT),
        "unstake_cooldown": 7 * 86_400,
        "prices": {"FAST_LLM": 10_000, "FAST_TASK": 3_000, "CHEAP_LLM": 5_000, "CHEAP_TASK": 1_000}}
    text = run(cli_env, "gov", "params").output
    assert "protocol fee: 500 bps" in text and "price FAST_LLM: $0.010000 USDC" in text


def test_a_proposal_from_flags_to_executed_parameters(cli_env, client, chain) -> None:
    with isolated(chain):
        result = run(cli_env, "gov", "propose", "--fee-bps", "400", "--thresholds", "150,1500",
                     "--price", "FAST_LLM=0.008", "--treasury-spend", "1000", "--to", RECIPIENT,
                     "--title", "Cheaper fee", "--account", ALICE, "--json")
        assert result.exit_code == 0, result.output
        proposed = json.loads(result.output)
        pid = proposed["id"]
        assert proposed["changes"] == [
            "protocol fee -> 400 bps",
            "tier thresholds -> VERIFIED 150.000000000 BOLT, SENTINEL 1,500.000000000 BOLT",
            "price of FAST_LLM -> $0.008000 USDC",
            f"treasury spend of 1,000.000000000 BOLT to {RECIPIENT}",
        ]
        status = json.loads(run(cli_env, "gov", "status", pid, "--json").output)
        assert status["state"] == "pending" and status["changes"] == proposed["changes"]  # read back from chain
        one_line_error(run(cli_env, "gov", "vote", pid, "for", "--account", BOB), 1, "GovernorUnexpectedProposalState")

        advance(chain, VOTING_DELAY + 1)
        result = run(cli_env, "gov", "vote", pid, "for", "--reason", "cheaper jobs", "--account", ALICE)
        assert result.exit_code == 0 and "for 600.000000000" in result.output, result.output
        one_line_error(run(cli_env, "gov", "vote", pid, "against", "--account", ALICE), 1, "GovernorAlreadyCastVote")
        one_line_error(run(cli_env, "gov", "queue", pid, "--account", BOB), 1, "GovernorUnexpectedProposalState")

        advance(chain, VOTING_PERIOD + 1)
        assert "succeeded" in run(cli_env, "gov", "status", pid).output
        result = run(cli_env, "gov", "queue", pid, "--account", BOB)
        assert result.exit_code == 0 and "executable from" in result.output, result.output
        one_line_error(run(cli_env, "gov", "execute", pid, "--account", BOB), 1, "TimelockUnexpectedOperationState")

        advance(chain, TIMELOCK_DELAY)
        result = run(cli_env, "gov", "execute", pid, "--account", BOB)
        assert result.exit_code == 0 and "version 3" in result.output, result.output
        current = client.params()
        assert (current.fee_bps, current.verified_threshold, current.sentinel_threshold) == (400, 150 * BOLT,
                                                                                              1_500 * BOLT)
        assert current.prices["FAST_LLM"] == 8_000
        assert client.params_contract.functions.treasurySpends().call() == 1
        listed = json.loads(run(cli_env, "gov", "status", "--json").output)["proposals"]
        assert [p["state"] for p in listed if p["id"] == pid] == ["executed"]


def test_an_expired_proposal_shows_as_expired(cli_env, chain) -> None:
    with isolated(chain):
        pid = json.loads(run(cli_env, "gov", "propose", "--cooldown", "60", "--account", ALICE, "--json").output)["id"]
        advance(chain, VOTING_DELAY + 1)
        assert run(cli_env, "gov", "vote", pid, "for", "--account", ALICE).exit_code == 0
        advance(chain, VOTING_PERIOD + 1)
        assert run(cli_env, "gov", "queue", pid, "--account", ALICE).exit_code == 0
        advance(chain, TIMELOCK_DELAY + EXECUTION_WINDOW + 1)
        assert "expired" in run(cli_env, "gov", "status", pid).output
        one_line_error(run(cli_env, "gov", "execute", pid, "--account", ALICE), 1, "GovernorUnexpectedProposalState")


def test_cached_params_follow_the_chain_after_their_ttl(client, params, chain) -> None:
    now = [0.0]
    cached = CachedParams(client, ttl=30.0, clock=lambda: now[0])
    assert cached.fee_bps() == 500 and cached.reads == 1
    assert cached.tier_for_stake(100 * BOLT) == Tier.VERIFIED and cached.price("CHEAP_TASK") == 1_000
    assert cached.burned_fee(1_000 * BOLT) == 50 * BOLT
    assert cached.reads == 1  # one chain read for all of these
    with pytest.raises(ParamsError, match="no price"):
        cached.price("GPU")
    now[0] = 31.0
    cached.fee_bps()
    assert cached.reads == 2


def test_contract_refusals_are_typed(chain, project, accounts) -> None:
    owned = deploy_params(project, accounts[0], accounts[0])
    evm = EvmClient(dev_network(chain.provider.uri, chain.chain_id))
    local = EvmGovernance(evm, owned.address, owned.address)
    sender, stranger = TxSender(evm, dev_account(0)), TxSender(evm, dev_account(9))
    f = local.params_contract.functions
    with pytest.raises(errors.FeeAboveCap) as caught:
        local.transact(sender, f.setFeeBps(1_001))
    assert caught.value.values == {"feeBps": 1_001, "cap": 1_000}
    with pytest.raises(errors.InvalidThresholds):
        local.transact(sender, f.setTierThresholds(2, 1))
    with pytest.raises(errors.Unauthorized) as denied:
        local.transact(stranger, f.setFeeBps(1))
    assert denied.value.error == "ProtocolParamsUnauthorized"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((), "nothing to propose"),
        (("--fee-bps", "1001"), "hard cap"),
        (("--thresholds", "1500,150"), "VERIFIED <= SENTINEL"),
        (("--thresholds", "150"), "VERIFIED,SENTINEL"),
        (("--cooldown", "99999999"), "90 days"),
        (("--price", "FAST_LLM=abc"), "not a USDC amount"),
        (("--price", "FAST_LLM=0.0000001"), "at most 6 decimals"),
        (("--price", "NOEQUALS"), "TYPE=USDC"),
        (("--treasury-spend", "5"), "go together"),
        (("--treasury-spend", "5", "--to", "nope"), "not a base58 Solana public key"),
        (("--treasury-spend", "0", "--to", RECIPIENT), "treasury spend"),
    ],
)
def test_bad_proposals_exit_2_before_any_transaction(cli_env, args, needle) -> None:
    one_line_error(run(cli_env, "gov", "propose", *args, "--account", ALICE), 2, needle)


def test_refusals_of_state_and_votes_exit_1(cli_env, chain) -> None:
    with isolated(chain):
        one_line_error(run(cli_env, "gov", "propose", "--fee-bps", "1", "--account", OUTSIDER), 1,
                       "GovernorInsufficientProposerVotes")
        one_line_error(run(cli_env, "gov", "status", "12345"), 1, "no proposal 12345")
        one_line_error(run(cli_env, "gov", "vote", "12345", "for", "--account", ALICE), 1, "GovernorNonexistentProposal")
        one_line_error(run(cli_env, "gov", "status", "not-a-number"), 2, "PROPOSAL_ID")
        assert run(cli_env, "gov", "vote", "1", "maybe", "--account", ALICE).exit_code == 2


def test_dry_run_sends_nothing(cli_env, client) -> None:
    before = client.proposal_ids()
    result = run(cli_env, "gov", "propose", "--fee-bps", "300", "--dry-run")
    assert result.exit_code == 0 and result.output.startswith("would propose ") and "300 bps" in result.output
    assert client.proposal_ids() == before


def test_delegate(cli_env, client, token, accounts, chain) -> None:
    with isolated(chain):
        token.transfer(accounts[1], 5 * BOLT, sender=accounts[5])
        assert client.votes(accounts[1].address) == 0
        result = run(cli_env, "gov", "delegate", "--account", "dev:1")
        assert result.exit_code == 0 and "5.000000000 votes" in result.output, result.output


def _connections(tmp_path, chain, contracts: dict[str, str]) -> Connections:
    manifest = tmp_path / f"{len(contracts)}.json"
    evm = EvmDeployment(chain_id=chain.chain_id, contracts={
        name: ContractDeployment(address=address, block=0) for name, address in contracts.items()})
    manifest.write_text(Manifest(network="local", evm=evm).model_dump_json())
    return Connections(NetworkProfile(name="local", evm=dev_network(chain.provider.uri, chain.chain_id),
                                      manifest=manifest))


def test_wrapped_tiers_follow_protocol_params_when_governance_is_deployed(
    tmp_path, chain, project, accounts, token, holders, governor
) -> None:
    """Bob holds 300 wBOLT, Carol 90: VERIFIED and OPEN under the whitepaper's 100/1 000; after ProtocolParams
    moves the thresholds to 50/250 the governed reader says SENTINEL and VERIFIED (once its cache expires),
    while a manifest without ProtocolParams keeps the defaults."""
    with isolated(chain):
        owned = deploy_params(project, accounts[0], accounts[0])
        bob, carol = holders["bob"].address, holders["carol"].address
        governed = _connections(tmp_path, chain, {"WrappedBolt": token.address, "DispatchGovernor": governor.address,
                                                      "ProtocolParams": owned.address})
        reader = governed.wrapped_tier_reader(ttl=0)
        assert reader.thresholds is not None
        assert reader.tiers([bob, carol]) == {bob: Tier.VERIFIED, carol: Tier.OPEN}
        owned.setTierThresholds(50 * BOLT, 250 * BOLT, sender=accounts[0])
        assert reader.tiers([bob, carol]) == {bob: Tier.SENTINEL, carol: Tier.VERIFIED}
        now = [0.0]
        cached = CachedParams(governed.governance(), ttl=30.0, clock=lambda: now[0])
        follower = WrappedTierReader(governed.evm, token.address, thresholds=cached, ttl=0)
        assert follower.tiers([bob])[bob] is Tier.SENTINEL
        owned.setTierThresholds(50 * BOLT, 500 * BOLT, sender=accounts[0])
        assert follower.tiers([bob])[bob] is Tier.SENTINEL  # thresholds cached for 30 s
        now[0] = 31.0
        assert follower.tiers([bob])[bob] is Tier.VERIFIED
        plain = _connections(tmp_path, chain, {"WrappedBolt": token.address}).wrapped_tier_reader(ttl=0)
        assert plain.thresholds is None and plain.tiers([bob, carol]) == {bob: Tier.VERIFIED, carol: Tier.OPEN}
        with pytest.raises(ValueError, match="not both"):
            WrappedTierReader(governed.evm, token.address, sentinel=1, thresholds=cached)
