"""The Python mirror of dispatch_vesting's curve (dispatch_chain.solana.vesting):
the whitepaper schedules at their boundaries, and for random schedules and
claim times claimed + claimable + unvested (+ revoked) = total. The program
itself is tested as SBF in programs/dispatch_vesting/tests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from solders.pubkey import Pubkey

from dispatch_chain.solana.vesting import VestingSchedule, vested_amount

YEAR = 365 * 24 * 3600
T0 = 1_800_000_000
TOTAL = 150_000_000 * 10**9 + 7


def test_team_schedule_boundaries() -> None:
    cliff, end = T0 + YEAR, T0 + 4 * YEAR
    assert vested_amount(TOTAL, cliff, cliff, end, cliff - 1) == 0
    assert vested_amount(TOTAL, cliff, cliff, end, cliff) == 0
    assert vested_amount(TOTAL, cliff, cliff, end, cliff + 1) == TOTAL // (3 * YEAR)
    assert vested_amount(TOTAL, cliff, cliff, end, cliff + 3 * YEAR // 2) == TOTAL // 2
    assert vested_amount(TOTAL, cliff, cliff, end, end - 1) < TOTAL
    assert vested_amount(TOTAL, cliff, cliff, end, end) == TOTAL
    assert vested_amount(TOTAL, cliff, cliff, end, end + 100 * YEAR) == TOTAL


def test_lock_and_cliff_share() -> None:
    unlock = T0 + YEAR
    assert vested_amount(TOTAL, unlock, unlock, unlock, unlock - 1) == 0
    assert vested_amount(TOTAL, unlock, unlock, unlock, unlock) == TOTAL
    assert vested_amount(TOTAL, T0, T0 + YEAR, T0 + 4 * YEAR, T0 + YEAR) == TOTAL // 4


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 2**64 - 1), st.integers(0, 3 * YEAR), st.integers(0, 2 * YEAR), st.integers(0, 4 * YEAR),
       st.lists(st.integers(0, 10 * YEAR), min_size=1, max_size=10), st.one_of(st.none(), st.integers(0, 10 * YEAR)))
def test_claimed_claimable_unvested_sum_to_total(total: int, start_off: int, cliff_len: int, linear: int,
                                                 times: list[int], revoke_off: int | None) -> None:
    start = T0 + start_off
    cliff, end = start + cliff_len, start + cliff_len + linear
    key = Pubkey(bytes(32))
    claimed = revoked_amount = 0
    revoked_at = None
    for t in sorted(T0 + d for d in times):
        if revoke_off is not None and revoked_at is None and T0 + revoke_off <= t:
            revoked_at = T0 + revoke_off
            revoked_amount = total - vested_amount(total, start, cliff, end, revoked_at)
        s = VestingSchedule(key, key, key, key, key, key, key, start, cliff, end, total, claimed, revoked_at,
                            revoked_amount)
        assert s.claimed + s.claimable_at(t) + s.unvested_at(t) + s.revoked_amount == total
        assert s.vested_at(t) <= total - s.revoked_amount
        claimed += s.claimable_at(t)  # claim everything claimable
    assert claimed <= total
