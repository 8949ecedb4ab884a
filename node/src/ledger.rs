//! `--ledger FILE`: the chain's state on disk, so a restarted node goes on
//! where it stopped. Written whole, atomically (temporary file + rename),
//! after every change.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;
use solana_account::Account;
use solana_address::Address;
use solana_hash::Hash;

use crate::chain::{Chain, UpgradeableProgram};
use crate::encoding::b64;
use crate::errors::NodeError;
use crate::history::TxRecord;

/// The format version written in every ledger.
const FORMAT: u32 = 1;

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct LedgerFile {
    format: u32,
    genesis_hash: String,
    identity: String,
    slot: u64,
    /// Seconds the clock was warped ahead (`dispatchWarpClock`); reapplied on load.
    #[serde(default)]
    warped_seconds: i64,
    accounts: Vec<LedgerAccount>,
    transactions: Vec<TxRecord>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct LedgerAccount {
    pubkey: String,
    lamports: u64,
    owner: String,
    executable: bool,
    rent_epoch: u64,
    data: String,
}

/// Whether `account` is state to keep: not a program, program data, sysvar
/// or feature account, which every start of the node recreates.
fn is_user_state(account: &Account) -> bool {
    use solana_sdk_ids::{bpf_loader, bpf_loader_deprecated, bpf_loader_upgradeable, config, feature, loader_v4, native_loader, sysvar};
    let node_owned = [
        bpf_loader::ID,
        bpf_loader_deprecated::ID,
        bpf_loader_upgradeable::ID,
        loader_v4::ID,
        native_loader::ID,
        sysvar::ID,
        feature::ID,
        config::ID,
    ];
    !account.executable && !node_owned.contains(&account.owner)
}

/// The ledger file of this node.
pub struct Ledger {
    path: PathBuf,
}

impl Ledger {
    /// The ledger at `path` (which need not exist yet).
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_path_buf() }
    }

    fn io_error(&self, source: std::io::Error) -> NodeError {
        NodeError::Ledger { path: self.path.display().to_string(), source }
    }

    fn format_error(&self, detail: impl std::fmt::Display) -> NodeError {
        NodeError::LedgerFormat { path: self.path.display().to_string(), detail: detail.to_string() }
    }

    /// The chain stored in the ledger, or `None` when there is no file yet.
    pub fn load(&self, slot_ms: u64, programs: &[UpgradeableProgram]) -> Result<Option<Chain>, NodeError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error(e)),
        };
        let file: LedgerFile = serde_json::from_str(&text).map_err(|e| self.format_error(e))?;
        if file.format != FORMAT {
            return Err(self.format_error(format!("format {} (this node writes {FORMAT})", file.format)));
        }
        let genesis: Hash = file.genesis_hash.parse().map_err(|e| self.format_error(format!("genesis hash: {e:?}")))?;
        let identity: Address = file.identity.parse().map_err(|e| self.format_error(format!("identity: {e:?}")))?;
        let mut accounts = Vec::with_capacity(file.accounts.len());
        for entry in file.accounts {
            let address: Address = entry.pubkey.parse().map_err(|e| self.format_error(format!("account key: {e:?}")))?;
            let owner: Address = entry.owner.parse().map_err(|e| self.format_error(format!("owner: {e:?}")))?;
            let data = base64::engine::general_purpose::STANDARD
                .decode(&entry.data)
                .map_err(|e| self.format_error(format!("account data: {e}")))?;
            accounts.push((
                address,
                Account { lamports: entry.lamports, data, owner, executable: entry.executable, rent_epoch: entry.rent_epoch },
            ));
        }
        // Continue after the last slot the previous run reached.
        let mut chain = Chain::new(genesis, identity, file.slot + 1, slot_ms, programs)?;
        chain.restore_accounts(accounts);
        if file.warped_seconds != 0 {
            chain.warp_clock(file.warped_seconds);
        }
        for record in file.transactions {
            chain.history.insert(record);
        }
        Ok(Some(chain))
    }

    /// Writes `chain` to the ledger atomically.
    pub fn save(&self, chain: &Chain) -> Result<(), NodeError> {
        let accounts = chain
            .all_accounts()
            .into_iter()
            .filter(|(_, a)| is_user_state(a))
            .map(|(address, a)| LedgerAccount {
                pubkey: address.to_string(),
                lamports: a.lamports,
                owner: a.owner.to_string(),
                executable: a.executable,
                rent_epoch: a.rent_epoch,
                data: b64(&a.data),
            })
            .collect();
        let file = LedgerFile {
            format: FORMAT,
            genesis_hash: chain.genesis_hash.to_string(),
            identity: chain.identity.to_string(),
            slot: chain.slot(),
            warped_seconds: chain.warped_seconds(),
            accounts,
            transactions: chain.history.records().cloned().collect(),
        };
        let text = serde_json::to_vec(&file).map_err(|e| self.format_error(e))?;
        let tmp = self.path.with_extension("tmp");
        fs::write(&tmp, text).map_err(|e| self.io_error(e))?;
        fs::rename(&tmp, &self.path).map_err(|e| self.io_error(e))
    }
}
