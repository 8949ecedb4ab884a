//! Accounts of the bridge program.
use anchor_lang::prelude::*;

use crate::constants::{MAX_ATTESTERS, RATE_LIMIT_PERIOD};
use crate::errors::BridgeError;
use crate::message::{is_padded_evm_address, BridgeMessage};

/// A rate limit of one direction: `capacity` base units per 24 h with
/// linear refill. `level` is the capacity that was available at
/// `last_update`; the capacity available at `now` is
/// `min(capacity, level + capacity * (now - last_update) / 86 400)`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace)]
pub struct RateLimit {
    pub capacity: u64,
    pub level: u64,
    pub last_update: i64,
}

impl RateLimit {
    /// A full limit of `capacity` at `now`.
    pub fn full(capacity: u64, now: i64) -> Self {
        RateLimit { capacity, level: capacity, last_update: now }
    }

    /// The capacity available at `now` (a clock going backwards refills nothing).
    pub fn available(&self, now: i64) -> u64 {
        let elapsed = now.saturating_sub(self.last_update).max(0) as u128;
        let refill = u128::from(self.capacity) * elapsed / RATE_LIMIT_PERIOD as u128;
        (u128::from(self.level) + refill).min(u128::from(self.capacity)) as u64
    }

    /// Takes `amount` from the capacity available at `now`; `false` (and
    /// nothing changes) when it does not fit.
    pub fn consume(&mut self, amount: u64, now: i64) -> bool {
        let available = self.available(now);
        if amount > available {
            return false;
        }
        self.level = available - amount;
        self.last_update = now;
        true
    }

    /// Changes the capacity at `now`: the available level moves by the
    /// difference (a raise is usable at once, a cut removes capacity),
    /// within `0..=capacity`.
    pub fn set_capacity(&mut self, capacity: u64, now: i64) {
        let available = self.available(now);
        self.level = if capacity >= self.capacity {
            available.saturating_add(capacity - self.capacity).min(capacity)
        } else {
            available.saturating_sub(self.capacity - capacity)
        };
        self.capacity = capacity;
        self.last_update = now;
    }
}

/// The bridge's configuration, PDA `["config"]`; also the authority of the
/// custody vault.
#[account]
#[derive(InitSpace)]
pub struct BridgeConfig {
    pub admin: Pubkey,
    pub pending_admin: Option<Pubkey>,
    /// May pause (only); the admin may pause too, and only the admin unpauses.
    pub pauser: Pubkey,
    pub paused: bool,
    /// BOLT (an SPL Token mint).
    pub mint: Pubkey,
    /// The custody vault, PDA `["custody"]`.
    pub custody: Pubkey,
    /// keccak256 of this chain's CAIP-2 id (the destination of inbound messages).
    pub chain_id: [u8; 32],
    /// keccak256 of the peer chain's CAIP-2 id.
    pub peer_chain_id: [u8; 32],
    /// The peer bridge: its EVM address left-padded with 12 zero bytes.
    pub peer_bridge: [u8; 32],
    #[max_len(MAX_ATTESTERS)]
    pub attesters: Vec<Pubkey>,
    /// Distinct configured attesters needed to release a message.
    pub threshold: u8,
    /// The sequence of the next outbound message (the first is 0).
    pub next_sequence: u64,
    /// Locks over the available capacity fail (`RateLimited`).
    pub outbound_limit: RateLimit,
    /// Releases over the available capacity are queued for `queue_delay`.
    pub inbound_limit: RateLimit,
    /// Seconds a queued inbound transfer waits before `complete_queued`.
    pub queue_delay: i64,
    pub bump: u8,
    pub custody_bump: u8,
}

impl BridgeConfig {
    /// Checks an attester set and threshold: 1..=MAX_ATTESTERS distinct
    /// non-default keys, `1 <= threshold <= attesters.len()`.
    pub fn validate_attesters(attesters: &[Pubkey], threshold: u8) -> Result<()> {
        require!(!attesters.is_empty() && attesters.len() <= MAX_ATTESTERS, BridgeError::InvalidAttesters);
        for (i, attester) in attesters.iter().enumerate() {
            require!(*attester != Pubkey::default(), BridgeError::InvalidAttesters);
            require!(!attesters[..i].contains(attester), BridgeError::InvalidAttesters);
        }
        require!(threshold >= 1 && usize::from(threshold) <= attesters.len(), BridgeError::InvalidThreshold);
        Ok(())
    }

