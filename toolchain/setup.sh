# shellcheck shell=bash
# Toolchain bootstrap, sourced by ./dev. Idempotent: every step checks a
# marker keyed by the hash of its inputs and does nothing when it is current.
#
# What it installs, all from the public registries:
#   - a Python venv with the exact versions of toolchain/requirements.lock,
#     and this clone's dispatch_chain installed editable into it;
#   - the npm packages of package-lock.json (solcjs, anvil, OpenZeppelin,
#     tweetnacl and @openzeppelin/merkle-tree for the interop tests);
#   - a native-compatible `solc` (toolchain/solc-shim.js over solcjs) where
#     py-solc-x and ape-solidity look for it;
#   - the SBF build of every program under programs/ (toolchain/sbf/build-sbf.sh:
#     the pinned nightly with rust-src and sbpf-linker, installed once), cached
#     in $DISPATCH_CACHE/sbf-<hash of its inputs> and exported as DISPATCH_SBF_DIR;
#     each program's sha256 is printed;
#   - the host Rust build (the local Solana node), cached in
#     $DISPATCH_CACHE/cargo-target.
#   - a second venv with the lint tools (toolchain/lint-requirements.lock: ruff,
#     mypy, slither-analyzer), kept apart because slither needs newer eth libraries;
# Environment knobs: DISPATCH_CACHE (cache root), DISPATCH_PYTHON (interpreter),
# DISPATCH_SKIP_RUST=1 (skip the Rust builds, for Python-only work: an SBF build of
# the same sources already in the cache is still used).

DISPATCH_CACHE="${DISPATCH_CACHE:-$HOME/.cache/dispatch-chain}"
DISPATCH_SBF_DIR="${DISPATCH_SBF_DIR:-}"
DISPATCH_SBF_V0_DIR="${DISPATCH_SBF_V0_DIR:-}"
DISPATCH_SOLC_VERSION="0.8.30"

_say() { printf '[setup] %s\n' "$*" >&2; }
_die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

_hash_files() { cat "$@" | sha256sum | cut -c1-16; }

