//! The chain: the SVM with the programs deployed at start, wall-clock slots
//! and blockhashes, and the history of the transactions it processed.

use std::collections::{HashMap, HashSet};

use litesvm::types::{FailedTransactionMetadata, TransactionMetadata};
use litesvm::LiteSVM;
use serde_json::{json, Value};
use solana_account::Account;
use solana_address::Address;
use solana_clock::Clock;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use crate::clock::{RecentBlockhashes, SlotClock, MAX_PROCESSING_AGE};
use crate::commitment::{exists, Depths, Journal, Level};
use crate::errors::{NodeError, RpcError, SEND_TRANSACTION_PREFLIGHT_FAILURE, TRANSACTION_SIGNATURE_VERIFICATION_FAILURE};
use crate::history::{History, TxRecord};
use crate::token;

/// A program deployed when the node starts, as
/// `solana-test-validator --upgradeable-program ID SO AUTHORITY` does: BPF
/// upgradeable loader program + ProgramData accounts, `authority` the
/// upgrade authority (`None`: immutable).
#[derive(Debug, Clone)]
pub struct UpgradeableProgram {
    pub id: Address,
    pub path: std::path::PathBuf,
    pub elf: Vec<u8>,
    pub authority: Option<Address>,
}

/// The fee per signature (LiteSVM's default fee structure, as mainnet).
pub const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
/// What the faucet behind `requestAirdrop` starts with: 500 million SOL.
const FAUCET_LAMPORTS: u64 = 500_000_000 * 1_000_000_000;

/// Outcome of running a transaction without committing it.
pub struct Simulation {
    pub err: Option<TransactionError>,
    pub meta: TransactionMetadata,
    pub post_accounts: Vec<(Address, Account)>,
}

/// Everything the RPC methods read and change.
pub struct Chain {
    pub svm: LiteSVM,
    clock: SlotClock,
    slot: u64,
    pub genesis_hash: Hash,
    pub identity: Address,
    blockhashes: RecentBlockhashes,
    pub history: History,
    faucet: Keypair,
    depths: Depths,
    journal: Journal,
}

impl Chain {
    /// A fresh chain at slot `slot` (0, or where a ledger stopped), with
    /// `programs` deployed (their ELF verified) and signature checks done by
    /// the node.
    pub fn new(genesis_hash: Hash, identity: Address, slot: u64, slot_ms: u64, programs: &[UpgradeableProgram]) -> Result<Self, NodeError> {
        let mut svm = dispatch_svm::new_svm().with_sigverify(false).with_blockhash_check(false);
        for program in programs {
            dispatch_svm::deploy_upgradeable(&mut svm, program.id, &program.elf, program.authority.as_ref()).map_err(|e| {
                NodeError::Program {
                    id: program.id.to_string(),
                    path: program.path.display().to_string(),
                    detail: format!("does not load: {e}"),
                }
            })?;
        }
        let mut chain = Self {
            svm,
            clock: SlotClock::starting_at(slot, slot_ms),
            slot,
            genesis_hash,
            identity,
            blockhashes: RecentBlockhashes::new(genesis_hash, slot),
            history: History::default(),
            faucet: Keypair::new(),
            depths: Depths::default(),
            journal: Journal::default(),
        };
        let faucet_account = Account {
            lamports: FAUCET_LAMPORTS,
            data: Vec::new(),
            owner: solana_sdk_ids::system_program::ID,
            executable: false,
            rent_epoch: 0,
        };
        // A fresh system account is always accepted.
        let _ = chain.svm.set_account(chain.faucet.pubkey(), faucet_account);
        chain.apply_slot();
        Ok(chain)
    }

    /// Sets how many slots transactions wait to be confirmed and finalized.
    pub fn set_depths(&mut self, depths: Depths) {
        self.depths = depths;
    }

