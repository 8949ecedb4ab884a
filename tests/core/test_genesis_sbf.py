"""The genesis of BOLT into its vaults on the real SBF builds (solders'
LiteSVM): 400M minted straight into the dispatch_rewards vault, 150M into the
dispatch_governance treasury vault before the receiver exists (its
initialise then takes that vault, and no key moves it), team grants from a
file and the liquidity lock as dispatch_vesting schedules, the rest to the
accounts named; every base unit of the 1B supply is accounted for and each
lock opens exactly at its time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spl.token.instructions as token_ix
from sbf_svm import BOLT, Chain, sbf_chain
from solders.pubkey import Pubkey
from spl.token.instructions import create_idempotent_associated_token_account

from dispatch_chain.errors import ConfigError
from dispatch_chain.governance.solana import GovernanceReceiver
from dispatch_chain.protocol import BOLT_SUPPLY
from dispatch_chain.rewards.program import RewardsProgram
from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.client import TOKEN_PROGRAM
from dispatch_chain.solana.genesis import (
    ALLOCATION,
    LIQUIDITY_LOCK,
    TEAM_CLIFF,
    YEAR,
    CategoryRow,
    TeamFileError,
    distribution_table,
    genesis_schedules,
    read_team_file,
    schedule_instructions,
)
from dispatch_chain.solana.programs import IdlProgram
from dispatch_chain.solana.vesting import VestingClient, schedule_id, vested_amount

GENESIS = 1_800_000_000


@pytest.fixture
def chain() -> Chain:
    return sbf_chain("dispatch_vesting", "dispatch_rewards", "dispatch_governance")


def test_genesis_into_vaults(chain: Chain, tmp_path: Path) -> None:
    vesting = VestingClient(None, IdlProgram.load("dispatch_vesting"))
    rewards = RewardsProgram(IdlProgram.load("dispatch_rewards"))
    receiver = GovernanceReceiver(None)  # instructions only: the chain here is solders' LiteSVM
    deployer, dao, liquidity, distributor = chain.deployer, chain.funded(), chain.funded(), chain.funded()
    members = [chain.funded() for _ in range(3)]
    others = {name: chain.funded().pubkey() for name in ("community", "hackathon", "partners")}
    team_file = tmp_path / "team.json"
    shares = [70_000_000 * BOLT, 50_000_000 * BOLT + 1, 30_000_000 * BOLT - 1]
    team_file.write_text(json.dumps([{"label": f"m{i}", "beneficiary": str(m.pubkey()), "amount": str(a)}
                                     for i, (m, a) in enumerate(zip(members, shares, strict=True))]))
    chain.set_time(GENESIS)
    mint = chain.create_mint(deployer)

    # Minting: worker rewards straight into the rewards vault, the treasury into the governance
    # receiver's vault (which no receiver config exists for yet), vested allocations to the deployer.
    vault = rewards.vault_address(mint)
    treasury = receiver.treasury_address(mint)
    deployer_token = associated_token_account(deployer.pubkey(), mint)
    chain.ok([create_idempotent_associated_token_account(deployer.pubkey(), rewards.config_address, mint),
              create_idempotent_associated_token_account(deployer.pubkey(), receiver.config_address, mint),
              create_idempotent_associated_token_account(deployer.pubkey(), deployer.pubkey(), mint)]
             + [create_idempotent_associated_token_account(deployer.pubkey(), o, mint) for o in others.values()],
             [deployer])
    chain.mint_to(deployer, mint, vault, ALLOCATION["worker_rewards"])
    chain.mint_to(deployer, mint, treasury, ALLOCATION["treasury"])
    chain.mint_to(deployer, mint, deployer_token, ALLOCATION["team"] + ALLOCATION["liquidity"])
    for name, owner in others.items():
        chain.mint_to(deployer, mint, associated_token_account(owner, mint), ALLOCATION[name])
    chain.ok([token_ix.set_authority(token_ix.SetAuthorityParams(
        program_id=TOKEN_PROGRAM, account=mint, authority=token_ix.AuthorityType.MINT_TOKENS,
        current_authority=deployer.pubkey(), new_authority=None))], [deployer])
    chain.ok(rewards.initialize_instructions(deployer.pubkey(), mint, start_ts=GENESIS, epoch_seconds=7 * 86400,
                                             distributor=distributor.pubkey())[1:], [deployer])

    # The receiver initialises after genesis over the funded vault (its create-idempotent a no-op).
    chain.ok(receiver.initialize_instructions(
        deployer.pubkey(), mint=mint, chain_id=bytes(32), source_chain=bytes([1] * 32),
        source_emitter=bytes(12) + bytes([2] * 20), attesters=[dao.pubkey()], threshold=1), [deployer])
    governance = receiver.program.decode("GovernanceConfig", chain.data(receiver.config_address))
    assert (governance.treasury, governance.treasury_mint) == (treasury, mint)
    assert chain.token_balance(treasury) == ALLOCATION["treasury"]
    # Its only authority is the receiver config: the deployer (who minted it) cannot move it.
    theft = token_ix.transfer_checked(token_ix.TransferCheckedParams(
        program_id=TOKEN_PROGRAM, source=treasury, mint=mint, dest=deployer_token, owner=deployer.pubkey(),
        amount=1, decimals=9))
    chain.fails([theft], [deployer], 4)  # SPL Token OwnerMismatch

    specs = genesis_schedules(GENESIS, read_team_file(team_file), liquidity_beneficiary=liquidity.pubkey(),
                              team_revoke_authority=dao.pubkey())
    for spec in specs:
        chain.ok(schedule_instructions(vesting, deployer.pubkey(), mint, spec), [deployer])

    assert chain.token_balance(deployer_token) == 0
    schedules = {}
    for spec in specs:
        address = vesting.schedule_address(deployer.pubkey(), schedule_id(spec.label))
        schedules[spec.label] = vesting.decode(address, chain.data(address))
    balances = [chain.token_balance(s.vault) for s in schedules.values()]
    assert balances == [s.total for s in schedules.values()]
    assert sum(balances) + chain.token_balance(vault) + chain.token_balance(treasury) + sum(
        chain.token_balance(associated_token_account(o, mint)) for o in others.values()) == BOLT_SUPPLY
    assert rewards.decode_config(chain.data(rewards.config_address)).vault == vault
    assert schedules["liquidity"].is_lock and "treasury" not in schedules
    assert schedules["team:m1"].revoke_authority == dao.pubkey()

    # Each lock opens exactly at its time; the team vests only after the cliff.
    for label, owner, opens in (("liquidity", liquidity, GENESIS + LIQUIDITY_LOCK),):
        chain.set_time(opens - 1)
        chain.fails(vesting.claim_instructions(owner.pubkey(), schedules[label]), [owner], 6003)
        chain.set_time(opens)
        chain.ok(vesting.claim_instructions(owner.pubkey(), schedules[label]), [owner])
        assert chain.token_balance(associated_token_account(owner.pubkey(), mint)) == ALLOCATION[label]
    chain.set_time(GENESIS + TEAM_CLIFF)
    chain.fails(vesting.claim_instructions(members[0].pubkey(), schedules["team:m0"]), [members[0]], 6003)

    # The distribution table two years in, from the chain's accounts.
    now = GENESIS + 2 * YEAR
    chain.set_time(now)
    chain.ok(vesting.claim_instructions(members[0].pubkey(), schedules["team:m0"]), [members[0]])
    by_category: dict[str, list] = {"team": [], "liquidity": []}
    for spec in specs:
        address = vesting.schedule_address(deployer.pubkey(), schedule_id(spec.label))
        by_category[spec.category].append(vesting.decode(address, chain.data(address)))
    config = rewards.decode_config(chain.data(rewards.config_address))
    rows = {r.category: r for r in distribution_table(now=now, rewards_start=config.start_ts,
                                                       rewards_claimed=config.total_claimed, treasury_paid=7 * BOLT,
                                                       schedules=by_category)}
    assert sum(r.allocated for r in rows.values()) == BOLT_SUPPLY
    assert all(r.released + r.locked == r.allocated for r in rows.values())
    assert rows["worker_rewards"].released == 300_000_000 * BOLT and rows["worker_rewards"].locked == 100_000_000 * BOLT
    assert rows["liquidity"].locked == 0
    assert rows["treasury"] == CategoryRow("treasury", ALLOCATION["treasury"], 7 * BOLT, 7 * BOLT,
                                           ALLOCATION["treasury"] - 7 * BOLT)
    assert rows["liquidity"].claimed == rows["liquidity"].allocated
    team_vested = sum(vested_amount(a, GENESIS + YEAR, GENESIS + YEAR, GENESIS + 4 * YEAR, now) for a in shares)
    assert rows["team"].released == team_vested and rows["team"].claimed == chain.token_balance(
        associated_token_account(members[0].pubkey(), mint))
    with pytest.raises(ConfigError, match="treasury spends paid"):  # more paid than the treasury ever held
        distribution_table(now=now, rewards_start=config.start_ts, rewards_claimed=0,
                           treasury_paid=ALLOCATION["treasury"] + 1, schedules=by_category)
    assert rows["community"] == CategoryRow("community", ALLOCATION["community"], ALLOCATION["community"],
                                            ALLOCATION["community"], 0)


def test_team_file_is_checked_grant_by_grant(tmp_path: Path) -> None:
    path = tmp_path / "team.json"
    key = str(Pubkey.default())
    for rows, message in (
        ([{"label": "a", "beneficiary": key, "amount": "1"}], "add up to"),
        ([{"label": "a", "beneficiary": key, "amount": 150_000_000 * BOLT, "extra": 1}], r"grant 0: .*unknown \['extra'\]"),
        ([{"label": "a", "beneficiary": key}], r"grant 0: missing \['amount'\]"),
        ([{"label": "", "beneficiary": key, "amount": "1"}], "label must be"),
        ([{"label": "a", "beneficiary": "zz", "amount": "1"}], r"grant 0 \(a\): beneficiary"),
        ([{"label": "a", "beneficiary": key, "amount": "-1"}], "not a whole number"),
        ([{"label": "a", "beneficiary": key, "amount": True}], "not a whole number"),
        ([{"label": "a", "beneficiary": key, "amount": 0}], "positive"),
        ([{"label": "a", "beneficiary": key, "amount": 2**64}], "below 2\\^64"),
        ([{"label": "a", "beneficiary": key, "amount": 75_000_000 * BOLT}] * 2, "distinct labels"),
        ([], "non-empty JSON list"),
        ({"a": 1}, "non-empty JSON list"),
        (["a"], "grant 0: expected an object"),
    ):
        path.write_text(json.dumps(rows))
        with pytest.raises(TeamFileError, match=message):
            read_team_file(path)
    path.write_text("not json")
    with pytest.raises(TeamFileError, match="not JSON"):
        read_team_file(path)
    with pytest.raises(TeamFileError, match="cannot read"):
        read_team_file(tmp_path / "missing.json")
    path.write_text(json.dumps([{"label": "a", "beneficiary": key, "amount": str(150_000_000 * BOLT)}]))
    assert [(g.label, g.amount) for g in read_team_file(path)] == [("a", 150_000_000 * BOLT)]
