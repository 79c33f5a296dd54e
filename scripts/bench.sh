#!/usr/bin/env bash
# Side-by-side timings: `leakscope top` (native, `cli` profile) against `go tool pprof -top` on
# a real Go heap profile with ~235k distinct stacks (MemProfileRate=1, made by
# scripts/make-big-pprof.sh from fixtures/synth-go), the corpus's largest profile and a
# synthetic ~100 MB gzipped profile with ~1 M distinct stacks (made by examples/synth_pprof.rs).
# Prints wall time, user+sys CPU time and peak memory for each run, the leakscope/pprof ratio
# of the median runs, and for the real Go profile leakscope's phases beside a plain byte scan
# of the file (examples/pprof_phases.rs). Numbers, not pass/fail: run it by hand, when the
# machine is quiet (`uptime`); `cargo bench` has the criterion micro-benchmarks.
#
# With --real-go: the real Go profile only. RUNS=N (default 3) runs each tool N times,
# alternating. WITH_PAGE=1 adds the page to each round: a drop of the file on the release site
# (dist/, `trunk build --release --offline`) in headless Chromium, drop -> top table shown.
#
# With --series: a series of 4 copies of the synthetic profile instead: `leakscope growth`
# over all 4 and `leakscope diff` of two, beside one single `leakscope top` (a series of N
# should cost about N single loads) and `go tool pprof -top -diff_base`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
DATA="target/bench-data"
mkdir -p "$DATA"
RUNS="${RUNS:-3}"
cargo build --quiet --profile cli --bin leakscope --example synth_pprof --example pprof_phases
SYNTH="$DATA/synth-1m.pb.gz"
REAL_GO="$DATA/go-235k.heap.pb.gz"
if [ "${1:-}" != --real-go ]; then
  [ -s "$SYNTH" ] || target/cli/examples/synth_pprof "$SYNTH" --stacks 1000000
fi
if command -v go >/dev/null 2>&1 && [ ! -s "$REAL_GO" ]; then
  bash scripts/make-big-pprof.sh --out "$REAL_GO"
fi

measure() { # label, command...
  local label="$1"; shift
  local report secs kb
  report="$(mktemp)"
  # GNU time writes "seconds kilobytes" to its own file; the command's output is dropped.
  /usr/bin/time -o "$report" -f '%e %M' "$@" >/dev/null 2>&1 || true
  read -r secs kb <"$report"
  rm -f "$report"
  printf '%-44s %8ss %8s MB\n' "$label" "$secs" "$((kb / 1024))"
}

# One run: "wall user+sys peakMB" on stdout, the timing line on stderr.
run_once() { # label, command...
  local label="$1"; shift
  local report wall user sys kb cpu
  report="$(mktemp)"
  /usr/bin/time -o "$report" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || true
  read -r wall user sys kb <"$report"
  rm -f "$report"
  cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
  printf '%-44s %8ss %8ss %8s MB\n' "$label" "$wall" "$cpu" "$((kb / 1024))" >&2
  echo "$wall $cpu $((kb / 1024))"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# leakscope top against go tool pprof -top on one file, RUNS times each, alternating; then the
# ratio of the medians (wall and CPU) and the peak memory of each.
side_by_side() { # file
  local f="$1" ours theirs page i
  echo "== $(basename "$f") ($(du -h "$f" | cut -f1)); load: $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-44s %9s %9s %11s\n' "run" "wall" "user+sys" "peak RSS"
  ours="$(mktemp)"
  theirs="$(mktemp)"
  page="$(mktemp)"
  for ((i = 0; i < RUNS; i++)); do
    run_once "leakscope top" target/cli/leakscope top --nodecount 20 "$f" >>"$ours"
    if command -v go >/dev/null 2>&1; then
      run_once "go tool pprof -top" go tool pprof -top -nodecount=20 -symbolize=none "$f" >>"$theirs"
    fi
    if [ "${WITH_PAGE:-0}" = 1 ]; then page_once "$f" >>"$page"; fi
  done
  if [ -s "$theirs" ]; then
    local ow oc om tw tc tm
    ow="$(cut -d' ' -f1 "$ours" | median)"; oc="$(cut -d' ' -f2 "$ours" | median)"
    om="$(cut -d' ' -f3 "$ours" | median)"
    tw="$(cut -d' ' -f1 "$theirs" | median)"; tc="$(cut -d' ' -f2 "$theirs" | median)"
    tm="$(cut -d' ' -f3 "$theirs" | median)"
    awk -v ow="$ow" -v oc="$oc" -v om="$om" -v tw="$tw" -v tc="$tc" -v tm="$tm" 'BEGIN {
      printf "median of %d: leakscope %.2f s wall, %.2f s CPU, %d MB; pprof %.2f s wall, %.2f s CPU, %d MB\n", '"$RUNS"', ow, oc, om, tw, tc, tm
      printf "ratio leakscope/pprof: wall %.3f, CPU %.3f, peak memory %.2f\n", ow / tw, oc / tc, om / tm
    }'
    if [ -s "$page" ]; then
      awk -v pw="$(median <"$page")" -v tw="$tw" 'BEGIN {
        printf "page (drop -> top table shown, median of %d): %.2f s; ratio page/pprof wall %.3f\n", '"$RUNS"', pw, pw / tw
      }'
    fi
  fi
  rm -f "$ours" "$theirs" "$page"
}