    /// Brings the slot, blockhash and Clock sysvar up to the wall clock, and
    /// forgets the pre-images of what became finalized.
    pub fn sync(&mut self) {
        let now = self.clock.current_slot();
        if now > self.slot {
            self.slot = now;
            self.blockhashes.advance_to(now);
            self.apply_slot();
        }
        self.journal.prune(self.visible(Level::Finalized));
    }

    /// The newest slot whose transactions have reached `level` (the current one less the level's
    /// depth); `None` while the chain is younger than the depth: nothing has reached it yet.
    pub fn visible(&self, level: Level) -> Option<u64> {
        match level {
            Level::Processed => Some(self.slot),
            Level::Confirmed => self.slot.checked_sub(self.depths.confirm),
            Level::Finalized => self.slot.checked_sub(self.depths.finalize),
        }
    }

    /// The slot `getSlot` and `context.slot` report at `level` (0 before anything reached it).
    pub fn slot_at(&self, level: Level) -> u64 {
        self.visible(level).unwrap_or(0)
    }

    /// Whether a transaction processed in `slot` is visible at `level`.
    pub fn reached(&self, slot: u64, level: Level) -> bool {
        self.visible(level).is_some_and(|newest| slot <= newest)
    }

    /// The highest level a transaction processed in `slot` has reached.
    pub fn level_of(&self, slot: u64) -> Level {
        if self.reached(slot, Level::Finalized) {
            Level::Finalized
        } else if self.reached(slot, Level::Confirmed) {
            Level::Confirmed
        } else {
            Level::Processed
        }
    }

    /// The account at `address` as of `level` (`None`: it did not exist then).
    pub fn account_at(&self, address: &Address, level: Level) -> Option<Account> {
        if level != Level::Processed {
            if let Some(then) = self.journal.view_at(self.visible(level)).remove(address) {
                return then.filter(exists);
            }
        }
        self.account(address)
    }

    /// Every account owned by `program` as of `level`, with its address.
    pub fn program_accounts_at(&self, program: &Address, level: Level) -> Vec<(Address, Account)> {
        let current = self.program_accounts(program);
        if level == Level::Processed {
            return current;
        }
        self.journal.program_accounts_at(self.visible(level), program, current)
    }

    fn apply_slot(&mut self) {
        let schedule = self.svm.get_sysvar::<solana_epoch_schedule::EpochSchedule>();
        let epoch = schedule.get_epoch(self.slot);
        let clock = Clock {
            slot: self.slot,
            epoch_start_timestamp: self.clock.unix_timestamp_of(schedule.get_first_slot_in_epoch(epoch)),
            epoch,
            leader_schedule_epoch: schedule.get_leader_schedule_epoch(self.slot),
            unix_timestamp: self.block_time(self.slot),
        };
        dispatch_svm::set_clock(&mut self.svm, &clock);
    }

    /// Local-only: moves the Clock sysvar's Unix time `seconds` (> 0) ahead
    /// from the current slot on, as tests of time-dependent programs
    /// (vesting, emission) need; returns the new Unix time.
    pub fn warp_clock(&mut self, seconds: i64) -> i64 {
        self.clock.warp(self.slot, seconds);
        self.apply_slot();
        self.block_time(self.slot)
    }

    /// Seconds all clock warps put the chain ahead of the wall clock (kept in the ledger).
    pub fn warped_seconds(&self) -> i64 {
        self.clock.warped_seconds()
    }

    /// The current slot (also the block height: no slot is skipped).
    pub fn slot(&self) -> u64 {
        self.slot
    }

    /// The Unix time of `slot`.
    pub fn block_time(&self, slot: u64) -> i64 {
        self.clock.unix_timestamp_of(slot)
    }

    /// The newest blockhash and the last block height it is valid at.
    pub fn latest_blockhash(&self) -> (Hash, u64) {
        let (slot, hash) = self.blockhashes.latest();
        (hash, slot + MAX_PROCESSING_AGE)
    }

