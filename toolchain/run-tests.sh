#!/usr/bin/env bash
# Every test of the project, in the environment ./dev set up:
#   0. the lint stage (toolchain/lint.sh), first, so that a lint failure fails fast;
#   1. Rust: the Solana programs' tests on their SBF builds (DISPATCH_SBF_DIR, from
#      setup), the compute budgets, the local node; the committed IDLs must match
#      the programs (drift check);
#   2. contracts and Python (ape test: anvil via ape-foundry, the local Solana
#      node, Node.js interop vectors, crash tests).
# Extra arguments go to pytest, e.g. ./dev test -k receipts -x
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS

"$ROOT/toolchain/lint.sh"

if [ -f Cargo.toml ]; then
  echo "== Rust tests (cargo test --workspace)"
  cargo test --locked --workspace --quiet
  if [ -x scripts/gen_idl.sh ]; then
    echo "== IDL drift check"
    scripts/gen_idl.sh --check
  fi
fi

echo "== contracts (ape compile)"
# Compile once up front: tests also run `ape run deploy` in subprocesses, which
# must not race the test session's own lazy compilation on a fresh clone.
ape compile

echo "== contracts and Python (ape test)"
ape test tests "$@"
echo "== all tests passed in $((SECONDS - started)) s"
