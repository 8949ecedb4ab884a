//! `dispatch-solana-node`: a local Solana JSON-RPC node.
//!
//! The SVM is dispatch-svm's LiteSVM with the real SPL programs, plus the
//! SBF programs given with `--upgradeable-program ID SO AUTHORITY`, deployed
//! as a validator holds them (BPF upgradeable loader, ProgramData with the
//! upgrade authority). Slots follow the wall clock (400 ms), the Clock sysvar
//! follows Unix time, and solana-py / anchorpy clients work against it
//! unchanged.

mod chain;
mod clock;
mod commitment;
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

use crate::chain::{Chain, UpgradeableProgram};
use crate::errors::NodeError;
use crate::ledger::Ledger;

/// A local Solana JSON-RPC node for the Dispatch programs.
///
/// Serves JSON-RPC 2.0 over HTTP POST (batches too) on an in-process SVM:
/// the SPL Token, Token-2022, Associated Token Account and Memo programs as
/// their real SBF binaries, and the SBF programs of `--upgradeable-program`
/// (the Dispatch programs, from `toolchain/sbf/build-sbf.sh`). Slots
/// advance every 400 ms of wall time with a new blockhash each; a
/// transaction may use any of the last 150 blockhashes. A transaction is
/// processed at once, confirmed `--confirm-depth` slots later and finalized
/// `--finalize-depth` slots later (both 0 by default: final at once); reads
/// with a `commitment` see the state of that level's slot.
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
    /// Slots after its own before a transaction is `confirmed` (a cluster
    /// takes about 1); reads at `confirmed` lag the newest slot by this much.
    #[arg(long, default_value_t = 0, value_name = "SLOTS")]
    confirm_depth: u64,
    /// Slots after its own before a transaction is `finalized` (a cluster
    /// roots about 32 slots back); at least --confirm-depth. Reads at
    /// `finalized` (the RPC default) lag the newest slot by this much.
    #[arg(long, default_value_t = 0, value_name = "SLOTS")]
    finalize_depth: u64,
    /// Log every request to stderr (debug level; RUST_LOG=debug does the same).
    #[arg(short, long)]
    verbose: bool,
    /// Deploy the SBF program SO at ID with the BPF upgradeable loader and
    /// AUTHORITY (a public key, or `none`) as its upgrade authority, as
    /// solana-test-validator's option of the same name. Repeatable.
    #[arg(long, num_args = 3, value_names = ["ID", "SO", "AUTHORITY"], action = clap::ArgAction::Append)]
    upgradeable_program: Vec<String>,
}

/// The `--upgradeable-program` triples, read and parsed.
fn upgradeable_programs(args: &[String]) -> Result<Vec<UpgradeableProgram>, NodeError> {
    args.chunks(3)
        .map(|triple| {
            let [id, path, authority] = triple else { unreachable!("clap takes three values") };
            let error = |detail: String| NodeError::Program { id: id.clone(), path: path.clone(), detail };
            let id: solana_address::Address = id.parse().map_err(|e| error(format!("ID is not a public key: {e:?}")))?;
            let authority = match authority.as_str() {
                "none" => None,
                key => Some(key.parse().map_err(|e| error(format!("AUTHORITY is neither a public key nor `none`: {e:?}")))?),
            };
            let elf = std::fs::read(path).map_err(|e| error(format!("cannot read the program: {e}")))?;
            Ok(UpgradeableProgram { id, path: PathBuf::from(path), elf, authority })
        })
        .collect()
}

fn after_help() -> String {
    format!("Methods:\n  {}", rpc::METHODS.join(", "))
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
    let programs = upgradeable_programs(&cli.upgradeable_program)?;
    let depths = commitment::Depths::new(cli.confirm_depth, cli.finalize_depth).map_err(NodeError::Usage)?;
    let ledger = cli.ledger.as_deref().map(Ledger::new);
    let restored = ledger.as_ref().map(|l| l.load(cli.slot_ms, &programs)).transpose()?.flatten();
    let mut chain = match restored {
        Some(chain) => chain,
        None => Chain::new(Hash::new_from_array(Keypair::new().pubkey().to_bytes()), Keypair::new().pubkey(), 0, cli.slot_ms, &programs)?,
    };
    chain.set_depths(depths);
    for program in &programs {
        let authority = program.authority.map_or_else(|| "none".to_string(), |a| a.to_string());
        log::info!("program {} from {} ({} bytes), upgrade authority {authority}", program.id, program.path.display(), program.elf.len());
    }
    let server = server::bind(&cli.bind, cli.port)?;
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&shutdown);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))?;

    let mut stdout = std::io::stdout();
    // The one line callers wait for; nothing else goes to stdout.
    let _ = writeln!(stdout, "dispatch-solana-node ready http://{}:{}", cli.bind, server::port_of(&server));
    let _ = stdout.flush();
    // Nobody reads stdout after the ready line: a full or closed pipe must
    // never stall or crash the node if anything prints.
    stdio::silence_stdout();

    server::serve(&server, &mut chain, ledger.as_ref(), &shutdown);
    log::info!("shutting down at slot {}", chain.slot());
    if let Some(ledger) = &ledger {
        ledger.save(&chain)?;
    }
    Ok(())
}
