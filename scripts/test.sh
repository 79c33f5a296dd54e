#!/usr/bin/env bash
# Runs every test, as CI does: installs what is missing, then format check, clippy with
# warnings denied, the native tests (unit, integration, parity with `go tool pprof`), the
# release wasm build, and the end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "set-up"
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings denied)"
cargo clippy --all-targets --locked -- -D warnings

step "cargo test"
cargo test --locked

step "release wasm build + end-to-end tests in Chromium"
bash scripts/e2e.sh