    /// Checks the peer: an EVM bridge address (12 zero high bytes, not all
    /// zero) on another chain than this one.
    pub fn validate_peer(chain_id: &[u8; 32], peer_chain_id: &[u8; 32], peer_bridge: &[u8; 32]) -> Result<()> {
        require!(chain_id != peer_chain_id, BridgeError::InvalidPeer);
        require!(is_padded_evm_address(peer_bridge) && *peer_bridge != [0u8; 32], BridgeError::InvalidPeer);
        Ok(())
    }

    pub fn is_attester(&self, key: &Pubkey) -> bool {
        self.attesters.contains(key)
    }
}

/// The record of one outbound message, PDA `["outbound", sequence LE]`:
/// what the attesters of the Monad side read (with the `Locked` event).
#[account]
#[derive(InitSpace)]
pub struct OutboundMessage {
    pub message: BridgeMessage,
    pub digest: [u8; 32],
    pub slot: u64,
    pub locked_at: i64,
    pub bump: u8,
}

/// Where an inbound message stands.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum InboundStatus {
    /// Collecting attestations.
    Pending,
    /// The threshold was reached over the inbound limit; `complete_queued`
    /// releases it from `release_after`.
    Queued,
    /// Released to the recipient; final.
    Executed,
}

/// The record of one inbound message, PDA `["inbound", digest]`, created by
/// its first attestation: who attested (their keys, so a change of the
/// attester set never misattributes an attestation), and whether it was
/// released. Its existence with `Executed` makes replay impossible.
#[account]
#[derive(InitSpace)]
pub struct InboundMessage {
    pub message: BridgeMessage,
    pub digest: [u8; 32],
    #[max_len(MAX_ATTESTERS)]
    pub attesters: Vec<Pubkey>,
    pub status: InboundStatus,
    /// When `Queued`: the earliest time `complete_queued` may release it.
    pub release_after: i64,
    pub bump: u8,
}

impl InboundMessage {
    /// The attestations that count: by keys that are attesters now.
    pub fn valid_attestations(&self, config: &BridgeConfig) -> usize {
        self.attesters.iter().filter(|a| config.is_attester(a)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_refills_linearly_without_overflow() {
        let mut limit = RateLimit::full(86_400, 1_000);
        assert!(limit.consume(86_400, 1_000));
        assert_eq!(limit.available(1_000), 0);
        assert_eq!(limit.available(1_001), 1, "one unit per second for 86 400 per day");
        assert_eq!(limit.available(1_000 + 43_200), 43_200);
        assert_eq!(limit.available(1_000 + 10 * RATE_LIMIT_PERIOD), 86_400, "capped at the capacity");
        assert_eq!(limit.available(999), 0, "a clock going backwards refills nothing");
        assert!(!limit.consume(2, 1_001));
        assert_eq!((limit.level, limit.last_update), (0, 1_000), "a refused amount changes nothing");

        let mut huge = RateLimit::full(u64::MAX, 0);
        assert!(huge.consume(u64::MAX, 0));
        assert_eq!(huge.available(i64::MAX), u64::MAX, "u128 arithmetic: no overflow at the extremes");
        assert_eq!(huge.available(RATE_LIMIT_PERIOD / 2), u64::MAX / 2);
    }

    #[test]
    fn a_capacity_change_moves_the_level_by_the_difference() {
        let mut limit = RateLimit::full(1_000, 0);
        assert!(limit.consume(400, 0));
        limit.set_capacity(1_500, 0);
        assert_eq!((limit.capacity, limit.level), (1_500, 1_100));
        limit.set_capacity(500, 0);
        assert_eq!((limit.capacity, limit.level), (500, 100));
        limit.set_capacity(0, 0);
        assert_eq!((limit.capacity, limit.level), (0, 0));
        assert_eq!(limit.available(i64::MAX), 0);
        limit.set_capacity(u64::MAX, 0);
        assert_eq!(limit.level, u64::MAX);
    }
}
