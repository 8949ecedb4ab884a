//! `dispatch-solana-node`: a local Solana JSON-RPC node.
//!
//! The SVM is dispatch-svm's LiteSVM with the real SPL programs and the
//! three Dispatch Anchor programs running natively at their declared ids.
//! Slots follow the wall clock (400 ms), the Clock sysvar follows Unix
//! time, and solana-py / anchorpy clients work against it unchanged.

mod chain;
mod clock;
mod encoding;
mod errors;
mod history;
mod ledger;
mod logger;
mod params;
mod rpc;
mod server;
mod stdio;
mod token;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::Parser;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::chain::Chain;
use crate::errors::NodeError;
use crate::ledger::Ledger;

/// A local Solana JSON-RPC node for the Dispatch programs.
///
/// Serves JSON-RPC 2.0 over HTTP POST (batches too) on an in-process SVM:
/// the SPL Token, Token-2022, Associated Token Account and Memo programs as
/// their real SBF binaries, and dispatch_staking, dispatch_settlement and
/// dispatch_anchor running natively at their declared program ids. Slots
/// advance every 400 ms of wall time with a new blockhash each; a
/// transaction may use any of the last 150 blockhashes. Every transaction is
/// final as soon as it is processed.
///
/// Once listening it prints one line on stdout:
/// `dispatch-solana-node ready http://HOST:PORT`. SIGINT/SIGTERM stop it.
#[derive(Debug, Parser)]
#[command(version, after_help = after_help())]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on; 0 picks a free one (read it from the ready line).
    #[arg(long, default_value_t = 8899)]
    port: u16,
    /// Keep the chain (accounts and transaction history) in FILE, written
    /// atomically after every transaction; a restart continues from it.
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
    /// Wall-clock milliseconds per slot (tests shorten it to see blockhashes
    /// expire quickly).
    #[arg(long, default_value_t = clock::DEFAULT_SLOT_MS, value_name = "MS")]
    slot_ms: u64,
    /// Log every request to stderr (debug level; RUST_LOG=debug does the same).
    #[arg(short, long)]
    verbose: bool,
}

fn after_help() -> String {
    let programs: Vec<String> = chain::dispatch_programs().iter().map(|(name, id, _)| format!("  {name}  {id}")).collect();
    format!("Programs:\n{}\n\nMethods:\n  {}", programs.join("\n"), rpc::METHODS.join(", "))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logger::init(cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dispatch-solana-node: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), NodeError> {
    let ledger = cli.ledger.as_deref().map(Ledger::new);
    let restored = ledger.as_ref().map(|l| l.load(cli.slot_ms)).transpose()?.flatten();
    let mut chain = match restored {
        Some(chain) => chain,
        None => Chain::new(Hash::new_from_array(Keypair::new().pubkey().to_bytes()), Keypair::new().pubkey(), 0, cli.slot_ms),
    };
    let server = server::bind(&cli.bind, cli.port)?;
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&shutdown);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))?;

    let mut stdout = std::io::stdout();
    // The one line callers wait for; nothing else goes to stdout.
    let _ = writeln!(stdout, "dispatch-solana-node ready http://{}:{}", cli.bind, server::port_of(&server));
    let _ = stdout.flush();
    // Natively run programs print to stdout (`Pubkey::log`); nobody reads it
    // after the ready line, and a full or closed pipe must not stall or
    // crash them.
    stdio::silence_stdout();

    server::serve(&server, &mut chain, ledger.as_ref(), &shutdown);
    log::info!("shutting down at slot {}", chain.slot());
    if let Some(ledger) = &ledger {
        ledger.save(&chain)?;
    }
    Ok(())
}
