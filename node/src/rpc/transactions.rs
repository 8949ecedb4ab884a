//! Sending, simulating and looking up transactions.

use serde_json::{json, Value};
use solana_message::VersionedMessage;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;

use super::accounts::render;
use super::with_context;
use crate::chain::{err_value, Chain};
use crate::commitment::Level;
use crate::encoding::{b64, decode_wire, AccountConfig, BinaryEncoding};
use crate::errors::RpcError;
use crate::history::{meta_json, simulation_value, status_value, transaction_json};
use crate::params::{parse_address, parse_signature, Commitment, Params};

/// Most signatures `getSignatureStatuses` takes, as the real node.
const MAX_SIGNATURE_STATUSES: usize = 256;
/// Most entries `getSignaturesForAddress` returns.
const MAX_SIGNATURES_FOR_ADDRESS: usize = 1_000;

// Commitment-like options are validated, not used: one node answers every
// level the same.
#[allow(dead_code)]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendConfig {
    #[serde(default)]
    skip_preflight: bool,
    #[serde(default)]
    encoding: Option<BinaryEncoding>,
    #[serde(default)]
    preflight_commitment: Option<Commitment>,
    #[serde(default)]
    max_retries: Option<usize>,
    #[serde(default)]
    min_context_slot: Option<u64>,
}

pub fn send_transaction(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let config: SendConfig = params.config(1)?;
    let tx: VersionedTransaction = decode_wire(params.string(0, "transaction")?, config.encoding.unwrap_or_default(), "transaction")?;
    let signature = chain.send(tx, !config.skip_preflight)?;
    Ok(json!(signature.to_string()))
}

// Commitment-like options are validated, not used: one node answers every
// level the same.
#[allow(dead_code)]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SimulateConfig {
    #[serde(default)]
    sig_verify: bool,
    #[serde(default)]
    replace_recent_blockhash: bool,
    #[serde(default)]
    encoding: Option<BinaryEncoding>,
    #[serde(default)]
    accounts: Option<SimulateAccounts>,
    #[serde(default)]
    commitment: Option<Commitment>,
    #[serde(default)]
    min_context_slot: Option<u64>,
    #[serde(default)]
    inner_instructions: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
struct SimulateAccounts {
    addresses: Vec<String>,
    #[serde(flatten)]
    config: AccountConfig,
}

pub fn simulate_transaction(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let config: SimulateConfig = params.config(1)?;
    let mut tx: VersionedTransaction = decode_wire(params.string(0, "transaction")?, config.encoding.unwrap_or_default(), "transaction")?;
    if config.sig_verify && config.replace_recent_blockhash {
        return Err(RpcError::invalid_params("sigVerify may not be used with replaceRecentBlockhash"));
    }
    if config.sig_verify {
        Chain::verify_signatures(&tx)?;
    }
    let mut replacement = None;
    if config.replace_recent_blockhash {
        let (blockhash, last_valid) = chain.latest_blockhash();
        match &mut tx.message {
            VersionedMessage::Legacy(m) => m.recent_blockhash = blockhash,
            VersionedMessage::V0(m) => m.recent_blockhash = blockhash,
            _ => return Err(RpcError::invalid_params("unsupported transaction version")),
        }
        replacement = Some(json!({ "blockhash": blockhash.to_string(), "lastValidBlockHeight": last_valid }));
    }
    if !chain.is_blockhash_valid(tx.message.recent_blockhash()) {
        let err = solana_transaction_error::TransactionError::BlockhashNotFound;
        return Ok(with_context(chain, simulation_value(&err_value(Some(&err)), None, None, None)));
    }
    let addresses = config.accounts.as_ref().map(|a| a.addresses.clone()).unwrap_or_default();
    let simulation = chain.simulate(tx);
    let accounts = match &config.accounts {
        None => None,
        Some(requested) => Some(Value::Array(
            addresses
                .iter()
                .map(|text| {
                    let address = parse_address(text)?;
                    let account = simulation
                        .post_accounts
                        .iter()
                        .find(|(k, _)| *k == address)
                        .map(|(_, a)| a.clone())
                        .or_else(|| chain.account(&address));
                    account.map_or(Ok(Value::Null), |a| render(chain, &a, &requested.config))
                })
                .collect::<Result<Vec<_>, RpcError>>()?,
        )),
    };
    let mut value = simulation_value(&err_value(simulation.err.as_ref()), Some(&simulation.meta), accounts, replacement);
    if !config.inner_instructions {
        value["innerInstructions"] = Value::Null;
    }
    Ok(with_context(chain, value))
}

// Commitment-like options are validated, not used: one node answers every
// level the same.
#[allow(dead_code)]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusConfig {
    #[serde(default)]
    search_transaction_history: bool,
}

