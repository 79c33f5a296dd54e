#!/usr/bin/env bash
# Capture real V8 heap snapshot series, one per JavaScript cause of the leak checklist (J1..J5 of
# ../shared/design/LEAK-CAUSES.md), plus two healthy series, into tests/fixtures/js-causes/:
#   j1, j2, j4, j5   fixtures/leaky-node/causes.js --cause <jN>: one fresh Node process per cause
#   j3               fixtures/detached-dom/j3.html in headless Chromium (capture.mjs --page j3.html)
#   healthy-node     ONE Node process running the fix of j1, j2, j4 and j5 together
#                    (causes.js --cause all --healthy)
#   healthy-page     j3.html?fixed in headless Chromium
# Every series: a fresh process (or page), WARMUP warm-up rounds without a snapshot, then ROUNDS
# equal rounds with a heap snapshot after each (a full GC first: v8.writeHeapSnapshot in Node,
# HeapProfiler.collectGarbage + takeHeapSnapshot in Chromium), all from that one process so V8
# object ids line up across the series. Stored as
# tests/fixtures/js-causes/<series>/snapshot-{1,2,3}.heapsnapshot.gz (gzip -9 -n).
#
# Usage (from anywhere): bash scripts/make-js-cause-fixtures.sh [SERIES...]
#   With no argument, all seven series; otherwise only the named ones (j1 j2 j3 j4 j5
#   healthy-node healthy-page). Each series replaces only its own snapshot files (README.md stays).
#   LEAKSCOPE=/path/to/leakscope (optional) prints `leakscope growth --limit 8` of each new series.
# Needs: node (20 tested), /usr/bin/chromium (or CHROMIUM=/path), playwright-core in
#   tests/devtools/node_modules (installed by `bash tests/devtools/build.sh`, which this script
#   runs when it is missing). ~1 minute on 2 cores.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=tests/fixtures/js-causes
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
WARMUP=3
ROUNDS=3
# Soft budget for the whole folder; exceeding it is reported, not fatal.
BUDGET_BYTES=$((12 * 1024 * 1024))
# Upper bound for one capture (a process that hangs is killed).
STEP_TIMEOUT=300

ALL=(j1 j2 j3 j4 j5 healthy-node healthy-page)
SERIES=("$@")
[[ ${#SERIES[@]} -gt 0 ]] || SERIES=("${ALL[@]}")
for s in "${SERIES[@]}"; do
  [[ " ${ALL[*]} " == *" $s "* ]] || { echo "make-js-cause-fixtures: unknown series '$s' (want: ${ALL[*]})" >&2; exit 2; }
done

command -v node >/dev/null || { echo "make-js-cause-fixtures: 'node' not found" >&2; exit 1; }
command -v gzip >/dev/null || { echo "make-js-cause-fixtures: 'gzip' not found" >&2; exit 1; }
needs_page=0
for s in "${SERIES[@]}"; do [[ "$s" == j3 || "$s" == healthy-page ]] && needs_page=1; done
if (( needs_page )); then
  [[ -x "$CHROMIUM" ]] || { echo "make-js-cause-fixtures: no Chromium at $CHROMIUM (apt-get install chromium)" >&2; exit 1; }
  if [[ ! -d tests/devtools/node_modules/playwright-core && ! -d node_modules/playwright-core ]]; then
    echo "== installing playwright-core (tests/devtools/build.sh)"
    bash tests/devtools/build.sh
  fi
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/js-cause-fixtures.XXXXXX")"
CHILD=""
cleanup() {
  local rc=$?
  # The capture running when we were interrupted (Playwright closes its Chromium on SIGTERM).
  if [[ -n "$CHILD" ]] && kill -0 "$CHILD" 2>/dev/null; then
    kill "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run CMD...: one capture, in the background so that cleanup can stop it, bounded in time.
run() {
  timeout --kill-after=10 "$STEP_TIMEOUT" "$@" &
  CHILD=$!
  wait "$CHILD"
  CHILD=""
}

started=$SECONDS
for s in "${SERIES[@]}"; do
  dir="$TMP/$s"
  echo "== $s"
  case "$s" in
    j1 | j2 | j4 | j5)
      run node fixtures/leaky-node/causes.js --cause "$s" --warmup "$WARMUP" --rounds "$ROUNDS" --out "$dir" ;;
    healthy-node)
      run node fixtures/leaky-node/causes.js --cause all --healthy --warmup "$WARMUP" --rounds "$ROUNDS" --out "$dir" ;;
    j3)
      run node fixtures/detached-dom/capture.mjs --page j3.html --port 47312 --prefix snapshot --warmup "$WARMUP" --rounds "$ROUNDS" --out "$dir" --chromium "$CHROMIUM" ;;
    healthy-page)
      run node fixtures/detached-dom/capture.mjs --page j3.html --port 47312 --prefix snapshot --healthy --warmup "$WARMUP" --rounds "$ROUNDS" --out "$dir" --chromium "$CHROMIUM" ;;
  esac
  for ((r = 1; r <= ROUNDS; r++)); do
    [[ -s "$dir/snapshot-$r.heapsnapshot" ]] || { echo "make-js-cause-fixtures: $s: no snapshot-$r" >&2; exit 1; }
  done
  mkdir -p "$OUT/$s"
  rm -f "$OUT/$s"/snapshot-*.heapsnapshot.gz
  for ((r = 1; r <= ROUNDS; r++)); do
    gzip -9 -n -c "$dir/snapshot-$r.heapsnapshot" > "$OUT/$s/snapshot-$r.heapsnapshot.gz"
    chmod 644 "$OUT/$s/snapshot-$r.heapsnapshot.gz"
  done
  rm -rf "$dir"
  if [[ -n "${LEAKSCOPE:-}" ]]; then
    "$LEAKSCOPE" growth "$OUT/$s"/snapshot-{1,2,3}.heapsnapshot.gz --limit 8
  fi
done

echo "== sizes (bytes)"
for s in "${ALL[@]}"; do
  [[ -d "$OUT/$s" ]] || continue
  printf '%-14s %s\n' "$s" "$(stat -c %s "$OUT/$s"/snapshot-*.heapsnapshot.gz | paste -sd' ')"
done
total=$(du -sb "$OUT" | cut -f1)
echo "total $OUT: $total bytes ($(( SECONDS - started )) s)"
if (( total > BUDGET_BYTES )); then
  echo "note: over the ${BUDGET_BYTES}-byte budget (an idle Node 20 heap alone is ~0.8 MB gzipped per snapshot)"
fi
