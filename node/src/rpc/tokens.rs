//! SPL Token reads.

use serde_json::{json, Value};
use solana_address::Address;

use super::accounts::{keyed_accounts, Filter};
use super::with_context;
use crate::chain::Chain;
use crate::encoding::AccountConfig;
use crate::errors::RpcError;
use crate::params::{parse_address, CommitmentConfig, Params};
use crate::token::{self, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

pub fn get_token_account_balance(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.address(0)?;
    let _: CommitmentConfig = params.config(1)?;
    let parsed =
        chain.account(&address).and_then(|a| token::token_account(&a)).ok_or_else(|| RpcError::invalid_param("not a Token account"))?;
    let decimals = chain.decimals_of(&parsed.mint).ok_or_else(|| RpcError::invalid_param("Token mint could not be unpacked"))?;
    Ok(with_context(chain, token::ui_token_amount(parsed.amount, decimals)))
}

pub fn get_token_supply(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let address = params.address(0)?;
    let _: CommitmentConfig = params.config(1)?;
    let mint = chain.account(&address).and_then(|a| token::mint(&a)).ok_or_else(|| RpcError::invalid_param("not a Token mint"))?;
    Ok(with_context(chain, token::ui_token_amount(mint.supply, mint.decimals)))
}

/// The `{mint}` / `{programId}` selector of `getTokenAccountsByOwner`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
enum TokenFilter {
    Mint(String),
    ProgramId(String),
}

pub fn get_token_accounts_by_owner(chain: &mut Chain, params: &Params) -> Result<Value, RpcError> {
    let owner = params.address(0)?;
    let selector: TokenFilter = serde_json::from_value(params.required(1, "mint or programId")?.clone())
        .map_err(|_| RpcError::invalid_params("expected {\"mint\": ...} or {\"programId\": ...}"))?;
    let config: AccountConfig = params.config(2)?;
    let (programs, mint): (Vec<Address>, Option<Address>) = match selector {
        TokenFilter::Mint(mint) => {
            let mint = parse_address(&mint)?;
            let program = chain
                .account(&mint)
                .filter(|a| token::mint(a).is_some())
                .map(|a| a.owner)
                .ok_or_else(|| RpcError::invalid_param("could not find mint"))?;
            (vec![program], Some(mint))
        }
        TokenFilter::ProgramId(program) => {
            let program = parse_address(&program)?;
            if program != TOKEN_PROGRAM && program != TOKEN_2022_PROGRAM {
                return Err(RpcError::invalid_param("unrecognized Token program id"));
            }
            (vec![program], None)
        }
    };
    let mut accounts = Vec::new();
    for program in programs {
        accounts.extend(keyed_accounts(chain, &program, &[Filter::TokenAccountState], &config, |account| {
            token::token_account(account).is_some_and(|t| t.owner == owner && mint.is_none_or(|m| t.mint == m))
        })?);
    }
    Ok(with_context(chain, json!(accounts)))
}
