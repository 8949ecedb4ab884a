//! Reading positional JSON-RPC parameters and their config objects.

use serde::de::DeserializeOwned;
use serde_json::Value;
use solana_address::Address;
use solana_signature::Signature;

use crate::errors::RpcError;

/// The positional parameters of one call.
pub struct Params<'a> {
    values: &'a [Value],
}

impl<'a> Params<'a> {
    /// Wraps `params` (absent or `null` means none; an object is refused, as
    /// the real node takes positional parameters only).
    pub fn new(params: Option<&'a Value>) -> Result<Self, RpcError> {
        match params {
            None | Some(Value::Null) => Ok(Self { values: &[] }),
            Some(Value::Array(values)) => Ok(Self { values }),
            Some(_) => Err(RpcError::invalid_params("expected an array of parameters")),
        }
    }

    /// The parameter at `index`, if given and not `null`.
    pub fn get(&self, index: usize) -> Option<&'a Value> {
        self.values.get(index).filter(|value| !value.is_null())
    }

    /// The parameter at `index`, which must be present.
    pub fn required(&self, index: usize, what: &str) -> Result<&'a Value, RpcError> {
        self.get(index).ok_or_else(|| RpcError::invalid_params(format!("missing parameter {index} ({what})")))
    }

    /// A string parameter.
    pub fn string(&self, index: usize, what: &str) -> Result<&'a str, RpcError> {
        self.required(index, what)?.as_str().ok_or_else(|| RpcError::invalid_params(format!("parameter {index} ({what}) must be a string")))
    }

    /// A base58 address parameter.
    pub fn address(&self, index: usize) -> Result<Address, RpcError> {
        parse_address(self.string(index, "address")?)
    }

    /// An unsigned integer parameter.
    pub fn u64(&self, index: usize, what: &str) -> Result<u64, RpcError> {
        self.required(index, what)?
            .as_u64()
            .ok_or_else(|| RpcError::invalid_params(format!("parameter {index} ({what}) must be an unsigned integer")))
    }

    /// An array of at most `max` strings (addresses, signatures), refused
    /// beyond that with the real node's message.
    pub fn strings(&self, index: usize, what: &str, max: usize) -> Result<Vec<&'a str>, RpcError> {
        let values = self
            .required(index, what)?
            .as_array()
            .ok_or_else(|| RpcError::invalid_params(format!("parameter {index} ({what}) must be an array")))?;
        if values.len() > max {
            return Err(RpcError::invalid_params(format!("Too many inputs provided; max {max}")));
        }
        values.iter().map(|v| v.as_str().ok_or_else(|| RpcError::invalid_param("Invalid"))).collect()
    }

    /// The config object at `index` (default when absent).
    pub fn config<T: DeserializeOwned + Default>(&self, index: usize) -> Result<T, RpcError> {
        match self.get(index) {
            None => Ok(T::default()),
            Some(value) => serde_json::from_value(value.clone()).map_err(RpcError::invalid_params),
        }
    }
}

/// A base58 address, with the real node's error for a bad one.
pub fn parse_address(text: &str) -> Result<Address, RpcError> {
    text.parse::<Address>().map_err(|_| RpcError::invalid_param("Invalid"))
}

/// A base58 signature, with the real node's error for a bad one.
pub fn parse_signature(text: &str) -> Result<Signature, RpcError> {
    text.parse::<Signature>().map_err(|_| RpcError::invalid_param("Invalid"))
}

/// Commitment and the minimal context slot: accepted everywhere; reads honour
/// the commitment (crate::commitment), the minimal context slot is not checked.
#[allow(dead_code)]
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitmentConfig {
    #[serde(default)]
    pub commitment: Option<Commitment>,
    #[serde(default)]
    pub min_context_slot: Option<u64>,
}

/// The commitment levels the real RPC accepts.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Commitment {
    Processed,
    Confirmed,
    Finalized,
    // Deprecated names still accepted by the real node.
    Recent,
    Single,
    SingleGossip,
    Root,
    Max,
}