_find_python() {
  local candidate
  for candidate in "${DISPATCH_PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

_setup_python() {
  local python key
  python="$(_find_python)" || _die "Python 3.11 is required (set DISPATCH_PYTHON to its path)"
  key="$(_hash_files "$ROOT/toolchain/requirements.lock" <(printf '%s' "$("$python" -VV)"))"
  DISPATCH_VENV="$DISPATCH_CACHE/venv-$key"
  if [ ! -f "$DISPATCH_VENV/.complete" ]; then
    _say "creating the Python venv $DISPATCH_VENV (about 2 minutes the first time)"
    rm -rf "$DISPATCH_VENV"
    "$python" -m venv "$DISPATCH_VENV"
    PIP_CACHE_DIR="$DISPATCH_CACHE/pip" "$DISPATCH_VENV/bin/pip" install --quiet --disable-pip-version-check \
      --upgrade "pip==25.3" "setuptools==80.9.0" "wheel==0.45.1"
    PIP_CACHE_DIR="$DISPATCH_CACHE/pip" "$DISPATCH_VENV/bin/pip" install --quiet --disable-pip-version-check \
      -r "$ROOT/toolchain/requirements.lock"
    "$DISPATCH_VENV/bin/pip" check >/dev/null || _die "pip check failed in $DISPATCH_VENV"
    touch "$DISPATCH_VENV/.complete"
  fi
  # The venv is shared between clones: it gets the `dispatch-chain` console
  # script once, and PYTHONPATH (dispatch_export_env) makes every clone import
  # its own dispatch_chain, so parallel clones never see each other's code.
  if [ ! -x "$DISPATCH_VENV/bin/dispatch-chain" ]; then
    _say "installing the dispatch-chain console script"
    "$DISPATCH_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
      --no-build-isolation -e "$ROOT" >/dev/null
  fi
}

_setup_lint() {
  local python key
  python="$(_find_python)" || _die "Python 3.11 is required (set DISPATCH_PYTHON to its path)"
  key="$(_hash_files "$ROOT/toolchain/lint-requirements.lock" <(printf '%s' "$("$python" -VV)"))"
  DISPATCH_LINT_VENV="$DISPATCH_CACHE/lint-venv-$key"
  if [ ! -f "$DISPATCH_LINT_VENV/.complete" ]; then
    _say "creating the lint venv $DISPATCH_LINT_VENV (ruff, mypy, slither)"
    rm -rf "$DISPATCH_LINT_VENV"
    "$python" -m venv "$DISPATCH_LINT_VENV"
    PIP_CACHE_DIR="$DISPATCH_CACHE/pip" "$DISPATCH_LINT_VENV/bin/pip" install --quiet --disable-pip-version-check \
      -r "$ROOT/toolchain/lint-requirements.lock"
    "$DISPATCH_LINT_VENV/bin/pip" check >/dev/null || _die "pip check failed in $DISPATCH_LINT_VENV"
    touch "$DISPATCH_LINT_VENV/.complete"
  fi
}

_setup_node() {
  command -v node >/dev/null 2>&1 || _die "Node.js 20 is required"
  command -v npm >/dev/null 2>&1 || _die "npm is required"
  local key
  key="$(_hash_files "$ROOT/package.json" "$ROOT/package-lock.json")"
  DISPATCH_NODE="$DISPATCH_CACHE/node-$key"
  if [ ! -f "$DISPATCH_NODE/.complete" ]; then
    _say "installing npm packages into $DISPATCH_NODE"
    rm -rf "$DISPATCH_NODE"
    mkdir -p "$DISPATCH_NODE"
    cp "$ROOT/package.json" "$ROOT/package-lock.json" "$DISPATCH_NODE/"
    (cd "$DISPATCH_NODE" && npm ci --no-audit --no-fund --loglevel=error \
      --cache "$DISPATCH_CACHE/npm" >/dev/null) || _die "npm ci failed"
    touch "$DISPATCH_NODE/.complete"
  fi
  # OpenZeppelin's Solidity sources only, for ape: the npm package also ships
  # 258 build/*.json artifacts, and ape copies a dependency whole into
  # contracts/.cache, where they pushed its 500-file scan of the contracts
  # folder past the limit and hid our own sources on a fresh clone.
  local oz_src="$DISPATCH_NODE/node_modules/@openzeppelin/contracts" oz_sol="$DISPATCH_NODE/node_modules/.openzeppelin-sol"
  if [ ! -f "$oz_sol/.complete" ]; then
    rm -rf "$oz_sol" && mkdir -p "$oz_sol"
    (cd "$oz_src" && find . -name '*.sol' -print0 | tar --null -cf - -T -) | (cd "$oz_sol" && tar -xf -)
    touch "$oz_sol/.complete"
  fi
  if [ "$(readlink "$ROOT/node_modules" 2>/dev/null)" != "$DISPATCH_NODE/node_modules" ]; then
    rm -rf "$ROOT/node_modules"
    ln -s "$DISPATCH_NODE/node_modules" "$ROOT/node_modules"
  fi
  DISPATCH_ANVIL_DIR="$DISPATCH_NODE/node_modules/@foundry-rs/anvil-linux-amd64/bin"
  [ -x "$DISPATCH_ANVIL_DIR/anvil" ] || _die "anvil binary missing from $DISPATCH_ANVIL_DIR"
  DISPATCH_FORGE_DIR="$DISPATCH_NODE/node_modules/@foundry-rs/forge-linux-amd64/bin"
  [ -x "$DISPATCH_FORGE_DIR/forge" ] || _die "forge binary missing from $DISPATCH_FORGE_DIR"
}

_setup_solc() {
  # py-solc-x looks for solc-v<version> in SOLCX_BINARY_PATH.
  SOLCX_BINARY_PATH="$DISPATCH_CACHE/solcx"
  mkdir -p "$SOLCX_BINARY_PATH"
  local shim="$DISPATCH_NODE/solc-shim.js" exe="$SOLCX_BINARY_PATH/solc-v$DISPATCH_SOLC_VERSION"
  cmp -s "$ROOT/toolchain/solc-shim.js" "$shim" || cp "$ROOT/toolchain/solc-shim.js" "$shim"
  local wrapper
  wrapper="$(printf '#!/bin/sh\nexec node "%s" "$@"\n' "$shim")"
  if [ ! -x "$exe" ] || [ "$(cat "$exe")" != "$wrapper" ]; then
    printf '%s\n' "$wrapper" > "$exe.tmp" && chmod +x "$exe.tmp" && mv "$exe.tmp" "$exe"
  fi
  local got
  got="$("$exe" --version | sed -n 's/^Version: \([0-9.]*\).*/\1/p')"
  [ "$got" = "$DISPATCH_SOLC_VERSION" ] || _die "solc shim reports '$got', expected $DISPATCH_SOLC_VERSION"
}

_setup_sbf() {
  local script="$ROOT/toolchain/sbf/build-sbf.sh"
  [ -x "$script" ] || return 0
  if [ "${DISPATCH_SKIP_RUST:-0}" = 1 ]; then
    local dir v0
    dir="$DISPATCH_CACHE/sbf-$("$script" --key)"
    v0="$DISPATCH_CACHE/sbf-$(SBF_ARCH=v0 "$script" --key)"
    [ -f "$v0/.complete" ] && DISPATCH_SBF_V0_DIR="$v0"
    if [ -f "$dir/.complete" ]; then
      DISPATCH_SBF_DIR="$dir"
    else
      _say "DISPATCH_SKIP_RUST=1 and no SBF build of these sources in the cache: the local node will not start"
    fi
    return 0
  fi
  command -v cargo >/dev/null 2>&1 || _die "Rust (cargo, by rustup) is required"
  DISPATCH_SBF_DIR="$("$script")" || _die "the SBF build of the programs failed (toolchain/sbf/build-sbf.sh)"
  # The same sources for SBPF v0: only for Python tests on solders' LiteSVM, which cannot load v3.
  DISPATCH_SBF_V0_DIR="$(SBF_ARCH=v0 "$script")" || _die "the SBF (v0) build of the programs failed"
}

_setup_rust() {
  [ -f "$ROOT/Cargo.toml" ] || return 0
  [ "${DISPATCH_SKIP_RUST:-0}" = 1 ] && return 0
  command -v cargo >/dev/null 2>&1 || _die "Rust (cargo, by rustup) is required"
  if [ -f "$ROOT/node/Cargo.toml" ]; then
    # The dev profile shares every artifact with `cargo test`, so a cold machine
    # builds the agave/LiteSVM stack once, not twice (it is fast enough for the
    # demo and the tests: every program runs in the SBF VM either way).
    _say "building the local Solana node (cached in $CARGO_TARGET_DIR; the first build takes a while)"
    (cd "$ROOT" && cargo build --locked --quiet -p dispatch-solana-node) ||
      _die "cargo build of the Solana node failed"
  fi
}

dispatch_export_env() {
  export DISPATCH_CACHE DISPATCH_VENV DISPATCH_LINT_VENV DISPATCH_NODE SOLCX_BINARY_PATH DISPATCH_SBF_DIR DISPATCH_SBF_V0_DIR
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$DISPATCH_CACHE/cargo-target}"
  export VIRTUAL_ENV="$DISPATCH_VENV"
  export PATH="$DISPATCH_VENV/bin:$DISPATCH_ANVIL_DIR:$DISPATCH_FORGE_DIR:$CARGO_TARGET_DIR/debug:$PATH"
  # forge (slither's compile step) uses the same solc shim as ape (foundry.toml has no path of its own).
  export FOUNDRY_SOLC="$SOLCX_BINARY_PATH/solc-v$DISPATCH_SOLC_VERSION"
  export DISPATCH_SOLANA_NODE_BIN="${DISPATCH_SOLANA_NODE_BIN:-$CARGO_TARGET_DIR/debug/dispatch-solana-node}"
  export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
  export PYTHONDONTWRITEBYTECODE=1
}

dispatch_print_env() {
  local name
  for name in DISPATCH_CACHE DISPATCH_VENV DISPATCH_LINT_VENV DISPATCH_NODE SOLCX_BINARY_PATH CARGO_TARGET_DIR FOUNDRY_SOLC \
              VIRTUAL_ENV PATH PYTHONPATH DISPATCH_SOLANA_NODE_BIN DISPATCH_SBF_DIR DISPATCH_SBF_V0_DIR; do
    printf 'export %s=%q\n' "$name" "${!name}"
  done
}

dispatch_setup() {
  mkdir -p "$DISPATCH_CACHE"
  # One setup at a time per cache (parallel clones, CI and a developer).
  exec 9>"$DISPATCH_CACHE/.setup.lock"
  flock 9
  local started=$SECONDS
  _setup_python
  _setup_lint
  _setup_node
  _setup_solc
  _setup_sbf
  dispatch_export_env
  _setup_rust
  flock -u 9
  _say "ready ($((SECONDS - started)) s)"
}
