#!/usr/bin/env bash
# End-to-end tests in real headless Chromium: builds the release site (trunk), builds the
# command-line tool the tests compare against, serves dist/ on 127.0.0.1 with
# tests/e2e/serve.mjs, runs `node --test tests/e2e/`, and stops the server.
# Needs /usr/bin/chromium and `npm install` (playwright-core, binaryen); see scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/wasm-env.sh

if [ ! -d node_modules/playwright-core ]; then
  npm install --no-audit --no-fund
  source scripts/wasm-env.sh   # puts node_modules/.bin (wasm-opt) on PATH
fi

echo "== trunk build --release"
trunk build --release --offline

echo "== cargo build --bin leakscope (the tests' reference)"
# The native tool: rustup's toolchain, not the wasm route's Debian rustc.
env -u RUSTC -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD PATH="$HOME/.cargo/bin:$PATH" \
  cargo build --quiet --bin leakscope

log="$(mktemp)"
node tests/e2e/serve.mjs dist 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do
  grep -q listening "$log" && break
  sleep 0.1
done
url="$(sed -n 's/^listening on //p' "$log")"
[ -n "$url" ] || { cat "$log"; echo "e2e: the static server did not start" >&2; exit 1; }
echo "== serving dist/ at $url"

echo "== node --test tests/e2e/"
LEAKSCOPE_URL="$url" node --test --test-concurrency=1 tests/e2e/
