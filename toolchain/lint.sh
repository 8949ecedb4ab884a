#!/usr/bin/env bash
# The lint stage, run first by ./dev test and on its own by ./dev lint. Fails fast:
#   1. ruff (lint and format check) on the Python code, mypy on dispatch_chain/;
#   2. rustfmt --check and clippy -D warnings on the Rust workspace (skipped with DISPATCH_SKIP_RUST=1,
#      or with DISPATCH_LINT_SKIP_RUST=1 to lint everything else while still building and testing Rust);
#   3. solhint on contracts/ (no warnings allowed);
#   4. slither on contracts/ (compiled by forge through the solc shim): every finding is either
#      fixed or triaged with a reason in toolchain/slither-triage.json (toolchain/slither_check.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LINT_BIN="$DISPATCH_LINT_VENV/bin"
started=$SECONDS
step() { printf '== lint: %s\n' "$*"; }

step "ruff"
"$LINT_BIN/ruff" check --quiet dispatch_chain scripts benchmarks tests
"$LINT_BIN/ruff" format --check --quiet dispatch_chain scripts benchmarks

step "mypy dispatch_chain"
"$LINT_BIN/mypy" --python-executable "$DISPATCH_VENV/bin/python" dispatch_chain

if [ -f Cargo.toml ] && [ "${DISPATCH_SKIP_RUST:-0}" != 1 ] && [ "${DISPATCH_LINT_SKIP_RUST:-0}" != 1 ]; then
  step "rustfmt"
  cargo fmt --all --check
  step "clippy -D warnings"
  cargo clippy --locked --workspace --all-targets --quiet -- -D warnings
fi

step "solhint"
"$ROOT/node_modules/.bin/solhint" --disc --noPoster --max-warnings 0 'contracts/**/*.sol'

step "slither"
# slither refuses to overwrite an existing --json file, so the report goes into a fresh directory.
report_dir="$(mktemp -d)"
report="$report_dir/slither.json"
trap 'rm -rf "$report_dir"' EXIT
# slither exits non-zero whenever it reports a finding; the triage check below decides.
"$LINT_BIN/slither" . --compile-force-framework foundry --foundry-out-directory .build/forge-out \
  --filter-paths 'node_modules|contracts/.cache' --exclude-dependencies --json "$report" >/dev/null 2>&1 || true
"$DISPATCH_VENV/bin/python" toolchain/slither_check.py "$report" toolchain/slither-triage.json
echo "== lint passed in $((SECONDS - started)) s"
