//! The node's JSON-RPC methods against the running binary: shapes, errors,
//! blockhash expiry, duplicates, the ledger and the CLI, and SBF programs
//! deployed as a validator holds them (`--upgradeable-program`).

mod common;

use anchor_lang::{InstructionData, ToAccountMetas};
use common::*;
use serde_json::{json, Value};
use solana_address::Address;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;

fn transfer(from: &Keypair, to: &Address, lamports: u64) -> Instruction {
    solana_system_interface::instruction::transfer(&from.pubkey(), to, lamports)
}

fn assert_context(value: &Value) {
    assert!(value["context"]["slot"].is_u64(), "{value}");
    assert_eq!(value["context"]["apiVersion"], "4.2.2");
}

#[test]
fn cluster_methods_answer_in_the_real_shapes() {
    let node = Node::start(&[]);
    assert_eq!(node.result("getHealth", json!([])), "ok");
    assert!(node.result("getVersion", json!([]))["solana-core"].is_string());
    assert!(node.result("getGenesisHash", json!([])).as_str().unwrap().parse::<solana_hash::Hash>().is_ok());
    assert!(node.result("getIdentity", json!([]))["identity"].as_str().unwrap().parse::<Address>().is_ok());
    let slot = node.result("getSlot", json!([{ "commitment": "confirmed" }])).as_u64().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(900));
    let later = node.result("getBlockHeight", json!([])).as_u64().unwrap();
    assert!(later >= slot + 2, "slots follow wall time: {slot} -> {later}");
    let epoch = node.result("getEpochInfo", json!([]));
    for field in ["absoluteSlot", "blockHeight", "epoch", "slotIndex", "slotsInEpoch", "transactionCount"] {
        assert!(epoch[field].is_u64(), "{field} in {epoch}");
    }
    let latest = node.result("getLatestBlockhash", json!([{ "commitment": "finalized" }]));
    assert_context(&latest);
    let hash = latest["value"]["blockhash"].as_str().unwrap();
    assert_eq!(latest["value"]["lastValidBlockHeight"].as_u64().unwrap(), latest["context"]["slot"].as_u64().unwrap() + 150);
    assert_eq!(node.result("isBlockhashValid", json!([hash]))["value"], true);
    assert_eq!(node.result("isBlockhashValid", json!([Address::new_unique().to_string()]))["value"], false);
    let now = chrono_free_now();
    let block_time = node.result("getBlockTime", json!([later])).as_i64().unwrap();
    assert!((block_time - now).abs() <= 2, "block time {block_time} vs now {now}");
    assert_eq!(node.error("getBlockTime", json!([later + 10_000]))["code"], -32004);
    assert_eq!(node.result("getFirstAvailableBlock", json!([])), 0);
    assert_eq!(node.result("getMinimumLedgerSlot", json!([])), 0);
    assert_eq!(node.result("getMinimumBalanceForRentExemption", json!([0])), 890_880);

    let payer = Keypair::new();
    let message = Transaction::new_with_payer(&[transfer(&payer, &Address::new_unique(), 1_000_000)], Some(&payer.pubkey()));
    let mut message = message.message;
    message.recent_blockhash = hash.parse().unwrap();
    let encoded = base64_of(&bincode::serialize(&message).unwrap());
    let fee = node.result("getFeeForMessage", json!([encoded, { "commitment": "processed" }]));
    assert_context(&fee);
    assert_eq!(fee["value"], 5000);
}

