#!/usr/bin/env bash
# Installs everything leakscope's build and tests need, and nothing twice: Rust's wasm32 target
# (rustup's, or Debian's Rust with std built from source where rustup cannot download it),
# trunk and the wasm-bindgen CLI, Chromium for the browser tests, Go and Gin for the fixtures
# and the `go tool pprof` parity tests, and the npm packages (playwright-core, binaryen).
# Safe to run again: each step checks first. See ../shared/design/TOOLCHAIN.md for why.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
export PATH="$HOME/.cargo/bin:$PATH"

APT_UPDATED=""
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    say "please install: ${missing[*]} (no apt-get here)"; return 1
  fi
  if [ -z "$APT_UPDATED" ]; then $SUDO apt-get update -q >/dev/null; APT_UPDATED=1; fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >/dev/null
}

# 1. Rust for wasm32: the normal route first, with a short timeout (it hangs where there is no
#    network to rustup's servers), then Debian's Rust with its std sources.
if ! command -v cargo >/dev/null 2>&1; then
  apt_install rustc cargo
fi
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "wasm32 target: rustup (installed)"
elif command -v rustup >/dev/null 2>&1 && timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  say "wasm32 target: rustup (added)"
else
  say "wasm32 target: rustup cannot provide it here; using Debian's Rust with std built from source"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || timeout 120 rustup component add clippy rustfmt >/dev/null 2>&1 || true
fi

# 2. trunk and the wasm-bindgen CLI (exactly the version pinned in Cargo.toml).
WBG_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)"
if ! command -v trunk >/dev/null 2>&1; then
  say "cargo install trunk 0.21 (several minutes, once)"
  cargo install trunk --version '~0.21' --locked --quiet
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBG_VERSION\$"; then
  say "cargo install wasm-bindgen-cli $WBG_VERSION (several minutes, once)"
  # Not --locked: one of its locked dependency versions is missing from the registry mirror.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force --quiet
fi

# 3. Chromium for the end-to-end tests, Go + Gin for fixtures and `go tool pprof` parity.
command -v chromium >/dev/null 2>&1 || apt_install chromium
command -v go >/dev/null 2>&1 || apt_install golang-go
[ -d /usr/share/gocode/src/github.com/gin-gonic/gin ] || apt_install golang-github-gin-gonic-gin-dev
command -v node >/dev/null 2>&1 || apt_install nodejs npm

# 4. npm packages: playwright-core (drives Chromium; never downloads a browser) and binaryen
#    (a current wasm-opt; Debian's is too old for today's Rust output).
if [ ! -d node_modules/playwright-core ] || [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ready"
