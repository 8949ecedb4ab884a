#!/usr/bin/env bash
# Regenerates idl/<program>.json from programs/* natively (anchor-lang's
# idl-build feature; no SBF toolchain needed).
#   scripts/gen_idl.sh          write the IDLs
#   scripts/gen_idl.sh --check  exit 1 with a diff when a committed IDL drifted
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${DISPATCH_CACHE:-$HOME/.cache/dispatch-chain}/cargo-target}"
cd "$ROOT"
cargo build --locked --quiet -p dispatch-svm --bin gen-idl
exec "$CARGO_TARGET_DIR/debug/gen-idl" "$@" "$ROOT"
