#!/usr/bin/env bash
# Heap snapshot scale, side by side (numbers, not pass/fail): makes a Node-shaped synthetic V8
# heap snapshot (examples/synth_heapsnapshot.rs; default 10 M nodes at 3.26 edges/node, about
# 840 MB like the real file in FORMATS-AND-LIMITS §2.4) under target/bench-data/, then times,
# one after another (never two at once), in RUNS rounds (default 1) of one run of each:
#   1. leakscope summary (native, `cli` profile)       wall + peak RSS (GNU time)
#   2. the page in headless Chromium (scripts/browser-bench.mjs): drop → Summary, peak memory
#   3. DevTools' own heap snapshot worker under Node (tests/devtools/summary.mjs)
#   4. memlab's loader (@memlab/heap-analysis getFullHeapFromFile), from $MEMLAB_DIR
#   5. JSON.parse(fs.readFileSync(FILE, 'utf8')), what JSON.parse-based tools do
# A step whose tool is missing prints "skipped" and why. The generated file is deleted at the
# end unless --keep (it is reused when present). The closing table compares each tool's median
# over the rounds: interleaved rounds share the machine's slow and fast spells, which a single
# run of each (this machine's timings drift by a quarter from minute to minute) does not.
#
# Usage: [RUNS=N] bash scripts/heap-bench.sh [--file F | --nodes N] [--edges-per-node R] [--keep] [--only LIST]
#   --file: measure this snapshot instead of a synthetic one (e.g. a real Node snapshot made by
#           `node --max-old-space-size=16000 scripts/make-big-snapshot.mjs OUT [--scale S]`:
#           scale 1 ≈ 890 MB / 10 M nodes, 2.3 ≈ 2.08 GB)
#   --only: comma-separated steps among cli,browser,devtools,memlab,jsonparse (default: all)
# Needs: the release site in dist/ for the browser step (`trunk build --release --offline`),
# `bash tests/devtools/build.sh` for DevTools, and for memlab (outside the repo):
#   mkdir -p /tmp/memlab && cd /tmp/memlab && PUPPETEER_SKIP_DOWNLOAD=1 npm install memlab
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

NODES=10000000
EPN=3.26
GIVEN=""
KEEP=0
ONLY="cli,browser,devtools,memlab,jsonparse"
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --edges-per-node) EPN="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    --file) GIVEN="$2"; shift 2 ;;
    *) echo "usage: bash scripts/heap-bench.sh [--file F | --nodes N] [--edges-per-node R] [--keep] [--only LIST]" >&2; exit 2 ;;
  esac
done
MEMLAB_DIR="${MEMLAB_DIR:-/tmp/memlab}"
HEAP_MB="${HEAP_MB:-16000}"   # --max-old-space-size for the Node-based tools
RUNS="${RUNS:-1}"
want() { [[ ",$ONLY," == *",$1,"* ]]; }

DATA="target/bench-data"
mkdir -p "$DATA"
FILE="${GIVEN:-$DATA/synth-${NODES}n-e${EPN}.heapsnapshot}"
cargo build --quiet --profile cli --bin leakscope --example synth_heapsnapshot
made=0
if [ -n "$GIVEN" ] && [ ! -s "$FILE" ]; then
  echo "no such file: $FILE" >&2; exit 2
fi
if [ ! -s "$FILE" ]; then
  echo "== generating $FILE ($NODES nodes, $EPN edges/node)"
  target/cli/examples/synth_heapsnapshot "$FILE" "$NODES" --edges-per-node "$EPN"
  made=1
fi
cleanup() {
  rm -f "${MEMLAB_SCRIPT:-}"
  if [ "$made" = 1 ] && [ "$KEEP" = 0 ]; then rm -f "$FILE"; fi
}
trap cleanup EXIT
SIZE=$(stat -c %s "$FILE")
echo "== $FILE: $SIZE bytes ($((SIZE / 1000000)) MB)"

ROWS=()
row() { ROWS+=("$(printf '%-28s %10s %11s  %s' "$1" "$2" "$3" "$4")"); echo "${ROWS[-1]}"; }
# Seconds and peak MB per tool, for the ratios at the end.
declare -A SECS PEAK

measure() { # label, command...: wall time and peak RSS (GNU time), exit status, last words
  local label="$1"; shift
  local report out secs kb rc note
  report="$(mktemp)"; out="$(mktemp)"
  rc=0
  /usr/bin/time -o "$report" -f '%e %M %x' "$@" >"$out" 2>&1 || rc=$?
  read -r secs kb _ < <(tail -1 "$report")
  if [ "$rc" = 0 ]; then
    # The line that names the graph's size (each tool words it differently), else the first.
    note="ok: $( (grep -m1 -E '^loaded|Nodes:|[0-9]+ nodes' "$out" || grep -m1 -E . "$out") | cut -c1-100)"
  else
    note="FAILED (exit $rc): $( (grep -m1 -E 'Error|error|heap out of memory' "$out" || tail -1 "$out") | cut -c1-160)"
  fi
  note="$(printf '%s' "$note" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g')"   # memlab's progress escapes
  rm -f "$report" "$out"
  if [ "$rc" = 0 ]; then record "$label" "$secs" "$((kb / 1024))"; fi
  row "$label" "${secs}s" "$((kb / 1024)) MB" "$note"
}

