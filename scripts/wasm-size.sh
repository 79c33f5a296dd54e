#!/usr/bin/env bash
# Size of the page's WebAssembly (numbers, not pass/fail): per wasm file in dist/ its raw size
# and its size gzipped at -9 (what a server sends), then the app + worker total against the
# 1 MB budget (issue 9), for the toolchain route in use (scripts/wasm-env.sh: rustup's wasm32
# target, or LEAKSCOPE_WASM_ROUTE=build-std).
#
# Usage: bash scripts/wasm-size.sh [--build] [DIST]
#   --build: run `trunk build --release --offline` first (several minutes on 2 cores);
#            without it, measures the dist/ already there (say which route built it).
#   DIST:    another built site to measure (default dist).
# To see what dominates, run `twiggy top -n 30` (cargo install twiggy) on
# target/wasm-bindgen/release/{app,worker}_bg.wasm, which still have their names.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=0
DIST=dist
for a in "$@"; do
  case "$a" in
    --build) BUILD=1 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) DIST="$a" ;;
  esac
done

if [ "$BUILD" = 1 ]; then
  source scripts/wasm-env.sh
  trunk build --release --offline
  echo "route: ${LEAKSCOPE_WASM_ROUTE:-?}"
else
  echo "route: whichever built $DIST (rebuild with --build to be sure)"
fi

BUDGET=1000000
total_raw=0
total_gz=0
shopt -s nullglob
files=("$DIST"/*.wasm)
[ ${#files[@]} -gt 0 ] || { echo "no .wasm in $DIST: build it first (--build)" >&2; exit 1; }
printf '%-40s %12s %12s\n' file raw "gzip -9"
for f in "${files[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw))
  total_gz=$((total_gz + gz))
  printf '%-40s %12d %12d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-40s %12d %12d\n' total "$total_raw" "$total_gz"
if [ "$total_gz" -lt "$BUDGET" ]; then
  echo "gzip -9 total $total_gz < $BUDGET bytes: within the 1 MB budget"
else
  echo "gzip -9 total $total_gz >= $BUDGET bytes: $((total_gz - BUDGET)) over the 1 MB budget"
fi
