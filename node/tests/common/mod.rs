//! Starting the node binary and talking JSON-RPC to it over plain HTTP.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use base64::Engine;
use serde_json::{json, Value};
use solana_address::Address;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// A running node, stopped (SIGTERM) when dropped.
pub struct Node {
    child: Child,
    pub url: String,
    port: u16,
}

/// The `--upgradeable-program` arguments deploying dispatch_settlement's SBF
/// build (`$DISPATCH_SBF_DIR`, set by ./dev) with `authority` as upgrade authority.
pub fn settlement_program(authority: &Address) -> Vec<String> {
    let so = dispatch_svm::sbf_dir().join("dispatch_settlement.so");
    vec!["--upgradeable-program".into(), dispatch_settlement::ID.to_string(), so.display().to_string(), authority.to_string()]
}

impl Node {
    /// Starts the node on a free port with extra `args`.
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dispatch-solana-node"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("ready line");
        let url = line.trim().strip_prefix("dispatch-solana-node ready ").expect("ready line format").to_string();
        let port = url.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
        Self { child, url, port }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Sends SIGTERM and returns whether it exited cleanly.
    pub fn stop(mut self) -> bool {
        terminate(&mut self.child)
    }

    /// POSTs `body`, returning the decoded JSON response.
    pub fn post(&self, body: &str) -> Value {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            body.len(),
            body
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let (head, body) = response.split_once("\r\n\r\n").expect("http response");
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.to_string() };
        serde_json::from_str(&body).expect("json response")
    }

    /// Calls `method` and returns the whole response object.
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.post(&json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string())
    }

    /// Calls `method` and returns its `result`, panicking on an error.
    pub fn result(&self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// Calls `method` and returns its `error`, panicking on success.
    pub fn error(&self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("result").is_none(), "{method} should fail: {response}");
        response["error"].clone()
    }

    pub fn blockhash(&self) -> Hash {
        self.result("getLatestBlockhash", json!([]))["value"]["blockhash"].as_str().unwrap().parse().unwrap()
    }

    /// A keypair with `sol` SOL from the faucet.
    pub fn funded(&self, sol: u64) -> Keypair {
        let keypair = Keypair::new();
        self.result("requestAirdrop", json!([keypair.pubkey().to_string(), sol * 1_000_000_000]));
        keypair
    }

    /// A signed transaction of `instructions`, base64 wire format.
    pub fn tx(&self, payer: &Keypair, signers: &[&Keypair], instructions: &[Instruction]) -> String {
        let mut all = vec![payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &all, self.blockhash());
        wire(&tx)
    }

    /// Sends instructions (preflight on) and returns the signature.
    pub fn send(&self, payer: &Keypair, signers: &[&Keypair], instructions: &[Instruction]) -> String {
        let tx = self.tx(payer, signers, instructions);
        self.result("sendTransaction", json!([tx, { "encoding": "base64" }])).as_str().unwrap().to_string()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            terminate(&mut self.child);
        }
    }
}

fn terminate(child: &mut Child) -> bool {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    child.wait().map(|s| s.success()).unwrap_or(false)
}

/// The body of a chunked HTTP response (large answers, e.g. a program's ProgramData).
fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").expect("chunk size line");
        let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
        if size == 0 {
            return body;
        }
        body.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

/// Base64 of a transaction's wire bytes.
pub fn wire(tx: &Transaction) -> String {
    base64::engine::general_purpose::STANDARD.encode(bincode::serialize(tx).unwrap())
}

/// Instructions creating a mint of 9 decimals with `authority`.
pub fn create_mint(node: &Node, payer: &Keypair, authority: &Address) -> Keypair {
    let mint = Keypair::new();
    let rent = node.result("getMinimumBalanceForRentExemption", json!([82])).as_u64().unwrap();
    let ixs = [
        solana_system_interface::instruction::create_account(&payer.pubkey(), &mint.pubkey(), rent, 82, &spl_token_interface::ID),
        spl_token_interface::instruction::initialize_mint2(&spl_token_interface::ID, &mint.pubkey(), authority, None, 9).unwrap(),
    ];
    node.send(payer, &[&mint], &ixs);
    mint
}

/// Creates a token account of `mint` for `owner`.
pub fn create_token_account(node: &Node, payer: &Keypair, mint: &Address, owner: &Address) -> Address {
    let account = Keypair::new();
    let rent = node.result("getMinimumBalanceForRentExemption", json!([165])).as_u64().unwrap();
    let ixs = [
        solana_system_interface::instruction::create_account(&payer.pubkey(), &account.pubkey(), rent, 165, &spl_token_interface::ID),
        spl_token_interface::instruction::initialize_account3(&spl_token_interface::ID, &account.pubkey(), mint, owner).unwrap(),
    ];
    node.send(payer, &[&account], &ixs);
    account.pubkey()
}

/// A temporary file path for a ledger.
pub fn temp_ledger(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("dispatch-node-test-{}-{name}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}