#[test]
fn json_rpc_errors_batches_and_http() {
    let node = Node::start(&[]);
    let unknown = node.error("getNothing", json!([]));
    assert_eq!(unknown, json!({ "code": -32601, "message": "Method not found", "data": { "method": "getNothing" } }));
    let bad = node.error("getBalance", json!(["not-a-key"]));
    assert_eq!(bad, json!({ "code": -32602, "message": "Invalid param: Invalid" }));
    let missing = node.error("getBalance", json!([]));
    assert_eq!(missing["code"], -32602);
    assert!(missing["message"].as_str().unwrap().starts_with("Invalid params: missing parameter 0"));
    assert_eq!(node.error("getSlot", json!([{ "commitment": "sometimes" }]))["code"], -32602);
    assert_eq!(node.post("{not json")["error"], json!({ "code": -32700, "message": "Parse error" }));
    assert_eq!(node.post(r#"{"id":3,"method":"getSlot"}"#)["error"]["code"], -32600);
    assert_eq!(node.post("[]")["error"]["code"], -32600);
    let batch = node.post(r#"[{"jsonrpc":"2.0","id":1,"method":"getHealth"},{"jsonrpc":"2.0","id":"b","method":"nope"}]"#);
    assert_eq!(batch[0], json!({ "jsonrpc": "2.0", "id": 1, "result": "ok" }));
    assert_eq!(batch[1]["id"], "b");
    assert_eq!(batch[1]["error"]["code"], -32601);
    let keys: Vec<String> = (0..101).map(|_| Address::new_unique().to_string()).collect();
    let too_many = node.error("getMultipleAccounts", json!([keys]));
    assert_eq!(too_many, json!({ "code": -32602, "message": "Invalid params: Too many inputs provided; max 100." }));
}

#[test]
fn transactions_lifecycle_statuses_history_and_duplicates() {
    let node = Node::start(&[]);
    let payer = node.funded(5);
    let balance = node.result("getBalance", json!([payer.pubkey().to_string()]));
    assert_context(&balance);
    assert_eq!(balance["value"], 5_000_000_000u64);

    let receiver = Address::new_unique();
    let tx =
        Transaction::new_signed_with_payer(&[transfer(&payer, &receiver, 1_000_000)], Some(&payer.pubkey()), &[&payer], node.blockhash());
    let b58 = bs58::encode(bincode::serialize(&tx).unwrap()).into_string();
    let signature = node.result("sendTransaction", json!([b58])).as_str().unwrap().to_string();
    assert_eq!(signature, tx.signatures[0].to_string());

    // The same transaction again: preflight says AlreadyProcessed, as the real node.
    let duplicate = node.error("sendTransaction", json!([wire(&tx), { "encoding": "base64" }]));
    assert_eq!(duplicate["code"], -32002);
    assert_eq!(duplicate["message"], "Transaction simulation failed: This transaction has already been processed");
    assert_eq!(duplicate["data"]["err"], "AlreadyProcessed");
    // With skipPreflight it is acknowledged and dropped: no second debit.
    node.result("sendTransaction", json!([wire(&tx), { "encoding": "base64", "skipPreflight": true }]));
    assert_eq!(node.result("getBalance", json!([receiver.to_string()]))["value"], 1_000_000);

    let statuses = node.result(
        "getSignatureStatuses",
        json!([[signature, Keypair::new().sign_message(b"x").to_string()], { "searchTransactionHistory": true }]),
    );
    assert_context(&statuses);
    let status = &statuses["value"][0];
    assert_eq!(status["err"], Value::Null);
    assert_eq!(status["status"], json!({ "Ok": null }));
    assert_eq!(status["confirmationStatus"], "finalized");
    assert_eq!(statuses["value"][1], Value::Null);

    let got = node.result("getTransaction", json!([signature, { "encoding": "json", "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(got["version"], "legacy");
    assert_eq!(got["transaction"]["signatures"][0], signature.as_str());
    assert_eq!(got["transaction"]["message"]["accountKeys"][0], payer.pubkey().to_string());
    let meta = &got["meta"];
    assert_eq!(meta["err"], Value::Null);
    assert_eq!(meta["fee"], 5000);
    assert_eq!(meta["preBalances"][0].as_u64().unwrap() - meta["postBalances"][0].as_u64().unwrap(), 1_005_000);
    assert!(meta["logMessages"].as_array().unwrap().contains(&json!("Program 11111111111111111111111111111111 success")));
    assert!(meta["computeUnitsConsumed"].as_u64().unwrap() > 0);
    assert!(got["blockTime"].is_i64() && got["slot"].is_u64());
    let encoded = node.result("getTransaction", json!([signature, "base64"]));
    assert_eq!(encoded["transaction"][1], "base64");
    assert_eq!(encoded["transaction"][0], wire(&tx));
    assert_eq!(node.result("getTransaction", json!([Keypair::new().sign_message(b"y").to_string()])), Value::Null);

    let history = node.result("getSignaturesForAddress", json!([receiver.to_string(), { "limit": 10 }]));
    assert_eq!(history.as_array().unwrap().len(), 1);
    assert_eq!(history[0]["signature"], signature.as_str());
    assert_eq!(history[0]["confirmationStatus"], "finalized");
}

#[test]
fn simulate_transaction_options() {
    let node = Node::start(&[]);
    let payer = node.funded(1);
    let tx = node.tx(&payer, &[], &[transfer(&payer, &Address::new_unique(), 1_000_000)]);
    let simulated = node.result("simulateTransaction", json!([tx, { "encoding": "base64", "sigVerify": true }]));
    assert_context(&simulated);
    assert_eq!(simulated["value"]["err"], Value::Null);
    assert!(simulated["value"]["unitsConsumed"].as_u64().unwrap() > 0);
    assert_eq!(simulated["value"]["accounts"], Value::Null);

    // A stale blockhash is replaced on request; the signature no longer matches.
    let stale = Transaction::new_signed_with_payer(
        &[transfer(&payer, &Address::new_unique(), 1_000_000)],
        Some(&payer.pubkey()),
        &[&payer],
        solana_hash::Hash::new_from_array([9; 32]),
    );
    let not_found = node.result("simulateTransaction", json!([wire(&stale), { "encoding": "base64" }]));
    assert_eq!(not_found["value"]["err"], "BlockhashNotFound");
    let replaced = node.result("simulateTransaction", json!([wire(&stale), { "encoding": "base64", "replaceRecentBlockhash": true }]));
    assert_eq!(replaced["value"]["err"], Value::Null);
    assert!(replaced["value"]["replacementBlockhash"]["blockhash"].is_string());
    let conflict = node
        .error("simulateTransaction", json!([wire(&stale), { "encoding": "base64", "replaceRecentBlockhash": true, "sigVerify": true }]));
    assert_eq!(conflict["code"], -32602);

    let mut forged = Transaction::new_signed_with_payer(
        &[transfer(&payer, &Address::new_unique(), 1_000_000)],
        Some(&payer.pubkey()),
        &[&payer],
        node.blockhash(),
    );
    forged.signatures[0] = Keypair::new().sign_message(b"forged");
    let bad_sig = node.error("sendTransaction", json!([wire(&forged), { "encoding": "base64" }]));
    assert_eq!(bad_sig, json!({ "code": -32003, "message": "Transaction signature verification failure" }));
}

fn settlement_config() -> Address {
    Address::find_program_address(&[b"config"], &dispatch_settlement::ID).0
}

fn settlement_initialize(admin: &Keypair, mint: &Address, fee_bps: u16) -> Instruction {
    Instruction {
        program_id: dispatch_settlement::ID,
        accounts: dispatch_settlement::accounts::Initialize {
            admin: admin.pubkey(),
            config: settlement_config(),
            mint: *mint,
            system_program: solana_sdk_ids::system_program::ID,
            program: dispatch_settlement::ID,
            program_data: programdata(&dispatch_settlement::ID),
        }
        .to_account_metas(None),
        data: dispatch_settlement::instruction::Initialize { fee_bps }.data(),
    }
}

fn settlement_set_fee(admin: &Keypair, fee_bps: u16) -> Instruction {
    Instruction {
        program_id: dispatch_settlement::ID,
        accounts: dispatch_settlement::accounts::SetFee { admin: admin.pubkey(), config: settlement_config() }.to_account_metas(None),
        data: dispatch_settlement::instruction::SetFee { fee_bps }.data(),
    }
}

fn programdata(program: &Address) -> Address {
    dispatch_svm::programdata_address(program)
}

/// `SetComputeUnitLimit(units)` of the ComputeBudget program.
fn compute_unit_limit(units: u32) -> Instruction {
    let mut data = vec![2u8];
    data.extend(units.to_le_bytes());
    Instruction { program_id: solana_sdk_ids::compute_budget::ID, accounts: vec![], data }
}

fn logs_of(value: &Value) -> Vec<String> {
    value.as_array().expect("logs").iter().filter_map(Value::as_str).map(str::to_string).collect()
}

#[test]
fn sbf_programs_are_deployed_as_a_validator_holds_them() {
    let authority = Keypair::new();
    let node = Node::start(&settlement_program(&authority.pubkey()).iter().map(String::as_str).collect::<Vec<_>>());
    let loader = solana_sdk_ids::bpf_loader_upgradeable::ID.to_string();

    // The program account: executable, owned by the upgradeable loader, 36
    // bytes naming its ProgramData (as getAccountInfo shows it on devnet).
    let program = node.result("getAccountInfo", json!([dispatch_settlement::ID.to_string(), { "encoding": "base64" }]))["value"].clone();
    assert_eq!((&program["owner"], &program["executable"], &program["space"]), (&json!(loader), &json!(true), &json!(36)));
    let data = base64_decode(program["data"][0].as_str().unwrap());
    let programdata_key = programdata(&dispatch_settlement::ID);
    assert_eq!((&data[..4], &data[4..]), (&2u32.to_le_bytes()[..], programdata_key.as_ref()));
    // ProgramData: tag 3, the deploy slot, the upgrade authority, then the ELF.
    let programdata_account =
        node.result("getAccountInfo", json!([programdata_key.to_string(), { "encoding": "base64" }]))["value"].clone();
    assert_eq!((&programdata_account["owner"], &programdata_account["executable"]), (&json!(loader), &json!(false)));
    let data = base64_decode(programdata_account["data"][0].as_str().unwrap());
    let elf = std::fs::read(dispatch_svm::sbf_dir().join("dispatch_settlement.so")).unwrap();
    assert_eq!(
        (&data[..4], data[12], &data[13..45], &data[45..]),
        (&3u32.to_le_bytes()[..], 1, authority.pubkey().as_ref(), elf.as_slice())
    );

    // Only the upgrade authority initialises (Anchor's ConstraintRaw, 2003).
    let payer = node.funded(2);
    let mint = create_mint(&node, &payer, &payer.pubkey()).pubkey();
    let err = node
        .error("sendTransaction", json!([node.tx(&payer, &[], &[settlement_initialize(&payer, &mint, 500)]), { "encoding": "base64" }]));
    assert_eq!(err["data"]["err"], json!({ "InstructionError": [0, { "Custom": 2003 }] }), "{err}");
    assert!(
        logs_of(&err["data"]["logs"]).iter().any(|l| l.contains("AnchorError caused by account: program_data. Error Code: ConstraintRaw")),
        "{err}"
    );
    node.result("requestAirdrop", json!([authority.pubkey().to_string(), 2_000_000_000u64]));
    let signature = node.send(&authority, &[], &[settlement_initialize(&authority, &mint, 500)]);
    let got = node.result("getTransaction", json!([signature, { "maxSupportedTransactionVersion": 0 }]));
    let consumed = got["meta"]["computeUnitsConsumed"].as_u64().unwrap();
    assert!(consumed > 5_000, "metered SBF execution: {consumed} CU");
    let logs = logs_of(&got["meta"]["logMessages"]);
    assert!(
        logs.iter()
            .any(|l| l.starts_with(&format!("Program {} consumed ", dispatch_settlement::ID)) && l.ends_with(" of 200000 compute units")),
        "{logs:?}"
    );

    // emit!: a `Program data:` line holding FeeUpdated (its discriminator, then fee_bps).
    let signature = node.send(&authority, &[], &[settlement_set_fee(&authority, 250)]);
    let got = node.result("getTransaction", json!([signature, { "maxSupportedTransactionVersion": 0 }]));
    let data: Vec<String> =
        logs_of(&got["meta"]["logMessages"]).into_iter().filter_map(|l| l.strip_prefix("Program data: ").map(str::to_string)).collect();
    assert_eq!(data.len(), 1);
    let event = base64_decode(&data[0]);
    use anchor_lang::Discriminator;
    assert_eq!((&event[..8], &event[8..]), (dispatch_settlement::FeeUpdated::DISCRIMINATOR, &250u16.to_le_bytes()[..]));

    // A compute-unit limit below what the instruction needs fails as on devnet:
    // the limit covers the whole transaction (the ComputeBudget instruction's
    // own 150 CU included) and the program stops when the meter runs out.
    let err = node.error(
        "sendTransaction",
        json!([node.tx(&authority, &[], &[compute_unit_limit(2_000), settlement_set_fee(&authority, 300)]), { "encoding": "base64" }]),
    );
    assert_eq!(err["message"], "Transaction simulation failed: Error processing Instruction 1: Program failed to complete", "{err}");
    assert_eq!(err["data"]["err"], json!({ "InstructionError": [1, "ProgramFailedToComplete"] }), "{err}");
    assert_eq!(err["data"]["unitsConsumed"], 2_000);
    let logs = logs_of(&err["data"]["logs"]);
    assert!(logs.iter().any(|l| l == &format!("Program {} consumed 1850 of 1850 compute units", dispatch_settlement::ID)), "{logs:?}");
    assert!(
        logs.iter().any(|l| l == &format!("Program {} failed: exceeded CUs meter at BPF instruction", dispatch_settlement::ID)),
        "{logs:?}"
    );
}

#[test]
fn upgradeable_program_arguments_are_checked() {
    let run = |args: &[&str]| {
        let output =
            std::process::Command::new(env!("CARGO_BIN_EXE_dispatch-solana-node")).args(["--port", "0"]).args(args).output().expect("runs");
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    let id = dispatch_settlement::ID.to_string();
    let missing = run(&["--upgradeable-program", &id, "/nonexistent.so", "none"]);
    assert!(missing.contains("/nonexistent.so") && missing.contains("cannot read the program"), "{missing}");
    let so = dispatch_svm::sbf_dir().join("dispatch_settlement.so").display().to_string();
    let bad_key = run(&["--upgradeable-program", &id, &so, "not-a-key"]);
    assert!(bad_key.contains("AUTHORITY is neither a public key nor `none`"), "{bad_key}");
    // An ELF the verifier rejects (a corrupted file) does not load.
    let corrupt = std::env::temp_dir().join(format!("dispatch-node-corrupt-{}.so", std::process::id()));
    let mut elf = std::fs::read(&so).unwrap();
    let len = elf.len();
    elf.truncate(len / 2);
    std::fs::write(&corrupt, &elf).unwrap();
    let rejected = run(&["--upgradeable-program", &id, corrupt.to_str().unwrap(), "none"]);
    assert!(rejected.contains("does not load"), "{rejected}");
    let _ = std::fs::remove_file(&corrupt);
}

#[test]
fn anchor_custom_error_fails_preflight_like_the_real_node() {
    let admin = Keypair::new();
    let node = Node::start(&settlement_program(&admin.pubkey()).iter().map(String::as_str).collect::<Vec<_>>());
    node.result("requestAirdrop", json!([admin.pubkey().to_string(), 2_000_000_000u64]));
    let mint = create_mint(&node, &admin, &admin.pubkey()).pubkey();
    node.send(&admin, &[], &[settlement_initialize(&admin, &mint, 500)]);
    let info = node.result("getAccountInfo", json!([settlement_config().to_string(), { "encoding": "base64" }]));
    assert_eq!(info["value"]["owner"], dispatch_settlement::ID.to_string());

    // Someone else changing the fee: the program's Unauthorized, 6000.
    let intruder = node.funded(1);
    let tx = node.tx(&intruder, &[], &[settlement_set_fee(&intruder, 100)]);
    let err = node.error("sendTransaction", json!([tx, { "encoding": "base64" }]));
    assert_eq!(err["code"], -32002);
    assert_eq!(err["message"], "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1770", "{err}");
    let data = &err["data"];
    assert_eq!(data["err"], json!({ "InstructionError": [0, { "Custom": 6000 }] }));
    assert_eq!(data["accounts"], Value::Null);
    assert!(data["unitsConsumed"].as_u64().unwrap() > 0);
    assert!(data.get("returnData").is_some());
    let logs: Vec<&str> = data["logs"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(logs.contains(&"Program log: Instruction: SetFee"), "{logs:?}");
    let failed = format!("Program {} failed: custom program error: 0x1770", dispatch_settlement::ID);
    assert!(logs.contains(&failed.as_str()), "{logs:?}");

    // skipPreflight: it lands, failed, fee paid, visible in history.
    let signature = node.result("sendTransaction", json!([tx, { "encoding": "base64", "skipPreflight": true }]));
    let got = node.result("getTransaction", json!([signature, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(got["meta"]["err"], json!({ "InstructionError": [0, { "Custom": 6000 }] }));
    assert_eq!(got["meta"]["status"], json!({ "Err": { "InstructionError": [0, { "Custom": 6000 }] } }));
    assert_eq!(got["meta"]["fee"], 5000);
}

#[test]
fn accounts_tokens_and_program_accounts() {
    let node = Node::start(&[]);
    let payer = node.funded(5);
    let mint = create_mint(&node, &payer, &payer.pubkey()).pubkey();
    let holder = Address::new_unique();
    let account = create_token_account(&node, &payer, &mint, &holder);
    let other = create_token_account(&node, &payer, &mint, &payer.pubkey());
    node.send(
        &payer,
        &[],
        &[spl_token_interface::instruction::mint_to(&spl_token_interface::ID, &mint, &account, &payer.pubkey(), &[], 1_250).unwrap()],
    );

    let base64 = node.result("getAccountInfo", json!([account.to_string(), { "encoding": "base64" }]));
    assert_context(&base64);
    let value = &base64["value"];
    assert_eq!(value["owner"], spl_token_interface::ID.to_string());
    assert_eq!(value["space"], 165);
    assert_eq!(value["data"][1], "base64");
    assert_eq!(value["executable"], false);
    let sliced =
        node.result("getAccountInfo", json!([account.to_string(), { "encoding": "base58", "dataSlice": { "offset": 32, "length": 32 } }]));
    assert_eq!(sliced["value"]["data"], json!([holder.to_string(), "base58"]));
    assert_eq!(node.error("getAccountInfo", json!([account.to_string(), { "encoding": "base58" }]))["code"], -32602);
    let parsed = node.result("getAccountInfo", json!([account.to_string(), { "encoding": "jsonParsed" }]));
    let info = &parsed["value"]["data"]["parsed"]["info"];
    assert_eq!(parsed["value"]["data"]["program"], "spl-token");
    assert_eq!(info["owner"], holder.to_string());
    assert_eq!(info["tokenAmount"], json!({ "amount": "1250", "decimals": 9, "uiAmount": 0.00000125, "uiAmountString": "0.00000125" }));
    assert_eq!(node.result("getAccountInfo", json!([Address::new_unique().to_string()]))["value"], Value::Null);

    let multiple =
        node.result("getMultipleAccounts", json!([[account.to_string(), Address::new_unique().to_string()], { "encoding": "base64" }]));
    assert_eq!(multiple["value"][0]["space"], 165);
    assert_eq!(multiple["value"][1], Value::Null);

    let balance = node.result("getTokenAccountBalance", json!([account.to_string()]));
    assert_eq!(balance["value"]["amount"], "1250");
    assert_eq!(
        node.error("getTokenAccountBalance", json!([payer.pubkey().to_string()])),
        json!({ "code": -32602, "message": "Invalid param: not a Token account" })
    );
    let supply = node.result("getTokenSupply", json!([mint.to_string()]));
    assert_eq!(supply["value"]["uiAmountString"], "0.00000125");

    let by_mint =
        node.result("getTokenAccountsByOwner", json!([holder.to_string(), { "mint": mint.to_string() }, { "encoding": "jsonParsed" }]));
    assert_context(&by_mint);
    assert_eq!(by_mint["value"].as_array().unwrap().len(), 1);
    assert_eq!(by_mint["value"][0]["pubkey"], account.to_string());
    let by_program =
        node.result("getTokenAccountsByOwner", json!([payer.pubkey().to_string(), { "programId": spl_token_interface::ID.to_string() }]));
    assert_eq!(by_program["value"][0]["pubkey"], other.to_string());

    let token = spl_token_interface::ID.to_string();
    let memcmp58 = node.result(
        "getProgramAccounts",
        json!([token, { "filters": [{ "dataSize": 165 }, { "memcmp": { "offset": 32, "bytes": holder.to_string() } }] }]),
    );
    assert_eq!(memcmp58, json!([{ "pubkey": account.to_string(), "account": base64["value"] }]));
    let memcmp64 = node.result("getProgramAccounts", json!([token, { "withContext": true, "encoding": "base64", "filters": [{ "memcmp": { "offset": 0, "bytes": base64_of(mint.as_ref()), "encoding": "base64" } }] }]));
    assert_context(&memcmp64);
    assert_eq!(memcmp64["value"].as_array().unwrap().len(), 2);
    let mints = node.result("getProgramAccounts", json!([token, { "filters": [{ "dataSize": 82 }] }]));
    assert_eq!(mints[0]["pubkey"], mint.to_string());
}

#[test]
fn blockhashes_expire_after_150_slots() {
    let node = Node::start(&["--slot-ms", "5"]);
    let payer = node.funded(1);
    let tx = node.tx(&payer, &[], &[transfer(&payer, &Address::new_unique(), 1_000_000)]);
    std::thread::sleep(std::time::Duration::from_millis(151 * 5 + 200));
    let err = node.error("sendTransaction", json!([tx, { "encoding": "base64" }]));
    assert_eq!(err["code"], -32002);
    assert_eq!(err["message"], "Transaction simulation failed: Blockhash not found");
    assert_eq!(err["data"]["err"], "BlockhashNotFound");
    // A fresh blockhash works.
    node.send(&payer, &[], &[transfer(&payer, &Address::new_unique(), 1_000_000)]);
}

#[test]
fn ledger_survives_a_restart() {
    let ledger = temp_ledger("restart");
    let ledger_arg = ledger.to_str().unwrap();
    let node = Node::start(&["--ledger", ledger_arg]);
    let payer = node.funded(3);
    let receiver = Address::new_unique();
    let signature = node.send(&payer, &[], &[transfer(&payer, &receiver, 1_000_000)]);
    let slot_before = node.result("getSlot", json!([])).as_u64().unwrap();
    assert!(node.stop(), "SIGTERM stops the node cleanly");
    assert!(exists(&ledger));

    let node = Node::start(&["--ledger", ledger_arg]);
    assert!(node.result("getSlot", json!([])).as_u64().unwrap() > slot_before);
    assert_eq!(node.result("getBalance", json!([receiver.to_string()]))["value"], 1_000_000);
    let got = node.result("getTransaction", json!([signature, { "maxSupportedTransactionVersion": 0 }]));
    assert_eq!(got["meta"]["err"], Value::Null);
    node.send(&payer, &[], &[transfer(&payer, &receiver, 1)]);
    assert_eq!(node.result("getBalance", json!([receiver.to_string()]))["value"], 1_000_001);
    drop(node);
    let _ = std::fs::remove_file(&ledger);
}

#[test]
fn the_clock_warps_forward_only_and_the_warp_survives_a_restart() {
    let ledger = temp_ledger("warp");
    let ledger_arg = ledger.to_str().unwrap();
    let node = Node::start(&["--ledger", ledger_arg, "--slot-ms", "50"]);
    let mut slot = 0;
    while slot < 2 {
        std::thread::sleep(std::time::Duration::from_millis(60));
        slot = node.result("getSlot", json!([])).as_u64().unwrap();
    }
    let before = node.result("getBlockTime", json!([slot])).as_i64().unwrap();
    let earlier = node.result("getBlockTime", json!([slot.saturating_sub(1)])).as_i64().unwrap();
    const YEAR: i64 = 365 * 24 * 3600;
    let warped = node.result("dispatchWarpClock", json!([YEAR]))["unixTimestamp"].as_i64().unwrap();
    assert!((warped - before - YEAR).abs() <= 2, "{warped} vs {before} + 1 year");
    // The Clock sysvar a program reads follows.
    let clock = node.result("getAccountInfo", json!(["SysvarC1ock11111111111111111111111111111111", { "encoding": "base64" }]));
    let data = base64_decode(clock["value"]["data"][0].as_str().unwrap());
    let unix = i64::from_le_bytes(data[32..40].try_into().unwrap());
    assert!(unix >= warped && unix - warped <= 2, "Clock sysvar {unix} vs {warped}");
    // An earlier slot keeps its time: block times never decrease.
    assert_eq!(node.result("getBlockTime", json!([slot.saturating_sub(1)])).as_i64().unwrap(), earlier);
    // Backwards, zero, or absurd amounts are refused.
    for bad in [json!([0]), json!([-5]), json!([1000 * YEAR]), json!(["soon"])] {
        assert_eq!(node.error("dispatchWarpClock", bad.clone())["code"], -32602, "{bad}");
    }
    assert!(node.stop());
    // The warp is in the ledger: a restarted node does not go back in time.
    let node = Node::start(&["--ledger", ledger_arg]);
    let slot = node.result("getSlot", json!([])).as_u64().unwrap();
    assert!(node.result("getBlockTime", json!([slot])).as_i64().unwrap() >= warped);
    drop(node);
    let _ = std::fs::remove_file(&ledger);
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let node = Node::start(&[]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dispatch-solana-node"))
        .args(["--port", &node.port().to_string()])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot listen on 127.0.0.1:") && stderr.contains("in use"), "{stderr}");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn chrono_free_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