# One drop of the file on the release site (dist/) in headless Chromium, as a user's: seconds
# from the drop to the top table shown (scripts/browser-bench.mjs), on stdout; its line on stderr.
page_once() { # file
  local out line shown
  out="$(node scripts/browser-bench.mjs --runs 1 "$1" 2>&1 || true)"
  line="$(printf '%s\n' "$out" | grep -m1 -E " run 1:" | sed 's/^ *//' || true)"
  shown="$(printf '%s' "$line" | sed -n 's/.*shown \([0-9.]*\) ms.*/\1/p')"
  printf '%-44s %s\n' "page (Chromium)" "${line:-FAILED: $(printf '%s' "$out" | tail -2 | tr '\n' ' ')}" >&2
  [ -z "$shown" ] || awk -v ms="$shown" 'BEGIN { printf "%.3f\n", ms / 1000 }'
}

# leakscope's phases on one file beside a plain byte scan of it.
phases() { # file
  echo "-- leakscope top phases (examples/pprof_phases.rs; floor: a byte scan)"
  target/cli/examples/pprof_phases "$1"
}

if [ "${1:-}" = --real-go ]; then
  [ -s "$REAL_GO" ] || { echo "bench: $REAL_GO missing (needs go: scripts/make-big-pprof.sh)" >&2; exit 1; }
  side_by_side "$REAL_GO"
  phases "$REAL_GO"
  exit 0
fi

if [ "${1:-}" = --series ]; then
  SERIES=()
  for t in 0 1 2 3; do
    ln -f "$SYNTH" "$DATA/synth-1m-$t.pb.gz"
    SERIES+=("$DATA/synth-1m-$t.pb.gz")
  done
  echo "== series: 4 copies of $(basename "$SYNTH") ($(du -h "$SYNTH" | cut -f1) each)"
  printf '%-44s %9s %11s\n' "run" "wall" "peak RSS"
  measure "leakscope top (one point)" target/cli/leakscope top --nodecount 20 "$SYNTH"
  measure "leakscope growth (4 points)" target/cli/leakscope growth --limit 20 "${SERIES[@]}"
  measure "leakscope diff (2 points)" target/cli/leakscope diff --nodecount 20 "${SERIES[0]}" "${SERIES[3]}"
  if command -v go >/dev/null 2>&1; then
    measure "go tool pprof -top -diff_base" go tool pprof -top -nodecount=20 -symbolize=none \
      -diff_base="${SERIES[0]}" "${SERIES[3]}"
  fi
  exit 0
fi

inputs=("$SYNTH")
CORPUS_LARGE="../shared/corpus/pprof/google-pprof_large.cpu.pb.gz"
[ -f "$CORPUS_LARGE" ] && inputs=("$CORPUS_LARGE" "${inputs[@]}")
[ -s "$REAL_GO" ] && inputs=("$REAL_GO" "${inputs[@]}")
for f in "${inputs[@]}"; do
  side_by_side "$f"
  [ "$f" = "$REAL_GO" ] && phases "$f"
done
