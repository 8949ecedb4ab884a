#!/usr/bin/env bash
# Every test of the project, in the environment ./dev set up:
#   1. Rust: the Solana programs' native tests, the SVM shim and the local node;
#      the committed IDLs must match the programs (drift check);
#   2. contracts and Python (ape test: anvil via ape-foundry, the local Solana
#      node, Node.js interop vectors, crash tests).
# Extra arguments go to pytest, e.g. ./dev test -k receipts -x
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS

if [ -f Cargo.toml ]; then
  # dispatch_vesting and dispatch_rewards are tested as real SBF: build their
  # .so first with the upstream-nightly recipe next to the clone (shared/sbf)
  # and the inline threshold their docs explain (docs/solana-programs.md).
  SBF_RECIPE="${DISPATCH_SBF_RECIPE:-$ROOT/../shared/sbf/build-sbf.sh}"
  echo "== SBF builds (dispatch_vesting, dispatch_rewards)"
  SBF_EXTRA_RUSTFLAGS="-C link-arg=--llvm-args=-inline-threshold=100000" \
    "$SBF_RECIPE" "$ROOT" --quiet -p dispatch_vesting -p dispatch_rewards
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
