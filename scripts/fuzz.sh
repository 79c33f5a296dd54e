#!/usr/bin/env bash
# Coverage-guided fuzzing of the three decoders (pprof, goroutine text dumps, V8 heap snapshots)
# with cargo-fuzz: libFuzzer linked into the fuzz targets in fuzz/fuzz_targets/, guided by
# SanitizerCoverage. cargo-fuzz because it works here (nightly Rust is installed; cargo-fuzz comes
# from crates.io) and is the standard for Rust. No AddressSanitizer (`-s none`): the decoders and
# their dependencies' decoding paths are safe Rust, and ASan would halve the executions per second.
# Not part of CI: it needs nightly Rust (cargo fuzz passes -Z flags; with no nightly toolchain it
# falls back to RUSTC_BOOTSTRAP=1 on stable) and runs for minutes to hours.
#
# For each target: writes seed corpora from the repo's fixtures into fuzz/corpus/<target>
# (fuzz/seeds.py; kept between runs, so coverage grows run after run), builds the target
# optimised with debug assertions (integer overflow panics too, as in `cargo test`), and runs
# ONE libFuzzer process (no -jobs/-workers: the machine's two cores are shared) for N
# executions, with a per-input timeout (a hang is an input taking longer) and a memory limit
# (an OOM is an input making the decoder use more). Prints executions, coverage and findings
# per target; findings land in fuzz/artifacts/<target>/ (crash-*, timeout-*, oom-*). Minimise
# one with `cargo +nightly fuzz tmin --fuzz-dir fuzz -O -a -s none <target> <file>`, then add it to
# tests/it/decode_robustness.rs as a regression test and fix the decoder.
#
# Usage: scripts/fuzz.sh [--runs N] [--timeout SECONDS] [--rss-mb MB] [TARGET...]
#   TARGET: pprof, goroutine_text, heapsnapshot (default: all three, one after the other).
#   Defaults: --runs 2000000 --timeout 10 --rss-mb 2048. Exit status 1 if anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=2000000
TIMEOUT=10
RSS_MB=2048
TARGETS=()
while (($#)); do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --rss-mb) RSS_MB="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    pprof|goroutine_text|heapsnapshot) TARGETS+=("$1"); shift ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
((${#TARGETS[@]})) || TARGETS=(pprof goroutine_text heapsnapshot)

export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  FUZZ=(cargo +nightly fuzz)
else
  echo "no nightly toolchain: using stable with RUSTC_BOOTSTRAP=1" >&2
  export RUSTC_BOOTSTRAP=1
  FUZZ=(cargo fuzz)
fi
# The fuzz crate is its own workspace with its own target directory.
unset CARGO_TARGET_DIR
OPTS=(--fuzz-dir fuzz -O -a -s none)

python3 fuzz/seeds.py
mkdir -p fuzz/logs
"${FUZZ[@]}" build "${OPTS[@]}"

found=0
summary=()
for t in "${TARGETS[@]}"; do
  log="fuzz/logs/$t.log"
  mkdir -p "fuzz/artifacts/$t"
  before=$(ls "fuzz/artifacts/$t")
  dict=()
  [[ -f "fuzz/dict/$t.dict" ]] && dict=("-dict=fuzz/dict/$t.dict")
  echo "== $t: $RUNS executions (log: $log)"
  start=$(date +%s)
  set +e
  "${FUZZ[@]}" run "${OPTS[@]}" "$t" "fuzz/corpus/$t" -- \
    -runs="$RUNS" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB" -malloc_limit_mb="$RSS_MB" \
    -print_final_stats=1 "${dict[@]}" >"$log" 2>&1
  rc=$?
  set -e
  secs=$(($(date +%s) - start))
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' ||
    grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  new=$(comm -13 <(echo "$before") <(ls "fuzz/artifacts/$t"))
  line="$t: ${execs:-?} executions in ${secs}s, coverage ${cov:-?} edges"
  if [[ -n "$new" ]]; then
    found=1
    line+=", FOUND: $(echo "$new" | tr '\n' ' ')(fuzz/artifacts/$t/; see $log)"
  elif ((rc != 0)); then
    found=1
    line+=", libFuzzer exited with $rc without an artifact (see $log)"
  else
    line+=", nothing found"
  fi
  echo "$line"
  summary+=("$line")
done
echo
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$found"
