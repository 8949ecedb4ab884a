//! Wire encodings: transactions in, accounts out (`base58`, `base64`,
//! `jsonParsed`, `dataSlice`), as the real RPC reads and writes them.

use base64::Engine;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use solana_account::Account;
use solana_address::Address;

use crate::errors::RpcError;

/// Standard padded base64.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Base58.
pub fn b58(bytes: &[u8]) -> String {
    bs58::encode(bytes).into_string()
}

/// How binary data in a request is encoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BinaryEncoding {
    #[default]
    Base58,
    Base64,
}

/// Decodes a bincode-serialised value (a transaction or message) sent as
/// `encoding` text, with the real node's error messages.
pub fn decode_wire<T: DeserializeOwned>(text: &str, encoding: BinaryEncoding, what: &str) -> Result<T, RpcError> {
    let bytes = match encoding {
        BinaryEncoding::Base58 => {
            bs58::decode(text).into_vec().map_err(|e| RpcError::invalid_params(format!("invalid base58 encoding: {e:?}")))?
        }
        BinaryEncoding::Base64 => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| RpcError::invalid_params(format!("invalid base64 encoding: {e:?}")))?,
    };
    bincode::deserialize(&bytes).map_err(|e| RpcError::invalid_params(format!("failed to deserialize {what}: {e}")))
}

/// How account data is returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
pub enum AccountEncoding {
    #[serde(rename = "binary")]
    LegacyBinary,
    #[serde(rename = "base58")]
    Base58,
    #[default]
    #[serde(rename = "base64")]
    Base64,
    #[serde(rename = "base64+zstd")]
    Base64Zstd,
    #[serde(rename = "jsonParsed")]
    JsonParsed,
}

/// The `dataSlice` option.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub struct DataSlice {
    pub offset: usize,
    pub length: usize,
}

/// The config of account-reading methods.
// Commitment-like options are validated, not used: one node answers every
// level the same.
#[allow(dead_code)]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountConfig {
    #[serde(default)]
    pub encoding: Option<AccountEncoding>,
    #[serde(default)]
    pub data_slice: Option<DataSlice>,
    #[serde(default)]
    pub commitment: Option<crate::params::Commitment>,
    #[serde(default)]
    pub min_context_slot: Option<u64>,
}

/// The longest account data the real node returns base58-encoded.
const MAX_BASE58_BYTES: usize = 128;

/// Renders `account` as an RPC `UiAccount`. `decimals_of` finds a mint's
/// decimals for `jsonParsed` token accounts.
pub fn ui_account(
    account: &Account,
    encoding: AccountEncoding,
    slice: Option<DataSlice>,
    decimals_of: &dyn Fn(&Address) -> Option<u8>,
) -> Result<Value, RpcError> {
    let sliced = |data: &[u8]| -> Vec<u8> {
        match slice {
            Some(DataSlice { offset, length }) => data.iter().skip(offset).take(length).copied().collect(),
            None => data.to_vec(),
        }
    };
    let data = match encoding {
        AccountEncoding::Base58 | AccountEncoding::LegacyBinary => {
            let bytes = sliced(&account.data);
            if bytes.len() > MAX_BASE58_BYTES {
                return Err(RpcError::invalid_params(format!(
                    "Encoded binary (base 58) data should be less than {MAX_BASE58_BYTES} bytes, please use Base64 encoding"
                )));
            }
            if encoding == AccountEncoding::LegacyBinary {
                json!(b58(&bytes))
            } else {
                json!([b58(&bytes), "base58"])
            }
        }
        AccountEncoding::Base64 => json!([b64(&sliced(&account.data)), "base64"]),
        AccountEncoding::Base64Zstd => {
            return Err(RpcError::invalid_params("base64+zstd is not supported by this node; use base64"));
        }
        AccountEncoding::JsonParsed => match slice.is_none().then(|| crate::token::json_parsed(account, decimals_of)).flatten() {
            Some(parsed) => parsed,
            None => json!([b64(&sliced(&account.data)), "base64"]),
        },
    };
    Ok(json!({
        "data": data,
        "executable": account.executable,
        "lamports": account.lamports,
        "owner": account.owner.to_string(),
        "rentEpoch": account.rent_epoch,
        "space": account.data.len(),
    }))
}
