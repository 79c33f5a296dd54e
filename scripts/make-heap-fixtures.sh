#!/usr/bin/env bash
# Make the repo's own V8 heap snapshot fixtures and their DevTools reference outputs:
#   1. fixtures/leaky-node/server.js (a leaky Node service) under bounded loopback load:
#      tests/fixtures/heapsnapshot/node-leak-{1,2,3}.heapsnapshot after 3 equal rounds, plus a
#      gzipped copy node-leak-3.heapsnapshot.gz (gzip -9 -n, reproducible bytes);
#   2. fixtures/detached-dom/ (a page with detached DOM trees) in headless Chromium through the
#      DevTools protocol: tests/fixtures/heapsnapshot/detached-dom-{1,2,3}.heapsnapshot, one
#      after each of 3 equal rounds of the page's leaking actions, all in the same page (same
#      V8 isolate, so node ids agree across the three);
#   3. Chrome DevTools' own heap snapshot worker (tests/devtools/, built at run time, never
#      committed) on each file: tests/fixtures/heapsnapshot/<name>.devtools.json, plus DevTools'
#      named filters on node-leak-3 and detached-dom-3 (<name>.filters.devtools.json) and its
#      Comparison view of later snapshots of a series against earlier ones
#      (<name>-<N>.vs-<M>.comparison.devtools.json);
#   4. the same oracle on the third-party corpus, when ../shared/corpus is present.
# Snapshots are stored gzipped (<name>.heapsnapshot.gz); node-leak-3 also plain.
#
# Usage (from anywhere): bash scripts/make-heap-fixtures.sh [node-leak] [detached-dom] [corpus]
#   With no argument, all three parts; otherwise only the named ones (each part rewrites only
#   its own files, oracle outputs included).
# Needs: node (20 tested), npm (registry access for tests/devtools/build.sh), /usr/bin/chromium
#   (or CHROMIUM=/path). Re-runnable: replaces its own outputs and touches nothing else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=tests/fixtures/heapsnapshot
MAX_BYTES=$((8 * 1024 * 1024))
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

command -v node >/dev/null || { echo "make-heap-fixtures: 'node' not found" >&2; exit 1; }
[[ -x "$CHROMIUM" ]] || { echo "make-heap-fixtures: no Chromium at $CHROMIUM (apt-get install chromium)" >&2; exit 1; }