# Each tool's seconds of every round (space-separated) and its largest peak MB.
record() { # label, seconds, peak MB (or "")
  SECS[$1]="${SECS[$1]:-} $2"
  if [ -n "$3" ] && [ "$3" -gt "${PEAK[$1]:-0}" ]; then PEAK[$1]=$3; fi
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo
printf '%-28s %10s %11s  %s\n' "tool" "wall" "peak RSS" "result"

# memlab's loader, timed from its call to the heap's last node.
MEMLAB_SCRIPT="$(mktemp --suffix .cjs)"
cat >"$MEMLAB_SCRIPT" <<'JS'
const { getFullHeapFromFile } = require(process.env.MEMLAB_DIR + '/node_modules/@memlab/heap-analysis');
(async () => {
  const t = Date.now();
  const heap = await getFullHeapFromFile(process.argv[2]);
  let nodes = 0;
  heap.nodes.forEach(() => { nodes++; });
  console.log(`loaded ${nodes} nodes in ${Date.now() - t} ms`);
})().catch((e) => { console.error(String(e && e.message || e)); process.exit(1); });
JS

# One run of each step.
one_round() {
  local out line shown secs
  if want cli; then
    measure "leakscope summary (native)" target/cli/leakscope summary "$FILE" --limit 5
  fi

  if want browser; then
    if [ ! -f dist/index.html ]; then
      row "browser (Chromium)" "-" "-" "skipped: no dist/ (trunk build --release --offline)"
    elif [ ! -d node_modules/playwright-core ] || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
      row "browser (Chromium)" "-" "-" "skipped: needs npm install (playwright-core) and /usr/bin/chromium"
    else
      out="$(mktemp)"
      node scripts/browser-bench.mjs --timeout 900 "$FILE" >"$out" 2>&1 || true
      line="$(grep -E "^  $(basename "$FILE") run 1:" "$out" | sed 's/^ *//' || true)"
      [ -n "$line" ] || line="FAILED: $(tail -3 "$out" | tr '\n' ' ')"
      # drop → Summary shown, in ms; its wall column in seconds.
      shown="$(printf '%s' "$line" | sed -n 's/.*shown \([0-9.]*\) ms.*/\1/p')"
      secs=""
      if [ -n "$shown" ]; then
        secs="$(awk -v ms="$shown" 'BEGIN { printf "%.2f", ms / 1000 }')"
        record "browser (Chromium)" "$secs" ""
      fi
      row "browser (Chromium)" "${secs:+${secs}s}" "-" "$line"
      grep -E "worker phases" "$out" | sed 's/^ */    /' || true
      rm -f "$out"
    fi
  fi

  if want devtools; then
    if [ ! -f tests/devtools/dist/devtools-heap.mjs ]; then
      row "DevTools worker (Node)" "-" "-" "skipped: run bash tests/devtools/build.sh"
    else
      measure "DevTools worker (Node)" node --max-old-space-size="$HEAP_MB" tests/devtools/summary.mjs "$FILE" --top 5
    fi
  fi

  if want memlab; then
    if [ ! -d "$MEMLAB_DIR/node_modules/@memlab/heap-analysis" ]; then
      row "memlab getFullHeapFromFile" "-" "-" "skipped: no $MEMLAB_DIR/node_modules/@memlab/heap-analysis"
    else
      MEMLAB_DIR="$MEMLAB_DIR" measure "memlab getFullHeapFromFile" node --max-old-space-size="$HEAP_MB" "$MEMLAB_SCRIPT" "$FILE"
    fi
  fi

  if want jsonparse; then
    measure "JSON.parse(readFileSync)" node --max-old-space-size="$HEAP_MB" -e \
      "const s = require('fs').readFileSync(process.argv[1], 'utf8'); console.log(Object.keys(JSON.parse(s)).join(','));" "$FILE"
  fi
}

for round in $(seq 1 "$RUNS"); do
  [ "$RUNS" = 1 ] || echo "-- round $round of $RUNS"
  one_round
done

echo
echo "== summary: $FILE ($((SIZE / 1000000)) MB)"
printf '%-28s %10s %11s  %s\n' "tool" "wall" "peak RSS" "result"
printf '%s\n' "${ROWS[@]}"

# leakscope against the peer users would pick instead (memlab), in this same run: the ratio of
# wall times (target <= 0.10) and the peak memory as a multiple of the file (target <= 1.5).
peer="memlab getFullHeapFromFile"
echo
[ "$RUNS" = 1 ] || echo "medians of $RUNS interleaved rounds; the browser's wall is drop → Summary shown"
printf '%-28s %10s %12s %14s\n' "leakscope" "wall" "vs memlab" "peak / file"
peer_secs="$(printf '%s' "${SECS[$peer]:-}" | median)"
[ -z "$peer_secs" ] || printf '%-28s %9ss\n' "$peer" "$peer_secs"
for tool in "leakscope summary (native)" "browser (Chromium)"; do
  secs="$(printf '%s' "${SECS[$tool]:-}" | median)"
  [ -n "$secs" ] || continue
  ratio="-"
  [ -n "$peer_secs" ] && ratio="$(awk -v a="$secs" -v b="$peer_secs" 'BEGIN { printf "%.3f", a / b }')"
  peak="-"
  [ -n "${PEAK[$tool]:-}" ] && peak="$(awk -v m="${PEAK[$tool]}" -v f="$SIZE" 'BEGIN { printf "%.2fx", m * 1048576 / f }')"
  printf '%-28s %9ss %12s %14s\n' "$tool" "$secs" "$ratio" "$peak"
done

if want cli; then
  # Where the native time goes, phase by phase, beside one plain pass over the bytes.
  echo
  echo "== phases (native, examples/heap_phases.rs)"
  cargo build --quiet --profile cli --example heap_phases
  target/cli/examples/heap_phases "$FILE"
fi
