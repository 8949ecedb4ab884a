//! Processed transactions and how the RPC shows them.

use std::collections::HashMap;

use litesvm::types::TransactionMetadata;
use serde_json::{json, Value};
use solana_address::Address;
use solana_message::inner_instruction::InnerInstructionsList;
use solana_message::VersionedMessage;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

use crate::chain::err_value;
use crate::encoding::{b58, b64};

/// One processed transaction and its outcome.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxRecord {
    pub slot: u64,
    pub block_time: i64,
    #[serde(with = "wire_transaction")]
    pub transaction: VersionedTransaction,
    pub err: Option<TransactionError>,
    pub fee: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub pre_token_balances: Vec<Value>,
    pub post_token_balances: Vec<Value>,
    pub logs: Vec<String>,
    pub compute_units_consumed: u64,
    #[serde(with = "return_data_serde")]
    pub return_data: Option<(Address, Vec<u8>)>,
    pub inner_instructions: Value,
}

/// Transactions as base64 of their wire (bincode) bytes.
mod wire_transaction {
    use super::*;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tx: &VersionedTransaction, s: S) -> Result<S::Ok, S::Error> {
        let bytes = bincode::serialize(tx).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&b64(&bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<VersionedTransaction, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(serde::de::Error::custom)?;
        bincode::deserialize(&bytes).map_err(serde::de::Error::custom)
    }
}

mod return_data_serde {
    use super::*;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<(Address, Vec<u8>)>, s: S) -> Result<S::Ok, S::Error> {
        value.as_ref().map(|(id, data)| (id.to_string(), b64(data))).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(Address, Vec<u8>)>, D::Error> {
        use base64::Engine;
        let Some((id, data)) = Option::<(String, String)>::deserialize(d)? else { return Ok(None) };
        let id = id.parse().map_err(serde::de::Error::custom)?;
        let data = base64::engine::general_purpose::STANDARD.decode(data).map_err(serde::de::Error::custom)?;
        Ok(Some((id, data)))
    }
}

/// The transactions processed so far, by signature and by account.
#[derive(Debug, Default)]
pub struct History {
    records: HashMap<Signature, TxRecord>,
    order: Vec<Signature>,
    by_address: HashMap<Address, Vec<Signature>>,
}

impl History {
    /// Adds `record`.
    pub fn insert(&mut self, record: TxRecord) {
        let signature = record.transaction.signatures[0];
        for key in record.transaction.message.static_account_keys() {
            self.by_address.entry(*key).or_default().push(signature);
        }
        self.order.push(signature);
        self.records.insert(signature, record);
    }

    /// The record of `signature`.
    pub fn get(&self, signature: &Signature) -> Option<&TxRecord> {
        self.records.get(signature)
    }

    /// How many transactions were processed.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// All records, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &TxRecord> {
        self.order.iter().filter_map(|s| self.records.get(s))
    }

    /// Signatures of transactions that touched `address`, newest first.
    pub fn signatures_for(&self, address: &Address) -> impl Iterator<Item = &Signature> {
        self.by_address.get(address).into_iter().flat_map(|v| v.iter().rev())
    }
}

/// `status` of a transaction (`{"Ok":null}` / `{"Err":...}`).
pub fn status_value(err: Option<&TransactionError>) -> Value {
    match err {
        None => json!({ "Ok": null }),
        Some(_) => json!({ "Err": err_value(err) }),
    }
}

/// The RPC's `returnData`, `null` when empty.
pub fn return_data_value(return_data: Option<(&Address, &[u8])>) -> Value {
    match return_data {
        Some((program_id, data)) if !data.is_empty() => {
            json!({ "programId": program_id.to_string(), "data": [b64(data), "base64"] })
        }
        _ => Value::Null,
    }
}

/// The RPC's `innerInstructions` (account indexes into the message keys).
pub fn inner_instructions_json(list: &InnerInstructionsList) -> Value {
    let groups: Vec<Value> = list
        .iter()
        .enumerate()
        .filter(|(_, inner)| !inner.is_empty())
        .map(|(index, inner)| {
            let instructions: Vec<Value> = inner
                .iter()
                .map(|ix| {
                    json!({
                        "programIdIndex": ix.instruction.program_id_index,
                        "accounts": ix.instruction.accounts,
                        "data": b58(&ix.instruction.data),
                        "stackHeight": ix.stack_height,
                    })
                })
                .collect();
            json!({ "index": index, "instructions": instructions })
        })
        .collect();
    Value::Array(groups)
}

/// The `value` of `simulateTransaction` (and the `data` of a failed
/// preflight).
pub fn simulation_value(
    err: &Value,
    meta: Option<&TransactionMetadata>,
    accounts: Option<Value>,
    replacement_blockhash: Option<Value>,
) -> Value {
    json!({
        "err": err,
        "logs": meta.map_or(json!([]), |m| json!(m.logs)),
        "accounts": accounts.unwrap_or(Value::Null),
        "unitsConsumed": meta.map_or(0, |m| m.compute_units_consumed),
        "returnData": meta.map_or(Value::Null, |m| return_data_value(Some((&m.return_data.program_id, &m.return_data.data)))),
        "innerInstructions": meta.map_or(Value::Null, |m| inner_instructions_json(&m.inner_instructions)),
        "replacementBlockhash": replacement_blockhash.unwrap_or(Value::Null),
        "loadedAccountsDataSize": Value::Null,
        "fee": meta.map_or(Value::Null, |m| json!(m.fee)),
    })
}

/// A transaction in the RPC's `json` encoding.
pub fn transaction_json(tx: &VersionedTransaction) -> Value {
    let message = &tx.message;
    let header = message.header();
    let instructions: Vec<Value> = message
        .instructions()
        .iter()
        .map(|ix| {
            json!({
                "programIdIndex": ix.program_id_index,
                "accounts": ix.accounts,
                "data": b58(&ix.data),
                "stackHeight": null,
            })
        })
        .collect();
    let mut message_json = json!({
        "accountKeys": message.static_account_keys().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        "header": {
            "numRequiredSignatures": header.num_required_signatures,
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
        },
        "recentBlockhash": message.recent_blockhash().to_string(),
        "instructions": instructions,
    });
    if let VersionedMessage::V0(v0) = message {
        message_json["addressTableLookups"] = json!(v0
            .address_table_lookups
            .iter()
            .map(|l| json!({
                "accountKey": l.account_key.to_string(),
                "writableIndexes": l.writable_indexes,
                "readonlyIndexes": l.readonly_indexes,
            }))
            .collect::<Vec<_>>());
    }
    json!({
        "signatures": tx.signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        "message": message_json,
    })
}

/// The `meta` of `getTransaction`.
pub fn meta_json(record: &TxRecord) -> Value {
    json!({
        "err": err_value(record.err.as_ref()),
        "status": status_value(record.err.as_ref()),
        "fee": record.fee,
        "preBalances": record.pre_balances,
        "postBalances": record.post_balances,
        "innerInstructions": record.inner_instructions,
        "logMessages": record.logs,
        "preTokenBalances": record.pre_token_balances,
        "postTokenBalances": record.post_token_balances,
        "rewards": [],
        "loadedAddresses": { "writable": [], "readonly": [] },
        "returnData": return_data_value(record.return_data.as_ref().map(|(id, data)| (id, data.as_slice()))),
        "computeUnitsConsumed": record.compute_units_consumed,
    })
}