PARTS=("$@")
[[ ${#PARTS[@]} -gt 0 ]] || PARTS=(node-leak detached-dom corpus)
for p in "${PARTS[@]}"; do
  case "$p" in
    node-leak | detached-dom | corpus) ;;
    *) echo "make-heap-fixtures: unknown part '$p' (want node-leak, detached-dom, corpus)" >&2; exit 2 ;;
  esac
done
want() { [[ " ${PARTS[*]} " == *" $1 "* ]]; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/heap-fixtures.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

echo "== building the DevTools oracle (tests/devtools)"
bash tests/devtools/build.sh

if want node-leak; then
  echo "== leaky Node service: 3 rounds of load, a snapshot after each"
  rm -f "$OUT"/node-leak-*
  node fixtures/leaky-node/drive.mjs --out "$TMP" --prefix node-leak --rounds 3
fi

if want detached-dom; then
  echo "== detached DOM page in headless Chromium: 3 rounds, a snapshot after each"
  # detached-dom.* were the single snapshot this series replaced.
  rm -f "$OUT"/detached-dom.* "$OUT"/detached-dom-*
  node fixtures/detached-dom/capture.mjs --out "$TMP" --prefix detached-dom --rounds 3 --chromium "$CHROMIUM"
fi

# Install into tests/fixtures/heapsnapshot. To keep the repo light every snapshot is stored
# gzipped, except node-leak-3, which is kept plain as well so both input paths are exercised.
for f in "$TMP"/*.heapsnapshot; do
  name="$(basename "$f")"
  rm -f "$OUT/$name" "$OUT/$name.gz"
  gzip -9 -n -c "$f" > "$OUT/$name.gz"
  if [[ "$name" == node-leak-3.heapsnapshot ]] && (( $(stat -c %s "$f") <= MAX_BYTES )); then
    cp "$f" "$OUT/$name"
  fi
done
chmod 644 "$OUT"/*.heapsnapshot* 2>/dev/null || true

echo "== DevTools oracle outputs"
for f in "$OUT"/*.heapsnapshot "$OUT"/*.heapsnapshot.gz; do
  [[ -e "$f" ]] || continue
  base="$(basename "$f")"
  # Only the parts made by this run.
  want "${base%%-[0-9]*}" || continue
  base="${base%.gz}"
  base="${base%.heapsnapshot}"
  json="$OUT/$base.devtools.json"
  if [[ "$f" == *.gz && -e "$OUT/$base.heapsnapshot" ]]; then
    # The .gz copy must give exactly the plain file's answer (only "file" differs).
    node tests/devtools/summary.mjs "$f" --json > "$TMP/gz.json"
    node -e 'const fs = require("fs");
      const [a, b] = process.argv.slice(1).map(p => { const j = JSON.parse(fs.readFileSync(p, "utf8")); delete j.file; return JSON.stringify(j); });
      process.exit(a === b ? 0 : 1);' "$json" "$TMP/gz.json" \
      || { echo "make-heap-fixtures: $f disagrees with $json" >&2; exit 1; }
    echo "ok: $f matches $json"
    continue
  fi
  node tests/devtools/summary.mjs "$f" --json > "$json"
  echo "wrote $json"
done

# DevTools' own named filters, for the filter tests (tests/it/heap_views.rs).
for base in node-leak-3 detached-dom-3; do
  want "${base%-3}" || continue
  node tests/devtools/summary.mjs "$OUT/$base.heapsnapshot.gz" \
    --filter objectsRetainedByDetachedDomNodes --filter objectsRetainedByEventHandlers \
    --filter duplicatedStrings > "$OUT/$base.filters.devtools.json"
  echo "wrote $OUT/$base.filters.devtools.json"
done

# DevTools' Comparison view within each series (same process, ids line up), for
# tests/it/heap_comparison.rs: snapshot N against snapshot M.
for pair in node-leak:2:1 node-leak:3:1 node-leak:3:2 detached-dom:2:1 detached-dom:3:1; do
  IFS=: read -r series new base <<< "$pair"
  want "$series" || continue
  out="$OUT/$series-$new.vs-$base.comparison.devtools.json"
  node tests/devtools/summary.mjs "$OUT/$series-$new.heapsnapshot.gz" \
    --compare "$OUT/$series-$base.heapsnapshot.gz" > "$out"
  echo "wrote $out"
done

# DevTools' answers for the third-party corpus (derived data only; the corpus files themselves
# are never copied). Rust tests compare against these when the corpus is present.
CORPUS="${CORPUS_DIR:-$PWD/../shared/corpus}/heapsnapshot"
if ! want corpus; then
  :
elif [[ -d "$CORPUS" ]]; then
  mkdir -p "$OUT/corpus"
  for f in "$CORPUS"/*.heapsnapshot; do
    base="$(basename "$f" .heapsnapshot)"
    rm -f "$OUT/corpus/$base.devtools.json" "$OUT/corpus/$base.devtools-error.txt"
    if node tests/devtools/summary.mjs "$f" --json > "$TMP/c.json" 2> "$TMP/c.err"; then
      mv "$TMP/c.json" "$OUT/corpus/$base.devtools.json"
      echo "wrote $OUT/corpus/$base.devtools.json"
    else
      # e.g. the deliberately truncated file: keep DevTools' own error message.
      mv "$TMP/c.err" "$OUT/corpus/$base.devtools-error.txt"
      echo "DevTools rejected $f: $(head -n 1 "$OUT/corpus/$base.devtools-error.txt")"
    fi
  done
else
  echo "note: no corpus at $CORPUS; skipping corpus oracle outputs"
fi

ls -l "$OUT" "$OUT/corpus" 2>/dev/null
