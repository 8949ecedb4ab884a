//! Reading SPL Token and Token-2022 accounts: balances in the RPC's
//! `UiTokenAmount` shape and the `jsonParsed` encoding.

use serde_json::{json, Value};
use solana_account::Account;
use solana_address::Address;
use solana_program_pack::Pack;
use spl_token_interface::state::{Account as TokenAccount, AccountState, Mint};

/// The SPL Token program.
pub const TOKEN_PROGRAM: Address = spl_token_interface::ID;
/// The Token-2022 program.
pub const TOKEN_2022_PROGRAM: Address = Address::from_str_const("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// Whether `owner` is one of the token programs.
pub fn is_token_program(owner: &Address) -> bool {
    *owner == TOKEN_PROGRAM || *owner == TOKEN_2022_PROGRAM
}

/// The token account in `account`, if it is one (Token-2022 extensions are
/// skipped: the base layout is the same).
pub fn token_account(account: &Account) -> Option<TokenAccount> {
    if !is_token_program(&account.owner) || account.data.len() < TokenAccount::LEN {
        return None;
    }
    if account.data.len() > TokenAccount::LEN && account.data.get(Mint::LEN.max(TokenAccount::LEN)) != Some(&2) {
        return None;
    }
    let parsed = TokenAccount::unpack_from_slice(&account.data[..TokenAccount::LEN]).ok()?;
    (parsed.state != AccountState::Uninitialized).then_some(parsed)
}

/// The mint in `account`, if it is one.
pub fn mint(account: &Account) -> Option<Mint> {
    if !is_token_program(&account.owner) || account.data.len() < Mint::LEN {
        return None;
    }
    if account.data.len() > Mint::LEN && account.data.get(TokenAccount::LEN) != Some(&1) {
        return None;
    }
    let parsed = Mint::unpack_from_slice(&account.data[..Mint::LEN]).ok()?;
    parsed.is_initialized.then_some(parsed)
}

/// `amount` base units with `decimals` as a decimal string without trailing
/// zeros ("0.00000125", "1000").
pub fn ui_amount_string(amount: u64, decimals: u8) -> String {
    if decimals == 0 {
        return amount.to_string();
    }
    let digits = format!("{:0>width$}", amount, width = decimals as usize + 1);
    let (whole, fraction) = digits.split_at(digits.len() - decimals as usize);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    }
}

/// The RPC's `UiTokenAmount`.
pub fn ui_token_amount(amount: u64, decimals: u8) -> Value {
    let ui = amount as f64 / 10f64.powi(decimals as i32);
    json!({
        "amount": amount.to_string(),
        "decimals": decimals,
        "uiAmount": ui,
        "uiAmountString": ui_amount_string(amount, decimals),
    })
}

fn option_address(value: Option<Address>) -> Value {
    value.map_or(Value::Null, |a| Value::String(a.to_string()))
}

/// The `jsonParsed` form of a token account or mint, if `account` is one.
/// `decimals_of` finds a mint's decimals.
pub fn json_parsed(account: &Account, decimals_of: impl Fn(&Address) -> Option<u8>) -> Option<Value> {
    let program = if account.owner == TOKEN_PROGRAM { "spl-token" } else { "spl-token-2022" };
    let space = account.data.len();
    if let Some(token) = token_account(account) {
        let decimals = decimals_of(&token.mint)?;
        let state = match token.state {
            AccountState::Frozen => "frozen",
            _ => "initialized",
        };
        let mut info = json!({
            "isNative": token.is_native.is_some(),
            "mint": token.mint.to_string(),
            "owner": token.owner.to_string(),
            "state": state,
            "tokenAmount": ui_token_amount(token.amount, decimals),
        });
        if let Some(delegate) = Option::<Address>::from(token.delegate) {
            info["delegate"] = json!(delegate.to_string());
            info["delegatedAmount"] = ui_token_amount(token.delegated_amount, decimals);
        }
        if let Some(close) = Option::<Address>::from(token.close_authority) {
            info["closeAuthority"] = json!(close.to_string());
        }
        return Some(json!({ "program": program, "parsed": { "info": info, "type": "account" }, "space": space }));
    }
    let mint = mint(account)?;
    let info = json!({
        "decimals": mint.decimals,
        "freezeAuthority": option_address(mint.freeze_authority.into()),
        "isInitialized": mint.is_initialized,
        "mintAuthority": option_address(mint.mint_authority.into()),
        "supply": mint.supply.to_string(),
    });
    Some(json!({ "program": program, "parsed": { "info": info, "type": "mint" }, "space": space }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_amount_strings_match_the_rpc() {
        assert_eq!(ui_amount_string(1_250, 9), "0.00000125");
        assert_eq!(ui_amount_string(1_000_000_000, 9), "1");
        assert_eq!(ui_amount_string(0, 9), "0");
        assert_eq!(ui_amount_string(1_500, 3), "1.5");
        assert_eq!(ui_amount_string(42, 0), "42");
    }
}
