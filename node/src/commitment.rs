//! Commitment levels: a transaction is `processed` in the slot that runs it,
//! `confirmed` once the chain is `confirm_depth` slots past it and
//! `finalized` once it is `finalize_depth` slots past it.
//!
//! Slots advance on the wall clock (`--slot-ms`), so a transaction becomes
//! confirmed and finalized by waiting, as on a cluster. Reads at a
//! commitment see the state at the end of that commitment's slot: the node
//! keeps, for every transaction not yet finalized, the accounts it could
//! write as they were before it ran (a journal), and undoes the newer ones
//! on top of the current state. Finalized entries are dropped. With both
//! depths 0 (the default) every level is the newest state, as before.

use std::collections::{BTreeMap, HashMap};

use solana_account::Account;
use solana_address::Address;

use crate::errors::{RpcError, INVALID_PARAMS};
use crate::params::Commitment;

/// How many slots a transaction waits to be confirmed and finalized.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depths {
    pub confirm: u64,
    pub finalize: u64,
}

impl Depths {
    /// Depths where confirmed comes no later than finalized.
    pub fn new(confirm: u64, finalize: u64) -> Result<Self, String> {
        if confirm > finalize {
            return Err(format!("--confirm-depth ({confirm}) must not exceed --finalize-depth ({finalize})"));
        }
        Ok(Self { confirm, finalize })
    }
}

/// The three levels the node tells apart (deprecated names mapped onto them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Processed,
    Confirmed,
    Finalized,
}

impl Level {
    /// The level of a request's `commitment`; the real RPC's default is `finalized`.
    pub fn of(commitment: Option<Commitment>) -> Self {
        match commitment {
            Some(Commitment::Processed | Commitment::Recent) => Level::Processed,
            Some(Commitment::Confirmed | Commitment::Single | Commitment::SingleGossip) => Level::Confirmed,
            Some(Commitment::Finalized | Commitment::Root | Commitment::Max) | None => Level::Finalized,
        }
    }

    /// The level of a request that must be at least `confirmed`
    /// (`getTransaction`, `getSignaturesForAddress`), with the real node's error.
    pub fn at_least_confirmed(commitment: Option<Commitment>) -> Result<Self, RpcError> {
        match Self::of(commitment) {
            Level::Processed => Err(RpcError::new(INVALID_PARAMS, "Method does not support commitment below `confirmed`")),
            level => Ok(level),
        }
    }

    /// The RPC's `confirmationStatus`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Processed => "processed",
            Level::Confirmed => "confirmed",
            Level::Finalized => "finalized",
        }
    }
}

/// The accounts one transaction could write, as they were before it ran.
#[derive(Debug)]
struct Entry {
    slot: u64,
    before: Vec<(Address, Option<Account>)>,
}

/// Pre-images of the transactions that are not finalized yet, oldest first.
#[derive(Debug, Default)]
pub struct Journal {
    entries: Vec<Entry>,
}

impl Journal {
    /// Records what a transaction run in `slot` is about to overwrite.
    pub fn record(&mut self, slot: u64, before: Vec<(Address, Option<Account>)>) {
        self.entries.push(Entry { slot, before });
    }

    /// Forgets the pre-images of transactions at or below `finalized` (`None`: nothing is final yet).
    pub fn prune(&mut self, finalized: Option<u64>) {
        if let Some(finalized) = finalized {
            self.entries.retain(|e| e.slot > finalized);
        }
    }

    /// How many transactions are not finalized yet.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// What differs at the end of `slot` from now (`None`: before every
    /// transaction kept): address -> the account then (`None`: it did not exist).
    pub fn view_at(&self, slot: Option<u64>) -> HashMap<Address, Option<Account>> {
        let mut view = HashMap::new();
        // Newest first, so the oldest pre-image after `slot` wins.
        for entry in self.entries.iter().rev().take_while(|e| slot.is_none_or(|s| e.slot > s)) {
            for (address, account) in &entry.before {
                view.insert(*address, account.clone());
            }
        }
        view
    }

    /// `current` (the accounts owned by `program` now) as they were at the end of `slot`.
    pub fn program_accounts_at(&self, slot: Option<u64>, program: &Address, current: Vec<(Address, Account)>) -> Vec<(Address, Account)> {
        let view = self.view_at(slot);
        if view.is_empty() {
            return current;
        }
        let mut accounts: BTreeMap<Address, Account> = current.into_iter().collect();
        for (address, then) in view {
            match then {
                Some(account) if account.owner == *program && exists(&account) => {
                    accounts.insert(address, account);
                }
                _ => {
                    accounts.remove(&address);
                }
            }
        }
        accounts.into_iter().collect()
    }
}

/// Whether an account exists as the RPC shows it (lamports or data).
pub fn exists(account: &Account) -> bool {
    account.lamports > 0 || !account.data.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(lamports: u64, owner: Address) -> Account {
        Account { lamports, data: vec![1], owner, executable: false, rent_epoch: 0 }
    }

    #[test]
    fn the_view_at_a_slot_is_the_oldest_pre_image_after_it() {
        let (a, owner) = (Address::new_unique(), Address::new_unique());
        let mut journal = Journal::default();
        journal.record(5, vec![(a, None)]);
        journal.record(6, vec![(a, Some(account(10, owner)))]);
        journal.record(8, vec![(a, Some(account(20, owner)))]);
        assert_eq!(journal.view_at(Some(8)).get(&a), None, "nothing after slot 8: the current state");
        assert_eq!(journal.view_at(Some(7)).get(&a), Some(&Some(account(20, owner))));
        assert_eq!(journal.view_at(Some(5)).get(&a), Some(&Some(account(10, owner))));
        assert_eq!(journal.view_at(Some(4)).get(&a), Some(&None), "created in slot 5");
        assert_eq!(journal.view_at(None).get(&a), Some(&None), "before everything kept");
        let current = vec![(a, account(30, owner))];
        assert!(journal.program_accounts_at(Some(4), &owner, current.clone()).is_empty());
        assert_eq!(journal.program_accounts_at(Some(6), &owner, current)[0].1.lamports, 20);
        journal.prune(None);
        assert_eq!(journal.len(), 3, "nothing is final yet");
        journal.prune(Some(6));
        assert_eq!(journal.len(), 1);
        assert_eq!(journal.view_at(Some(0)).get(&a), Some(&Some(account(20, owner))));
    }

    #[test]
    fn confirm_depth_may_not_exceed_finalize_depth() {
        assert!(Depths::new(3, 2).is_err());
        assert_eq!(Depths::new(2, 32), Ok(Depths { confirm: 2, finalize: 32 }));
    }
}
