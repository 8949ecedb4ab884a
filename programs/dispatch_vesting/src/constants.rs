//! Seeds of the vesting program.

/// Seed prefix of a [`crate::VestingSchedule`]: `["schedule", creator, id]`
/// (`id`: any address naming the schedule).
pub const SCHEDULE_SEED: &[u8] = b"schedule";
