//! Writes the Anchor IDL of every program under `programs/` to
//! `idl/<program>.json`, generated natively through anchor-lang's
//! `idl-build` feature (what `anchor build` does, without SBF).
//!
//! `gen-idl [--check] [WORKSPACE_ROOT]`: with `--check`, writes nothing and
//! exits 1 with a diff when a committed IDL differs from the programs.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anchor_lang_idl::build::IdlBuilder;

fn main() -> ExitCode {
    let mut check = false;
    let mut root = PathBuf::from(".");
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: gen-idl [--check] [WORKSPACE_ROOT]\nWrites idl/<program>.json for each programs/<program>; --check compares instead.");
                return ExitCode::SUCCESS;
            }
            other => root = PathBuf::from(other),
        }
    }
    match run(&root, check) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("gen-idl: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Generates (or checks) every program's IDL; `Ok(false)` when `check`
/// found drift.
fn run(root: &Path, check: bool) -> anyhow::Result<bool> {
    // The IDL builder re-invokes cargo; a toolchain name inherited from
    // rustup's proxy would be passed on verbatim, so leave the choice to
    // rust-toolchain.toml.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(root.join("programs"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.join("Cargo.toml").is_file())
        .collect();
    programs.sort();
    let idl_dir = root.join("idl");
    std::fs::create_dir_all(&idl_dir)?;
    let mut clean = true;
    for program in programs {
        let name = program.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        eprintln!("gen-idl: building the IDL of {name}");
        let idl = IdlBuilder::new().program_path(program.clone()).build()?;
        let text = serde_json::to_string_pretty(&idl)? + "\n";
        let path = idl_dir.join(format!("{name}.json"));
        if check {
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            if committed != text {
                clean = false;
                eprintln!("gen-idl: {} differs from the program (run scripts/gen_idl.sh):", path.display());
                print_diff(&committed, &text);
            }
        } else {
            std::fs::write(&path, text)?;
            eprintln!("gen-idl: wrote {}", path.display());
        }
    }
    Ok(clean)
}

/// A line diff: `-` committed, `+` generated, around the first difference.
fn print_diff(old: &str, new: &str) {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    for line in &old[prefix..old.len() - suffix] {
        eprintln!("-{line}");
    }
    for line in &new[prefix..new.len() - suffix] {
        eprintln!("+{line}");
    }
}
