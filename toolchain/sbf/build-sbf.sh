#!/usr/bin/env bash
# Builds every Anchor program under programs/ to SBPF v3 (.so) without Solana's
# platform-tools: the upstream rustc nightly's LLVM BPF backend, sbpf-linker, the
# target spec sbf-solana-upstream.json (os = "solana") and build-std from a cached
# copy of rust-src with std-solana.patch applied. docs/solana-sbf.md explains.
#
#   toolchain/sbf/build-sbf.sh            build, or reuse the cached build of these exact inputs
#   toolchain/sbf/build-sbf.sh --rebuild  build even when cached (incremental, in the cached target directory)
#   toolchain/sbf/build-sbf.sh --force    rebuild from an empty target directory (verifiable builds)
#   toolchain/sbf/build-sbf.sh --key      print the inputs' hash only
#
# stdout: one line, the directory holding <program>.so and SHA256SUMS; messages
# (each program's sha256 among them) go to stderr. The outputs are cached in
# $DISPATCH_CACHE/sbf-<key>, where <key> hashes every input: the programs' sources
# and Cargo.toml, the workspace Cargo.toml and Cargo.lock, this script, the target
# spec, the std patch, the nightly and the sbf-linker version. A warm run only
# hashes. The first run installs the pinned nightly (with rust-src) by rustup and
# sbpf-linker by `cargo install` (into the cache unless the right version is on PATH).
set -euo pipefail
# Everything runs inside main, which bash reads whole before running it: editing this
# file while a build runs cannot change what that build executes.
main() {
  HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  ROOT="$(cd "$HERE/../.." && pwd)"
  NIGHTLY="${SBF_NIGHTLY:-nightly-2026-10-29}"   # LLVM 23; the patch is written against its std
  LINKER_VERSION="0.2.6"
  # SBPF v3, not v0: sbpf-linker passes a sixth and further call argument through
  # the callee's frame (caller [r10 + n], callee [r10 + n - 4096]), which needs
  # contiguous stack frames; v0 has a 4 KB gap after every frame (an access
  # violation there), v3 has none. Mainnet executes v0 to v3 (LiteSVM's snapshot of
  # its features, 2026-08-24).
  # SBF_ARCH=v0 builds the same sources for SBPF v0, for the Python tests that load programs into
  # solders' LiteSVM (0.27), which refuses v3 ELFs. Its VM has the frame gaps (0.26's had none),
  # so the v0 build inlines (almost) everything: no call is left that passes a sixth argument.
  ARCH="${SBF_ARCH:-v3}"
  case "$ARCH" in v0|v3) ;; *) die "SBF_ARCH must be v0 or v3, not '$ARCH'" ;; esac
  ARCH_RUSTFLAGS=""
  [ "$ARCH" = v0 ] && ARCH_RUSTFLAGS="-C link-arg=--llvm-args=-inline-threshold=100000"
  CACHE="${DISPATCH_CACHE:-$HOME/.cache/dispatch-chain}"
  SPEC="$HERE/sbf-solana-upstream.json"
  PATCH="$HERE/std-solana.patch"

  say() { printf '[sbf] %s\n' "$*" >&2; }
  die() { printf '[sbf] error: %s\n' "$*" >&2; exit 1; }

  mode=build
  case "${1:-}" in
    "") ;;
    --force) mode=force ;;
    --rebuild) mode=rebuild ;;
    --key) mode=key ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac

  cd "$ROOT"
  # The programs: every programs/<name>/Cargo.toml (its [lib] name is <name>).
  programs=()
  for manifest in programs/*/Cargo.toml; do
    programs+=("$(basename "$(dirname "$manifest")")")
  done
  [ ${#programs[@]} -gt 0 ] || die "no programs under $ROOT/programs"
  for name in "${programs[@]}"; do
    grep -q '^solana-compiler-builtins' "programs/$name/Cargo.toml" && grep -q 'use solana_compiler_builtins as _;' "programs/$name/src/lib.rs" ||
      die "programs/$name needs solana-compiler-builtins for the SBF build (memcpy & co.): in its Cargo.toml
    [target.'cfg(target_os = \"solana\")'.dependencies]
    solana-compiler-builtins = \"0.3.0\"
  and in src/lib.rs
    #[cfg(target_os = \"solana\")]
    use solana_compiler_builtins as _;
  (docs/solana-sbf.md)"
  done

  inputs_key() {
    # Paths relative to the root, so every clone of the same sources shares the key.
    {
      printf 'nightly %s\nsbpf-linker %s\narch %s\n' "$NIGHTLY" "$LINKER_VERSION" "$ARCH"
      find Cargo.toml Cargo.lock toolchain/sbf programs/*/Cargo.toml programs/*/src -type f | LC_ALL=C sort |
        while IFS= read -r file; do printf '== %s\n' "$file"; cat "$file"; done
    } | sha256sum | cut -c1-16
  }

  KEY="$(inputs_key)"
  if [ "$mode" = key ]; then echo "$KEY"; exit 0; fi
  OUT="$CACHE/sbf-$KEY"

  print_sums() {
    while read -r sum file; do say "sha256 $sum  $file"; done < "$OUT/SHA256SUMS"
  }

  if [ "$mode" = build ] && [ -f "$OUT/.complete" ]; then
    print_sums
    echo "$OUT"
    exit 0
  fi

  # -- toolchain (idempotent) -------------------------------------------------------
  command -v rustup >/dev/null 2>&1 || die "rustup is required to install $NIGHTLY"
  sysroot="$(rustc +"$NIGHTLY" --print sysroot 2>/dev/null || true)"
  if [ -z "$sysroot" ] || [ ! -d "$sysroot/lib/rustlib/src/rust/library" ]; then
    say "installing $NIGHTLY with rust-src (rustup, once)"
    rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src >&2 ||
      die "rustup could not install $NIGHTLY"
    sysroot="$(rustc +"$NIGHTLY" --print sysroot)"
  fi
  if [ "$(sbpf-linker --version 2>/dev/null | head -n1)" != "sbpf-linker $LINKER_VERSION" ]; then
    tools="$CACHE/tools/sbpf-linker-$LINKER_VERSION"
    if [ ! -x "$tools/bin/sbpf-linker" ]; then
      say "installing sbpf-linker $LINKER_VERSION into $tools (cargo install, ~3 minutes once)"
      # Built by the pinned stable toolchain (rust-toolchain.toml).
      cargo install sbpf-linker --version "$LINKER_VERSION" --locked --root "$tools" >&2 ||
        die "cargo install sbpf-linker $LINKER_VERSION failed"
    fi
    export PATH="$tools/bin:$PATH"
  fi

  # -- the patched rust-src (cached per patch and nightly) ---------------------------
  src_key="$( (cat "$PATCH"; rustc +"$NIGHTLY" -V) | sha256sum | cut -c1-16)"
  SRC="$CACHE/sbf-rust-src-$src_key"
  if [ ! -f "$SRC/.complete" ]; then
    say "patching a copy of $NIGHTLY's rust-src ($SRC)"
    rm -rf "$SRC" && mkdir -p "$SRC"
    cp -r "$sysroot/lib/rustlib/src/rust/library" "$SRC/library"
    patch -d "$SRC/library" -p1 --quiet < "$PATCH" || die "std-solana.patch does not apply to $NIGHTLY's rust-src"
    touch "$SRC/.complete"
  fi

  # The std crates' package ids (hence symbol hashes, hence the bytes of the .so) contain
  # the path of the sources build-std compiles: a fixed path, not one under this machine's
  # cache, keeps the build byte-identical across machines, users and clones.
  STD_LINK="/tmp/dispatch-sbf-rust-src-$src_key"
  if [ "$(readlink "$STD_LINK" 2>/dev/null)" != "$SRC" ] && ! ln -sfn "$SRC" "$STD_LINK" 2>/dev/null; then
    say "cannot link $STD_LINK (another user's?): building std from $SRC, so the bytes differ from other machines'"
    STD_LINK="$SRC"
  fi

  # -- build --------------------------------------------------------------------------
  # Its own target directory per patched std (cargo does not notice changes to the
  # rust-src copy) and per clone: cargo copies lib<name>.so out of a shared target
  # directory only when it rebuilds, so another clone's build of the same crate names
  # could be picked up. The nightly's artifacts never mix with the stable host builds.
  clone="$(printf '%s' "$ROOT" | sha256sum | cut -c1-8)"
  TARGET="${DISPATCH_SBF_TARGET_DIR:-$CACHE/sbf-target-$src_key-$clone}-$ARCH"
  [ "$mode" = force ] && rm -rf "$TARGET"
  export CARGO_TARGET_DIR="$TARGET"
  export RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1          # std's build script: no cfg(restricted_std) for this target
  export __CARGO_TESTS_ONLY_SRC_ROOT="$STD_LINK/library" # build-std from the patched copy
  # --bpf-stack-size must reach the linker's LLVM too; atomics are lowered in IR (sbpf-linker
  # does codegen, so the target's "singlethread" alone does not help); immediate-abort avoids
  # std's writable panic statics. SBF_EXTRA_RUSTFLAGS is not an input of the cache key:
  # use it with --force only.
  export RUSTFLAGS="-C link-arg=--arch=$ARCH -C link-arg=--llvm-args=--bpf-stack-size=4096 -C llvm-args=--bpf-stack-size=4096 -C passes=lower-atomic -Zunstable-options -C panic=immediate-abort $ARCH_RUSTFLAGS ${SBF_EXTRA_RUSTFLAGS:-}"
  unset RUSTUP_TOOLCHAIN
  packages=()
  for name in "${programs[@]}"; do packages+=(-p "$name"); done
  say "building ${programs[*]} to SBF ($NIGHTLY, sbpf-linker $LINKER_VERSION; a minute or two cold)"
  started=$SECONDS
  # The linker's "unable to open LLVM shared lib ... dlopen failed" is harmless; keep the log
  # for real failures.
  log="$(mktemp)"
  if ! cargo +"$NIGHTLY" build --locked --release --target "$SPEC" -Z build-std=std,panic_abort -Z json-target-spec \
      "${packages[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "the SBF build failed"
  fi
  rm -f "$log"
  # Sources edited during the build would be cached under the old key.
  [ "$(inputs_key)" = "$KEY" ] || die "the inputs changed during the build; run it again"

  # -- outputs ------------------------------------------------------------------------
  staging="$OUT.tmp.$$"
  rm -rf "$staging" && mkdir -p "$staging"
  for name in "${programs[@]}"; do
    so="$TARGET/sbf-solana-upstream/release/lib$name.so"
    [ -f "$so" ] || die "the build produced no $so"
    cp "$so" "$staging/$name.so"
  done
  (cd "$staging" && sha256sum -- *.so > SHA256SUMS)
  touch "$staging/.complete"
  rm -rf "$OUT" && mv "$staging" "$OUT"
  say "built in $((SECONDS - started)) s into $OUT"
  print_sums
  echo "$OUT"
}

main "$@"
