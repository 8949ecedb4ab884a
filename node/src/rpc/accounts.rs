//! Reading accounts.

use base64::Engine;
use serde_json::{json, Value};
use solana_account::Account;
use solana_address::Address;

use super::with_context_at;
use crate::chain::Chain;
use crate::commitment::Level;
use crate::encoding::{ui_account, AccountConfig, AccountEncoding};
use crate::errors::RpcError;
use crate::params::{parse_address, CommitmentConfig, Params};

/// Most keys `getMultipleAccounts` takes, as the real node.
pub const MAX_MULTIPLE_ACCOUNTS: usize = 100;

/// Renders `account` with the options of `config`.
pub fn render(chain: &Chain, account: &Account, config: &AccountConfig) -> Result<Value, RpcError> {
    let encoding = config.encoding.unwrap_or(AccountEncoding::Base64);
    ui_account(account, encoding, config.data_slice, &|mint| chain.decimals_of(mint))
}

fn render_optional(chain: &Chain, address: &Address, config: &AccountConfig, level: Level) -> Result<Value, RpcError> {
    chain.account_at(address, level).map_or(Ok(Value::Null), |account| render(chain, &account, config))
}

pub fn get_account_info(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.address(0)?;
    let config: AccountConfig = params.config(1)?;
    let level = Level::of(config.commitment);
    let value = render_optional(chain, &address, &config, level)?;
    Ok(with_context_at(chain.slot_at(level), value))
}

pub fn get_balance(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.address(0)?;
    let config: CommitmentConfig = params.config(1)?;
    let level = Level::of(config.commitment);
    let lamports = chain.account_at(&address, level).map_or(0, |a| a.lamports);
    Ok(with_context_at(chain.slot_at(level), json!(lamports)))
}

pub fn get_multiple_accounts(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let keys = params.strings(0, "addresses", MAX_MULTIPLE_ACCOUNTS)?;
    let config: AccountConfig = params.config(1)?;
    let level = Level::of(config.commitment);
    let values = keys.into_iter().map(|key| render_optional(chain, &parse_address(key)?, &config, level)).collect::<Result<Vec<_>, _>>()?;
    Ok(with_context_at(chain.slot_at(level), json!(values)))
}

/// One `getProgramAccounts` filter.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Filter {
    DataSize(u64),
    Memcmp(Memcmp),
    TokenAccountState,
}

/// A `memcmp` filter: `bytes` at `offset`.
#[derive(Debug, serde::Deserialize)]
pub struct Memcmp {
    offset: usize,
    bytes: String,
    #[serde(default)]
    encoding: Option<String>,
}

impl Filter {
    /// The bytes a memcmp filter compares, decoded once.
    fn compile(&self) -> Result<Option<Vec<u8>>, RpcError> {
        let Filter::Memcmp(memcmp) = self else { return Ok(None) };
        let bytes = match memcmp.encoding.as_deref() {
            None | Some("base58") => bs58::decode(&memcmp.bytes)
                .into_vec()
                .map_err(|e| RpcError::invalid_param(format!("Invalid base58 in memcmp filter: {e}")))?,
            Some("base64") => base64::engine::general_purpose::STANDARD
                .decode(&memcmp.bytes)
                .map_err(|e| RpcError::invalid_param(format!("Invalid base64 in memcmp filter: {e}")))?,
            Some(other) => return Err(RpcError::invalid_params(format!("unknown variant `{other}`, expected `base58` or `base64`"))),
        };
        Ok(Some(bytes))
    }

    fn matches(&self, account: &Account, memcmp_bytes: Option<&[u8]>) -> bool {
        match self {
            Filter::DataSize(size) => account.data.len() as u64 == *size,
            Filter::Memcmp(memcmp) => {
                let bytes = memcmp_bytes.unwrap_or_default();
                memcmp.offset.checked_add(bytes.len()).and_then(|end| account.data.get(memcmp.offset..end)) == Some(bytes)
            }
            Filter::TokenAccountState => crate::token::token_account(account).is_some(),
        }
    }
}

/// The config of `getProgramAccounts`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProgramAccountsConfig {
    #[serde(flatten)]
    account: AccountConfig,
    #[serde(default)]
    filters: Option<Vec<Filter>>,
    #[serde(default)]
    with_context: Option<bool>,
    #[serde(default)]
    sort_results: Option<bool>,
}

/// Most filters the real node takes.
const MAX_FILTERS: usize = 4;

/// The accounts owned by `program` that pass `filters`, rendered as
/// `{pubkey, account}`.
pub fn keyed_accounts(
    chain: &Chain,
    program: &Address,
    filters: &[Filter],
    config: &AccountConfig,
    keep: impl Fn(&Account) -> bool,
) -> Result<Vec<Value>, RpcError> {
    let level = Level::of(config.commitment);
    if filters.len() > MAX_FILTERS {
        return Err(RpcError::invalid_param(format!("Too many filters provided; max {MAX_FILTERS}")));
    }
    let compiled = filters.iter().map(Filter::compile).collect::<Result<Vec<_>, _>>()?;
    chain
        .program_accounts_at(program, level)
        .into_iter()
        .filter(|(_, account)| keep(account))
        .filter(|(_, account)| filters.iter().zip(&compiled).all(|(f, bytes)| f.matches(account, bytes.as_deref())))
        .map(|(address, account)| Ok(json!({ "pubkey": address.to_string(), "account": render(chain, &account, config)? })))
        .collect()
}

pub fn get_program_accounts(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let program = params.address(0)?;
    let config: ProgramAccountsConfig = params.config(1)?;
    let _ = config.sort_results;
    let accounts = keyed_accounts(chain, &program, config.filters.as_deref().unwrap_or_default(), &config.account, |_| true)?;
    if config.with_context.unwrap_or(false) {
        Ok(with_context_at(chain.slot_at(Level::of(config.account.commitment)), json!(accounts)))
    } else {
        Ok(json!(accounts))
    }
}

pub fn get_minimum_balance_for_rent_exemption(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let size = params.u64(0, "data length")?;
    let _: CommitmentConfig = params.config(1)?;
    let size = usize::try_from(size).map_err(|_| RpcError::invalid_param("data length too large"))?;
    Ok(json!(chain.svm.minimum_balance_for_rent_exemption(size)))
}
