"""VestingClient's instructions against the real dispatch_vesting SBF build
in LiteSVM (solders): the team schedule (1-year cliff, then 3 years linear)
created from Python, claimed at its boundaries with amounts equal to the
Python mirror of the curve, and a one-year lock."""

from __future__ import annotations

import pytest
from sbf_svm import BOLT, Chain, sbf_chain
from spl.token.instructions import create_idempotent_associated_token_account

from dispatch_chain.solana.bolt import associated_token_account
from dispatch_chain.solana.programs import IdlProgram
from dispatch_chain.solana.vesting import VestingClient, schedule_id, vested_amount

YEAR = 365 * 24 * 3600
T0 = 1_800_000_000
TEAM = 150_000_000 * BOLT


@pytest.fixture
def chain() -> Chain:
    return sbf_chain("dispatch_vesting")


def test_team_schedule_and_lock_from_python(chain: Chain) -> None:
    vesting = VestingClient(None, IdlProgram.load("dispatch_vesting"))
    deployer, member, dao = chain.funded(), chain.funded(), chain.funded()
    chain.set_time(T0)
    mint = chain.create_mint(deployer)
    source = associated_token_account(deployer.pubkey(), mint)
    chain.ok([create_idempotent_associated_token_account(deployer.pubkey(), deployer.pubkey(), mint)], [deployer])
    chain.mint_to(deployer, mint, source, TEAM + 100 * BOLT)

    cliff, end = T0 + YEAR, T0 + 4 * YEAR
    team_id, lock_id = schedule_id("team:member"), schedule_id("liquidity")
    chain.ok(vesting.create_schedule_instructions(deployer.pubkey(), team_id, mint=mint, beneficiary=member.pubkey(),
                                                  total=TEAM, start_ts=cliff, cliff_ts=cliff, end_ts=end,
                                                  revoke_authority=dao.pubkey()), [deployer])
    chain.ok(vesting.create_schedule_instructions(deployer.pubkey(), lock_id, mint=mint, beneficiary=dao.pubkey(),
                                                  total=100 * BOLT, start_ts=cliff, cliff_ts=cliff, end_ts=cliff,
                                                  revoke_authority=None), [deployer])
    address = vesting.schedule_address(deployer.pubkey(), team_id)
    schedule = vesting.decode(address, chain.data(address))
    assert (schedule.total, schedule.beneficiary, schedule.revoke_authority, schedule.id) == \
        (TEAM, member.pubkey(), dao.pubkey(), team_id)
    assert chain.token_balance(schedule.vault) == TEAM

    member_token = associated_token_account(member.pubkey(), mint)
    claimed = 0
    for t in (cliff - 1, cliff, cliff + 1, cliff + YEAR + 12_345, end, end + 10 * YEAR):
        chain.set_time(t)
        expected = vested_amount(TEAM, cliff, cliff, end, t) - claimed
        instructions = vesting.claim_instructions(member.pubkey(), vesting.decode(address, chain.data(address)))
        if expected == 0:
            chain.fails(instructions, [member], 6003)  # NothingToClaim
        else:
            chain.ok(instructions, [member])
            claimed += expected
        assert chain.token_balance(member_token) == claimed
    assert claimed == TEAM

    lock = vesting.decode(vesting.schedule_address(deployer.pubkey(), lock_id),
                          chain.data(vesting.schedule_address(deployer.pubkey(), lock_id)))
    assert lock.is_lock
    chain.set_time(cliff - 1)
    chain.fails(vesting.claim_instructions(dao.pubkey(), lock), [dao], 6003)
    chain.set_time(cliff)
    chain.ok(vesting.claim_instructions(dao.pubkey(), lock), [dao])
    assert chain.token_balance(associated_token_account(dao.pubkey(), mint)) == 100 * BOLT
