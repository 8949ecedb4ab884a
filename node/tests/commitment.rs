//! Commitment levels on the running node: a transaction is processed at once,
//! confirmed `--confirm-depth` slots later and finalized `--finalize-depth`
//! slots later, and reads at each level see only what that level has reached.

mod common;

use common::*;
use serde_json::{json, Value};
use solana_address::Address;
use solana_signer::Signer;

const SLOT_MS: u64 = 40;
const CONFIRM: u64 = 5;
const FINALIZE: u64 = 25;

fn batch(node: &Node, calls: &[(&str, Value)]) -> Vec<Value> {
    let body: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(id, (method, params))| json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
        .collect();
    let answers = node.post(&Value::Array(body).to_string());
    answers.as_array().expect("a batch answer").iter().map(|a| a["result"].clone()).collect()
}

#[test]
fn transactions_wait_the_configured_depths_and_reads_honour_the_commitment() {
    let node = Node::start(&[
        "--slot-ms",
        &SLOT_MS.to_string(),
        "--confirm-depth",
        &CONFIRM.to_string(),
        "--finalize-depth",
        &FINALIZE.to_string(),
    ]);
    let payer = node.funded(2);
    let mint = create_mint(&node, &payer, &payer.pubkey()).pubkey();
    let to = Address::new_unique();
    let signature = node.send(&payer, &[], &[solana_system_interface::instruction::transfer(&payer.pubkey(), &to, 1_000_000)]);
    let tx_slot = node.result("getSignatureStatuses", json!([[signature]]))["value"][0]["slot"].as_u64().unwrap();

    let mut seen = Vec::new();
    let mut finalized_at = None;
    for _ in 0..500 {
        // Reads first, the status last: a status can only be ahead of the reads before it.
        let answers = batch(
            &node,
            &[
                (
                    "getProgramAccounts",
                    json!([spl_token_interface::ID.to_string(), { "commitment": "finalized", "filters": [{ "dataSize": 82 }] }]),
                ),
                ("getAccountInfo", json!([mint.to_string(), { "commitment": "finalized", "encoding": "base64" }])),
                ("getBalance", json!([to.to_string(), { "commitment": "finalized" }])),
                ("getBalance", json!([to.to_string(), { "commitment": "confirmed" }])),
                ("getBalance", json!([to.to_string(), { "commitment": "processed" }])),
                ("getTransaction", json!([signature, { "commitment": "confirmed" }])),
                ("getSignaturesForAddress", json!([to.to_string(), { "commitment": "finalized" }])),
                ("getSlot", json!([{ "commitment": "finalized" }])),
                ("getSlot", json!([{ "commitment": "processed" }])),
                ("getSignatureStatuses", json!([[signature]])),
            ],
        );
        let program_accounts: Vec<&str> = answers[0].as_array().unwrap().iter().map(|a| a["pubkey"].as_str().unwrap()).collect();
        let mint_finalized = !answers[1]["value"].is_null();
        let (finalized, confirmed, processed) =
            (answers[2]["value"].as_u64().unwrap(), answers[3]["value"].as_u64().unwrap(), answers[4]["value"].as_u64().unwrap());
        let (finalized_slot, slot) = (answers[7].as_u64().unwrap(), answers[8].as_u64().unwrap());
        let status = answers[9]["value"][0]["confirmationStatus"].as_str().unwrap().to_string();
        assert_eq!(processed, 1_000_000, "processed at once");
        assert_eq!(finalized_slot, slot.saturating_sub(FINALIZE), "finalized lags the newest slot by the depth");
        if !mint_finalized {
            assert!(!program_accounts.contains(&mint.to_string().as_str()), "program accounts at finalized show an unfinalized mint");
        }
        match status.as_str() {
            "processed" => {
                assert_eq!((confirmed, finalized), (0, 0), "a processed transaction is invisible at confirmed and finalized");
                assert!(answers[5].is_null(), "getTransaction at confirmed returns only confirmed transactions");
                assert_eq!(answers[6], json!([]));
            }
            "confirmed" => assert_eq!(finalized, 0, "not finalized yet"),
            "finalized" => {}
            other => panic!("unknown confirmationStatus {other}"),
        }
        if confirmed > 0 {
            assert_ne!(status, "processed");
            assert_eq!(answers[5]["slot"].as_u64(), Some(tx_slot));
        }
        if finalized > 0 {
            assert_eq!(status, "finalized");
            assert!(slot >= tx_slot + FINALIZE, "finalized only {} slots after the transaction", slot - tx_slot);
            assert_eq!(answers[6][0]["signature"], signature.as_str());
            assert_eq!(answers[6][0]["confirmationStatus"], "finalized");
            assert!(program_accounts.contains(&mint.to_string().as_str()), "the older mint is final too");
            finalized_at = Some(slot);
        }
        if seen.last() != Some(&status) {
            seen.push(status);
        }
        if finalized_at.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(SLOT_MS / 2));
    }
    assert_eq!(seen, ["processed", "confirmed", "finalized"], "each level in turn");
    assert!(finalized_at.is_some(), "finalized within 500 polls");

    let refused = node.error("getTransaction", json!([signature, { "commitment": "processed" }]));
    assert_eq!(refused["code"], -32602);
    assert_eq!(refused["message"], "Method does not support commitment below `confirmed`");
}

#[test]
fn confirm_depth_above_finalize_depth_is_refused() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dispatch-solana-node"))
        .args(["--port", "0", "--confirm-depth", "3", "--finalize-depth", "2"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--confirm-depth (3) must not exceed --finalize-depth (2)"), "{stderr}");
}

#[test]
fn nothing_is_confirmed_or_finalized_while_the_chain_is_younger_than_the_depths() {
    // 10 s slots: the whole test runs in slot 0, so nothing may reach confirmed or finalized.
    let node = Node::start(&["--slot-ms", "10000", "--confirm-depth", "1", "--finalize-depth", "2"]);
    let payer = node.funded(1);
    let to = Address::new_unique();
    let signature = node.send(&payer, &[], &[solana_system_interface::instruction::transfer(&payer.pubkey(), &to, 1_000_000)]);
    let status = &node.result("getSignatureStatuses", json!([[signature]]))["value"][0];
    assert_eq!((status["slot"].as_u64(), status["confirmationStatus"].as_str()), (Some(0), Some("processed")));
    assert_eq!(node.result("getBalance", json!([to.to_string(), { "commitment": "finalized" }]))["value"], 0);
    assert_eq!(node.result("getBalance", json!([to.to_string(), { "commitment": "confirmed" }]))["value"], 0);
    assert_eq!(node.result("getBalance", json!([to.to_string(), { "commitment": "processed" }]))["value"], 1_000_000);
    assert!(node.result("getTransaction", json!([signature, { "commitment": "confirmed" }])).is_null());
    assert_eq!(node.result("getSignaturesForAddress", json!([to.to_string(), { "commitment": "confirmed" }])), json!([]));
}
