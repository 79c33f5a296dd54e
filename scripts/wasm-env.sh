# Sourced, not run: sets up the environment for building the wasm32 app (trunk, cargo --target
# wasm32-unknown-unknown). Takes the normal route (rustup's wasm32 target) where it works, and
# falls back to Debian's Rust with std built from source where rustup cannot download the target
# (see ../shared/design/TOOLCHAIN.md). Idempotent and quiet on success.

leakscope_wasm_env() {
  export PATH="$HOME/.cargo/bin:$PATH"
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -d "$root/node_modules/.bin" ]; then
    export PATH="$root/node_modules/.bin:$PATH"   # wasm-opt from the npm package binaryen
  fi
  # LEAKSCOPE_WASM_ROUTE=build-std forces the fallback (to test it where rustup works).
  if [ "${LEAKSCOPE_WASM_ROUTE:-}" != build-std ] && command -v rustup >/dev/null 2>&1; then
    if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
      export LEAKSCOPE_WASM_ROUTE=rustup
      return 0
    fi
    if [ -z "${LEAKSCOPE_SKIP_RUSTUP_TARGET:-}" ] &&
       timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
      export LEAKSCOPE_WASM_ROUTE=rustup
      return 0
    fi
    # Remember the failure for this shell: the download hangs until the timeout every time.
    export LEAKSCOPE_SKIP_RUSTUP_TARGET=1
  fi
  if [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust ]; then
    # Debian's rustc-web with rust-web-src: build std for wasm32 from source. Environment
    # variables rather than a [unstable] table, so native `cargo test` is untouched.
    export PATH="/usr/bin:$PATH"
    export RUSTC=/usr/bin/rustc
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    export LEAKSCOPE_WASM_ROUTE=build-std
    # std's own dependencies (dlmalloc, …) come from crates.io; fetch them now, because trunk
    # builds with --offline. Quick and quiet once they are in cargo's cache.
    (cd "$root" && cargo fetch --target wasm32-unknown-unknown --quiet) ||
      echo "leakscope: could not fetch std's dependencies for the wasm32 build" >&2
    return 0
  fi
  echo "leakscope: no wasm32 toolchain: 'rustup target add wasm32-unknown-unknown' failed and Debian's rustc-web/rust-web-src are not installed (run scripts/setup.sh)" >&2
  return 1
}
leakscope_wasm_env
