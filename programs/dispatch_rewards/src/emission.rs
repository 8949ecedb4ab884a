//! The emission curve: BOLT released for worker rewards by time `t`.
use crate::constants::{EMISSION_TOTAL, YEAR_EMISSIONS, YEAR_SECONDS};

/// Released by `t` for a curve starting at `start_ts`: the full years'
/// emissions plus the current year's emission times the elapsed share of
/// the year, rounded down; `0` before the start and [`EMISSION_TOTAL`]
/// (375M BOLT) from the end of year 4 on. Never decreases in `t`.
pub fn released(start_ts: i64, t: i64) -> u64 {
    if t <= start_ts {
        return 0;
    }
    let elapsed = (i128::from(t) - i128::from(start_ts)) as u128;
    let year = YEAR_SECONDS as u128;
    let full_years = elapsed / year;
    if full_years >= YEAR_EMISSIONS.len() as u128 {
        return EMISSION_TOTAL;
    }
    let full_years = full_years as usize;
    let before: u64 = YEAR_EMISSIONS[..full_years].iter().sum();
    let within = u128::from(YEAR_EMISSIONS[full_years]) * (elapsed % year) / year;
    before + within as u64
}