pub fn get_signature_statuses(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let signatures = params.strings(0, "signatures", MAX_SIGNATURE_STATUSES)?;
    // Every processed transaction is kept, so history search changes nothing.
    let _: StatusConfig = params.config(1)?;
    let statuses = signatures
        .into_iter()
        .map(|s| {
            let signature = parse_signature(s)?;
            Ok(chain.history.get(&signature).map_or(Value::Null, |record| {
                let level = chain.level_of(record.slot);
                let confirmations = if level == Level::Finalized { Value::Null } else { json!(chain.slot().saturating_sub(record.slot)) };
                json!({
                    "slot": record.slot,
                    "confirmations": confirmations,
                    "err": err_value(record.err.as_ref()),
                    "status": status_value(record.err.as_ref()),
                    "confirmationStatus": level.name(),
                })
            }))
        })
        .collect::<Result<Vec<_>, RpcError>>()?;
    Ok(with_context(chain, json!(statuses)))
}

// Commitment-like options are validated, not used: one node answers every
// level the same.
#[allow(dead_code)]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetTransactionConfig {
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    max_supported_transaction_version: Option<u8>,
    #[serde(default)]
    commitment: Option<Commitment>,
}

pub fn get_transaction(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let signature = parse_signature(params.string(0, "signature")?)?;
    // The second parameter may also be a bare encoding string (old clients).
    let config: GetTransactionConfig = match params.get(1) {
        Some(Value::String(encoding)) => GetTransactionConfig { encoding: Some(encoding.clone()), ..Default::default() },
        _ => params.config(1)?,
    };
    let level = Level::at_least_confirmed(config.commitment)?;
    let Some(record) = chain.history.get(&signature).filter(|r| chain.reached(r.slot, level)) else { return Ok(Value::Null) };
    let is_v0 = matches!(record.transaction.message, VersionedMessage::V0(_));
    if is_v0 && config.max_supported_transaction_version.is_none() {
        return Err(RpcError::new(
            -32015,
            "Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0",
        ));
    }
    let transaction = match config.encoding.as_deref().unwrap_or("json") {
        "json" | "jsonParsed" => transaction_json(&record.transaction),
        "base64" => json!([b64(&wire_bytes(&record.transaction)?), "base64"]),
        "base58" => json!([bs58::encode(wire_bytes(&record.transaction)?).into_string(), "base58"]),
        other => {
            return Err(RpcError::invalid_params(format!(
                "unknown variant `{other}`, expected one of `binary`, `base64`, `base58`, `json`, `jsonParsed`"
            )))
        }
    };
    let mut value = json!({
        "slot": record.slot,
        "blockTime": record.block_time,
        "transaction": transaction,
        "meta": meta_json(record),
    });
    if config.max_supported_transaction_version.is_some() {
        value["version"] = if is_v0 { json!(0) } else { json!("legacy") };
    }
    Ok(value)
}

fn wire_bytes(tx: &VersionedTransaction) -> Result<Vec<u8>, RpcError> {
    bincode::serialize(tx).map_err(|e| RpcError::new(crate::errors::INVALID_REQUEST, format!("cannot encode transaction: {e}")))
}

// Commitment-like options are validated, not used: one node answers every
// level the same.
#[allow(dead_code)]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignaturesForAddressConfig {
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    commitment: Option<Commitment>,
    #[serde(default)]
    min_context_slot: Option<u64>,
}

pub fn get_signatures_for_address(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.address(0)?;
    let config: SignaturesForAddressConfig = params.config(1)?;
    let limit = config.limit.unwrap_or(MAX_SIGNATURES_FOR_ADDRESS);
    if limit == 0 || limit > MAX_SIGNATURES_FOR_ADDRESS {
        return Err(RpcError::invalid_param(format!("Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}")));
    }
    let level = Level::at_least_confirmed(config.commitment)?;
    let before: Option<Signature> = config.before.as_deref().map(parse_signature).transpose()?;
    let until: Option<Signature> = config.until.as_deref().map(parse_signature).transpose()?;
    let mut newest_first =
        chain.history.signatures_for(&address).filter(|s| chain.history.get(s).is_some_and(|r| chain.reached(r.slot, level))).peekable();
    if let Some(before) = before {
        // Skip up to and including `before`.
        while newest_first.next().is_some_and(|s| *s != before) {}
    }
    let entries: Vec<Value> = newest_first
        .take_while(|s| Some(**s) != until)
        .take(limit)
        .filter_map(|s| chain.history.get(s).map(|r| (s, r)))
        .map(|(signature, record)| {
            json!({
                "signature": signature.to_string(),
                "slot": record.slot,
                "err": err_value(record.err.as_ref()),
                "memo": null,
                "blockTime": record.block_time,
                "confirmationStatus": chain.level_of(record.slot).name(),
            })
        })
        .collect();
    Ok(json!(entries))
}

pub fn request_airdrop(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.address(0)?;
    let lamports = params.u64(1, "lamports")?;
    let signature = chain.airdrop(&address, lamports)?;
    Ok(json!(signature.to_string()))
}
