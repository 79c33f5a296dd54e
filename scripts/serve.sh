#!/usr/bin/env bash
# Installs what is missing, then builds and serves the app with its demo profiles at
# http://127.0.0.1:8080 (PORT=... to change), rebuilding on every change. `--release` serves the
# size-optimized build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/wasm-env.sh
exec trunk serve --offline --address 127.0.0.1 --port "${PORT:-8080}" "$@"
