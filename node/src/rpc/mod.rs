//! The JSON-RPC methods, one module per family.

mod accounts;
mod cluster;
mod tokens;
mod transactions;

use serde_json::{json, Value};

use crate::chain::Chain;
use crate::errors::RpcError;
use crate::params::Params;

/// The version this node reports (`getVersion`, `context.apiVersion`): the
/// agave runtime crates it executes with.
pub const API_VERSION: &str = "4.2.2";

/// Every method served, for `--help` and the tests.
pub const METHODS: &[&str] = &[
    "dispatchWarpClock",
    "getAccountInfo",
    "getBalance",
    "getBlockHeight",
    "getBlockTime",
    "getEpochInfo",
    "getFeeForMessage",
    "getFirstAvailableBlock",
    "getGenesisHash",
    "getHealth",
    "getIdentity",
    "getLatestBlockhash",
    "getMinimumBalanceForRentExemption",
    "getMinimumLedgerSlot",
    "getMultipleAccounts",
    "getProgramAccounts",
    "getSignatureStatuses",
    "getSignaturesForAddress",
    "getSlot",
    "getTokenAccountBalance",
    "getTokenAccountsByOwner",
    "getTokenSupply",
    "getTransaction",
    "getVersion",
    "isBlockhashValid",
    "requestAirdrop",
    "sendTransaction",
    "simulateTransaction",
];

/// Answers one call.
pub fn handle(chain: &mut Chain, method: &str, params: Option<&Value>) -> Result<Value, RpcError> {
    let params = Params::new(params)?;
    chain.sync();
    match method {
        "dispatchWarpClock" => cluster::warp_clock(chain, &params),
        "getAccountInfo" => accounts::get_account_info(chain, &params),
        "getBalance" => accounts::get_balance(chain, &params),
        "getMultipleAccounts" => accounts::get_multiple_accounts(chain, &params),
        "getProgramAccounts" => accounts::get_program_accounts(chain, &params),
        "getMinimumBalanceForRentExemption" => accounts::get_minimum_balance_for_rent_exemption(chain, &params),
        "getTokenAccountBalance" => tokens::get_token_account_balance(chain, &params),
        "getTokenSupply" => tokens::get_token_supply(chain, &params),
        "getTokenAccountsByOwner" => tokens::get_token_accounts_by_owner(chain, &params),
        "sendTransaction" => transactions::send_transaction(chain, &params),
        "simulateTransaction" => transactions::simulate_transaction(chain, &params),
        "getSignatureStatuses" => transactions::get_signature_statuses(chain, &params),
        "getTransaction" => transactions::get_transaction(chain, &params),
        "getSignaturesForAddress" => transactions::get_signatures_for_address(chain, &params),
        "requestAirdrop" => transactions::request_airdrop(chain, &params),
        "getLatestBlockhash" => cluster::get_latest_blockhash(chain, &params),
        "isBlockhashValid" => cluster::is_blockhash_valid(chain, &params),
        "getFeeForMessage" => cluster::get_fee_for_message(chain, &params),
        "getSlot" | "getBlockHeight" => cluster::get_slot(chain, &params),
        "getEpochInfo" => cluster::get_epoch_info(chain, &params),
        "getVersion" => Ok(json!({ "solana-core": API_VERSION, "feature-set": 0 })),
        "getHealth" => Ok(json!("ok")),
        "getGenesisHash" => Ok(json!(chain.genesis_hash.to_string())),
        "getIdentity" => Ok(json!({ "identity": chain.identity.to_string() })),
        "getBlockTime" => cluster::get_block_time(chain, &params),
        "getFirstAvailableBlock" | "getMinimumLedgerSlot" => Ok(json!(0)),
        _ => Err(RpcError::method_not_found(method)),
    }
}

/// `{"context": {"slot", "apiVersion"}, "value": value}`.
pub fn with_context(chain: &Chain, value: Value) -> Value {
    with_context_at(chain.slot(), value)
}

/// The same, for a value read at `slot` (a commitment's slot).
pub fn with_context_at(slot: u64, value: Value) -> Value {
    json!({ "context": { "slot": slot, "apiVersion": API_VERSION }, "value": value })
}
