//! Accounts of the vesting program and the vesting curve.
use anchor_lang::prelude::*;

/// One vesting schedule (or lock), PDA `["schedule", creator, id]`,
/// whose tokens sit in its vault, the schedule's associated token account.
///
/// Vested at time `t` (the Clock sysvar's unix time), with `t` frozen at
/// `revoked_at` once revoked:
/// - `0` before `cliff_ts`;
/// - `total` from `end_ts` on;
/// - otherwise `total * (t - start_ts) / (end_ts - start_ts)`, rounded down.
///
/// So `start == cliff < end` is linear vesting after a cliff with nothing
/// vested at it ("1-year cliff, then 3-year linear": start = cliff = T + 1 y,
/// end = T + 4 y); `start < cliff` vests the elapsed share at the cliff at
/// once; `start == cliff == end` is a lock that releases everything at `end`.
/// The vault always holds `total - revoked_amount - claimed`.
#[account]
#[derive(InitSpace)]
pub struct VestingSchedule {
    /// Who created and funded the schedule (part of its seeds).
    pub creator: Pubkey,
    /// The address naming this schedule among the creator's (part of its seeds).
    pub id: Pubkey,
    /// Who may claim; only the beneficiary changes it.
    pub beneficiary: Pubkey,
    pub mint: Pubkey,
    /// The schedule's associated token account for `mint`.
    pub vault: Pubkey,
    /// Who may revoke the unvested part; `None` for locks (irrevocable).
    pub revoke_authority: Option<Pubkey>,
    pub start_ts: i64,
    pub cliff_ts: i64,
    pub end_ts: i64,
    /// Tokens the schedule was funded with.
    pub total: u64,
    /// Tokens paid to the beneficiary so far.
    pub claimed: u64,
    /// When the schedule was revoked; vesting stops at that time.
    pub revoked_at: Option<i64>,
    /// The unvested part returned at revocation.
    pub revoked_amount: u64,
    pub bump: u8,
}

/// Vested amount of a schedule of `total` at time `t` (see [`VestingSchedule`]).
pub fn vested_amount(total: u64, start_ts: i64, cliff_ts: i64, end_ts: i64, t: i64) -> u64 {
    if t < cliff_ts {
        return 0;
    }
    if t >= end_ts {
        return total;
    }
    // start <= cliff <= t < end here, so both spans are positive and fit in i128;
    // the product of a u64 and a span below 2^64 fits in u128.
    let elapsed = (i128::from(t) - i128::from(start_ts)) as u128;
    let span = (i128::from(end_ts) - i128::from(start_ts)) as u128;
    (u128::from(total) * elapsed / span) as u64
}

impl VestingSchedule {
    /// Checks `start <= cliff <= end`.
    pub fn valid_times(start_ts: i64, cliff_ts: i64, end_ts: i64) -> bool {
        start_ts <= cliff_ts && cliff_ts <= end_ts
    }

    /// Vested at `t`, counting time only up to the revocation.
    pub fn vested_at(&self, t: i64) -> u64 {
        let t = self.revoked_at.map_or(t, |revoked| t.min(revoked));
        vested_amount(self.total, self.start_ts, self.cliff_ts, self.end_ts, t)
    }

    /// Vested and not yet claimed at `t`.
    pub fn claimable_at(&self, t: i64) -> u64 {
        self.vested_at(t).saturating_sub(self.claimed)
    }

    /// Not yet vested at `t` (zero once revoked: that part went back).
    pub fn unvested_at(&self, t: i64) -> u64 {
        self.total - self.revoked_amount - self.vested_at(t)
    }
}
