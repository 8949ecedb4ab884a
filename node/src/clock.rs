//! Wall-clock slots and the recent blockhashes they produce.
//!
//! A slot lasts [`DEFAULT_SLOT_MS`] of wall time, as on a validator; each slot has
//! its own blockhash, derived from the genesis hash and the slot number so a
//! restarted node recomputes the same ones. A transaction may use the
//! blockhash of any of the last [`MAX_PROCESSING_AGE`] slots.

use std::collections::VecDeque;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use solana_hash::Hash;

/// Wall-clock length of a slot, as on mainnet.
pub const DEFAULT_SLOT_MS: u64 = 400;
/// How many slots a blockhash stays usable (the runtime's MAX_PROCESSING_AGE).
pub const MAX_PROCESSING_AGE: u64 = 150;

/// Milliseconds since the Unix epoch, now.
pub fn unix_ms_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Maps wall time to slots, from `base_slot` at the moment of creation.
#[derive(Debug, Clone)]
pub struct SlotClock {
    started: Instant,
    started_unix_ms: i64,
    base_slot: u64,
    slot_ms: u64,
    /// Local-only clock warps (`dispatchWarpClock`): from each slot on, Unix
    /// time runs that many seconds ahead of the wall clock (cumulative).
    warps: Vec<(u64, i64)>,
}

impl SlotClock {
    /// A clock at `base_slot` now, with slots of `slot_ms` milliseconds.
    pub fn starting_at(base_slot: u64, slot_ms: u64) -> Self {
        Self { started: Instant::now(), started_unix_ms: unix_ms_now(), base_slot, slot_ms: slot_ms.max(1), warps: Vec::new() }
    }

    /// The slot the wall clock is in.
    pub fn current_slot(&self) -> u64 {
        self.base_slot + self.started.elapsed().as_millis() as u64 / self.slot_ms
    }

    /// The Unix time (seconds) at which `slot` began or begins, following
    /// the wall clock for slots of this run and extrapolating for others.
    pub fn unix_timestamp_of(&self, slot: u64) -> i64 {
        let offset_ms = (slot as i128 - self.base_slot as i128) * self.slot_ms as i128;
        let warped: i64 = self.warps.iter().filter(|(from, _)| slot >= *from).map(|(_, seconds)| seconds).sum();
        ((self.started_unix_ms as i128 + offset_ms) / 1000) as i64 + warped
    }

    /// Moves Unix time `seconds` ahead from `slot` on (earlier slots keep
    /// their times, so block times never decrease).
    pub fn warp(&mut self, slot: u64, seconds: i64) {
        self.warps.push((slot, seconds));
    }

    /// How far ahead of the wall clock all warps together put the clock.
    pub fn warped_seconds(&self) -> i64 {
        self.warps.iter().map(|(_, seconds)| seconds).sum()
    }
}

/// The blockhash of `slot` on the chain whose genesis hash is `genesis`.
pub fn blockhash_of(genesis: &Hash, slot: u64) -> Hash {
    solana_sha256_hasher::hashv(&[genesis.as_ref(), &slot.to_le_bytes()])
}

/// The blockhashes of the most recent slots, newest last.
#[derive(Debug, Clone)]
pub struct RecentBlockhashes {
    genesis: Hash,
    recent: VecDeque<(u64, Hash)>,
}

impl RecentBlockhashes {
    /// The window ending at `slot`.
    pub fn new(genesis: Hash, slot: u64) -> Self {
        let mut hashes = Self { genesis, recent: VecDeque::new() };
        hashes.advance_to(slot);
        hashes
    }

    /// Adds the blockhashes up to `slot`, dropping those too old to use.
    pub fn advance_to(&mut self, slot: u64) {
        let first = self.recent.back().map_or(0, |(last, _)| last + 1).max(slot.saturating_sub(MAX_PROCESSING_AGE));
        for s in first..=slot {
            self.recent.push_back((s, blockhash_of(&self.genesis, s)));
        }
        while self.recent.len() as u64 > MAX_PROCESSING_AGE + 1 {
            self.recent.pop_front();
        }
    }

    /// The newest blockhash and its slot.
    pub fn latest(&self) -> (u64, Hash) {
        self.recent.back().copied().unwrap_or((0, blockhash_of(&self.genesis, 0)))
    }

    /// The slot of `hash` if it is still usable.
    pub fn slot_of(&self, hash: &Hash) -> Option<u64> {
        self.recent.iter().find(|(_, h)| h == hash).map(|(slot, _)| *slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_keeps_the_last_151_blockhashes() {
        let genesis = Hash::new_from_array([1; 32]);
        let mut hashes = RecentBlockhashes::new(genesis, 10);
        assert_eq!(hashes.slot_of(&blockhash_of(&genesis, 0)), Some(0));
        hashes.advance_to(160);
        assert_eq!(hashes.slot_of(&blockhash_of(&genesis, 9)), None);
        assert_eq!(hashes.slot_of(&blockhash_of(&genesis, 10)), Some(10));
        assert_eq!(hashes.latest(), (160, blockhash_of(&genesis, 160)));
        hashes.advance_to(10_000);
        assert_eq!(hashes.slot_of(&blockhash_of(&genesis, 9_850)), Some(9_850));
        assert_eq!(hashes.slot_of(&blockhash_of(&genesis, 9_849)), None);
    }
}
