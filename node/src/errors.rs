//! JSON-RPC errors, with the codes and messages the real Solana RPC uses.

use serde_json::{json, Value};

/// JSON-RPC 2.0: the request is not valid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// JSON-RPC 2.0: not a valid request object.
pub const INVALID_REQUEST: i64 = -32600;
/// JSON-RPC 2.0: no such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// JSON-RPC 2.0: invalid method parameters.
pub const INVALID_PARAMS: i64 = -32602;
/// Solana: preflight simulation of `sendTransaction` failed.
pub const SEND_TRANSACTION_PREFLIGHT_FAILURE: i64 = -32002;
/// Solana: a signature does not verify.
pub const TRANSACTION_SIGNATURE_VERIFICATION_FAILURE: i64 = -32003;
/// Solana: the block for a slot is not available.
pub const BLOCK_NOT_AVAILABLE: i64 = -32004;

/// An error answered to one JSON-RPC call.
#[derive(Debug, Clone, thiserror::Error)]
#[error("JSON-RPC error {code}: {message}")]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with no data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    /// `-32602 Invalid params: <detail>` (serde-style errors).
    pub fn invalid_params(detail: impl std::fmt::Display) -> Self {
        Self::new(INVALID_PARAMS, format!("Invalid params: {detail}."))
    }

    /// `-32602 Invalid param: <detail>` (one bad value, as the real node says).
    pub fn invalid_param(detail: impl std::fmt::Display) -> Self {
        Self::new(INVALID_PARAMS, format!("Invalid param: {detail}"))
    }

    /// `-32601 Method not found`, naming the method.
    pub fn method_not_found(method: &str) -> Self {
        Self { code: METHOD_NOT_FOUND, message: "Method not found".into(), data: Some(json!({ "method": method })) }
    }

    /// The error object of a JSON-RPC response.
    pub fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

/// What the node's own machinery can fail with, outside a single call.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: Box<dyn std::error::Error + Send + Sync> },
    #[error("ledger {path}: {source}")]
    Ledger { path: String, source: std::io::Error },
    #[error("ledger {path} is not a ledger this node wrote: {detail}")]
    LedgerFormat { path: String, detail: String },
    #[error("program {id} ({path}): {detail}")]
    Program { id: String, path: String, detail: String },
    #[error("{0}")]
    Usage(String),
    #[error("cannot install the signal handler: {0}")]
    Signal(#[from] ctrlc::Error),
}