    /// Whether transactions may still use `hash`.
    pub fn is_blockhash_valid(&self, hash: &Hash) -> bool {
        self.blockhashes.slot_of(hash).is_some()
    }

    /// The fee for a message with `signatures` signatures.
    pub fn fee_for_signatures(&self, signatures: u64) -> u64 {
        LAMPORTS_PER_SIGNATURE * signatures
    }

    /// The account at `address`, if it exists.
    pub fn account(&self, address: &Address) -> Option<Account> {
        self.svm.get_account(address).filter(exists)
    }

    /// The decimals of the mint at `address`.
    pub fn decimals_of(&self, address: &Address) -> Option<u8> {
        self.account(address).and_then(|a| token::mint(&a)).map(|m| m.decimals)
    }

    /// Checks every signature of `tx`, answering like the real node.
    pub fn verify_signatures(tx: &VersionedTransaction) -> Result<(), RpcError> {
        tx.sanitize().map_err(|e| RpcError::invalid_params(format!("invalid transaction: {e}")))?;
        if tx.verify_with_results().iter().all(|ok| *ok) {
            Ok(())
        } else {
            Err(RpcError::new(TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, "Transaction signature verification failure"))
        }
    }

    /// Runs `tx` against the current state without committing it.
    pub fn simulate(&self, tx: VersionedTransaction) -> Simulation {
        match self.svm.simulate_transaction(tx) {
            Ok(info) => Simulation {
                err: None,
                meta: info.meta,
                post_accounts: info.post_accounts.into_iter().map(|(k, a)| (k, a.into())).collect(),
            },
            Err(FailedTransactionMetadata { err, meta }) => Simulation { err: Some(err), meta, post_accounts: Vec::new() },
        }
    }

    /// `sendTransaction`: checks, optional preflight, execution, history.
    pub fn send(&mut self, tx: VersionedTransaction, preflight: bool) -> Result<Signature, RpcError> {
        Self::verify_signatures(&tx)?;
        let signature = tx.signatures[0];
        let stale = !self.is_blockhash_valid(tx.message.recent_blockhash());
        let duplicate = self.history.get(&signature).is_some();
        if preflight {
            if duplicate {
                return Err(preflight_error(TransactionError::AlreadyProcessed, None));
            }
            if stale {
                return Err(preflight_error(TransactionError::BlockhashNotFound, None));
            }
            let simulation = self.simulate(tx.clone());
            if let Some(err) = simulation.err {
                return Err(preflight_error(err, Some(&simulation.meta)));
            }
        }
        if duplicate || stale {
            // The real node drops these after answering with the signature.
            return Ok(signature);
        }
        self.execute(tx);
        Ok(signature)
    }

    /// Executes `tx` and records it (failed transactions too, fee charged).
    fn execute(&mut self, tx: VersionedTransaction) -> Signature {
        let keys: Vec<Address> = tx.message.static_account_keys().to_vec();
        if self.depths.finalize > 0 {
            let before = keys
                .iter()
                .enumerate()
                .filter(|(index, _)| tx.message.is_maybe_writable_with_reserved_addresses(*index, None::<&HashSet<Address>>))
                .map(|(_, key)| (*key, self.account(key)))
                .collect();
            self.journal.record(self.slot, before);
        }
        let pre_balances = self.balances(&keys);
        let pre_token_balances = self.token_balances(&keys);
        let (err, meta) = match self.svm.send_transaction(tx.clone()) {
            Ok(meta) => (None, meta),
            Err(failed) => (Some(failed.err), failed.meta),
        };
        let record = TxRecord {
            slot: self.slot,
            block_time: self.block_time(self.slot),
            transaction: tx,
            err,
            fee: meta.fee,
            pre_balances,
            post_balances: self.balances(&keys),
            pre_token_balances,
            post_token_balances: self.token_balances(&keys),
            logs: meta.logs,
            compute_units_consumed: meta.compute_units_consumed,
            return_data: (!meta.return_data.data.is_empty()).then_some((meta.return_data.program_id, meta.return_data.data)),
            inner_instructions: crate::history::inner_instructions_json(&meta.inner_instructions),
        };
        let signature = record.transaction.signatures[0];
        self.history.insert(record);
        signature
    }

