#!/usr/bin/env bash
# Installs what is missing, then builds and serves the app with its demo profiles at
# http://127.0.0.1:8080 (PORT=... to change), rebuilding on every change. `--release` serves the
# size-optimized build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/wasm-env.sh
# trunk's live reload adds an inline script as it serves the page: the dev page's
# Content-Security-Policy allows inline scripts (scripts/csp.mjs); `trunk build` output never does.
export LEAKSCOPE_DEV_SERVER=1
exec trunk serve --offline --address 127.0.0.1 --port "${PORT:-8080}" "$@"
