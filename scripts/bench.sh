#!/usr/bin/env bash
# Side-by-side timings: `leakscope top` (native, `cli` profile) against `go tool pprof -top` on
# the corpus's largest profile and on a synthetic ~100 MB gzipped profile with ~1 M distinct
# stacks (made by examples/synth_pprof.rs). Prints wall time and peak memory for each. Numbers,
# not pass/fail: run it by hand; `cargo bench` has the criterion micro-benchmarks.
#
# With --series: a series of 4 copies of the synthetic profile instead: `leakscope growth`
# over all 4 and `leakscope diff` of two, beside one single `leakscope top` (a series of N
# should cost about N single loads) and `go tool pprof -top -diff_base`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
DATA="target/bench-data"
mkdir -p "$DATA"
cargo build --quiet --profile cli --bin leakscope --example synth_pprof
SYNTH="$DATA/synth-1m.pb.gz"
[ -s "$SYNTH" ] || target/cli/examples/synth_pprof "$SYNTH" --stacks 1000000

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
printf '%-44s %9s %11s\n' "run" "wall" "peak RSS"
for f in "${inputs[@]}"; do
  echo "== $(basename "$f") ($(du -h "$f" | cut -f1))"
  measure "leakscope top" target/cli/leakscope top --nodecount 20 "$f"
  if command -v go >/dev/null 2>&1; then
    measure "go tool pprof -top" go tool pprof -top -nodecount=20 -symbolize=none "$f"
  fi
done