    /// `requestAirdrop`: a System transfer from the faucet, recorded like
    /// any transaction.
    pub fn airdrop(&mut self, to: &Address, lamports: u64) -> Result<Signature, RpcError> {
        let faucet = &self.faucet;
        let ix = solana_system_interface::instruction::transfer(&faucet.pubkey(), to, lamports);
        let (blockhash, _) = self.latest_blockhash();
        let tx = Transaction::new_signed_with_payer(&[ix], Some(&faucet.pubkey()), &[faucet], blockhash);
        let tx = VersionedTransaction::from(tx);
        let simulation = self.simulate(tx.clone());
        if let Some(err) = simulation.err {
            return Err(RpcError::new(crate::errors::INVALID_REQUEST, format!("airdrop failed: {err}")));
        }
        Ok(self.execute(tx))
    }

    fn balances(&self, keys: &[Address]) -> Vec<u64> {
        keys.iter().map(|k| self.svm.get_balance(k).unwrap_or(0)).collect()
    }

    /// The RPC's `preTokenBalances`/`postTokenBalances` for `keys`.
    pub fn token_balances(&self, keys: &[Address]) -> Vec<Value> {
        keys.iter()
            .enumerate()
            .filter_map(|(index, key)| {
                let account = self.account(key)?;
                let parsed = token::token_account(&account)?;
                let decimals = self.decimals_of(&parsed.mint)?;
                Some(json!({
                    "accountIndex": index,
                    "mint": parsed.mint.to_string(),
                    "owner": parsed.owner.to_string(),
                    "programId": account.owner.to_string(),
                    "uiTokenAmount": token::ui_token_amount(parsed.amount, decimals),
                }))
            })
            .collect()
    }

    /// Every account whose owner is `program`, with its address.
    pub fn program_accounts(&self, program: &Address) -> Vec<(Address, Account)> {
        let mut accounts = self.svm.get_program_accounts(program);
        accounts.sort_by_key(|(address, _)| *address);
        accounts
    }

    /// All accounts, for the ledger.
    pub fn all_accounts(&self) -> Vec<(Address, Account)> {
        self.svm.accounts_db().inner.iter().map(|(address, account)| (*address, account.clone().into())).collect()
    }

    /// Restores accounts from a ledger (programs and sysvars are the node's own).
    pub fn restore_accounts(&mut self, accounts: Vec<(Address, Account)>) {
        let mut restored = HashMap::new();
        for (address, account) in accounts {
            if !account.executable && !solana_sdk_ids::sysvar::check_id(&account.owner) {
                restored.insert(address, account);
            }
        }
        for (address, account) in restored {
            if let Err(e) = self.svm.set_account(address, account) {
                log::warn!("ledger account {address} not restored: {e}");
            }
        }
    }
}

/// The `-32002` error of a failed preflight, with the simulation's data.
pub fn preflight_error(err: TransactionError, meta: Option<&TransactionMetadata>) -> RpcError {
    RpcError {
        code: SEND_TRANSACTION_PREFLIGHT_FAILURE,
        message: format!("Transaction simulation failed: {err}"),
        data: Some(crate::history::simulation_value(&err_value(Some(&err)), meta, None, None)),
    }
}

/// A transaction error as the RPC writes it (`"BlockhashNotFound"`,
/// `{"InstructionError":[0,{"Custom":6000}]}`), `null` for none.
pub fn err_value(err: Option<&TransactionError>) -> Value {
    err.map_or(Value::Null, |e| serde_json::to_value(e).unwrap_or_else(|_| json!(e.to_string())))
}
