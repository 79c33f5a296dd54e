#!/usr/bin/env bash
# Capture real pprof series, one per cause of the leak checklist (G1..G8 of
# ../shared/design/LEAK-CAUSES.md), from fixtures/leaky-gin's cause endpoints /api/g1../api/g8
# (fixtures/leaky-gin/causes.go), plus one series of the same service with -healthy (every fix
# on) under the load of all eight endpoints at once.
#
# For each cause: a fresh service, a small warm-up of that cause's endpoint only, then three
# equal bounded rounds of that endpoint only. Points: t0 after the warm-up, t1 and t2 after
# rounds 1 and 2: the heap (?gc=1, after a first ?gc=1; see capture), allocs, goroutines
# (proto, debug=0) and the goroutine text dump (debug=2). After round 3: the block and mutex profiles (cumulative since start).
# Output: tests/fixtures/causes/<g1..g8|healthy>/{heap,allocs,goroutine}-{0,1,2}.pb.gz,
#         goroutine-{0,1,2}.debug2.txt, block.pb.gz, mutex.pb.gz.
#
# Usage (from the repo root): bash scripts/make-cause-fixtures.sh
# Needs what scripts/make-fixtures.sh needs: Go (1.19 tested) and Gin's sources in GOPATH mode
# (Debian: apt-get install -y golang-go golang-github-gin-gonic-gin-dev), plus curl.
# Re-runnable: it replaces the files above and touches nothing else (README.md stays).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=tests/fixtures/causes
MAX_BYTES=$((200 * 1024))
MAX_TOTAL=$((3 * 1024 * 1024))
# Heap sample every 4 KiB, as in make-fixtures.sh.
MEM_PROFILE_RATE=4096

CAUSES=(g1 g2 g3 g4 g5 g6 g7 g8)
# Requests per round, per cause endpoint (the same in the healthy run), and in the warm-up.
declare -A ROUND=([g1]=30 [g2]=30 [g3]=30 [g4]=100 [g5]=200 [g6]=150 [g7]=100 [g8]=100)
declare -A WARM=([g1]=5 [g2]=5 [g3]=5 [g4]=20 [g5]=10 [g6]=10 [g7]=10 [g8]=10)

command -v go >/dev/null || { echo "make-cause-fixtures: 'go' not found (apt-get install golang-go)" >&2; exit 1; }
command -v curl >/dev/null || { echo "make-cause-fixtures: 'curl' not found" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/leaky-gin-causes.XXXXXX")"
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  local rc=$?
  stop_server
  if [[ $rc -ne 0 && -f "$TMP/server.log" ]]; then
    echo "make-cause-fixtures: failed (exit $rc); last server log lines:" >&2
    tail -n 20 "$TMP/server.log" >&2 || true
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$SECONDS

# GOPATH mode, as in make-fixtures.sh: Gin from /usr/share/gocode, nothing written elsewhere.
export GO111MODULE=off GOFLAGS= GOPATH="/usr/share/gocode:$TMP/gopath"
echo "make-cause-fixtures: $(go version)"
go build -o "$TMP/leaky-gin" ./fixtures/leaky-gin
go build -o "$TMP/load" ./fixtures/leaky-gin/load

# start_server [FLAG...]: a fresh service on a free port of 127.0.0.1; sets BASE.
# -prime-heap-sampler: P 0's first heap sample is drawn at the runtime's 512 KiB default
# before GODEBUG applies, which would leave a small warm-up's allocations unsampled at t0
# (see primeHeapSampler in fixtures/leaky-gin/main.go).
start_server() {
  rm -f "$TMP/port"
  GODEBUG="memprofilerate=$MEM_PROFILE_RATE" \
    "$TMP/leaky-gin" -port 0 -port-file "$TMP/port" -mem-profile-rate "$MEM_PROFILE_RATE" -prime-heap-sampler "$@" \
    >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    if grep -qx '[0-9][0-9]*' "$TMP/port" 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "make-cause-fixtures: server exited early" >&2; exit 1; }
    sleep 0.1
  done
  BASE="http://127.0.0.1:$(cat "$TMP/port")"
  curl -fsS --max-time 5 --retry 20 --retry-connrefused --retry-delay 0 "$BASE/healthz" >/dev/null
  echo "make-cause-fixtures: leaky-gin $* on $BASE (pid $SERVER_PID)"
}

# drive N CAUSE...: one bounded round N (0 = warm-up) of the given cause endpoints only. The
# pause after it lets connections close (and the healthy service's timeouts run out) and
# keeps the points' time_nanos >= 1 s apart.
drive() {
  local n=$1
  shift
  local args=(-base "$BASE" -round "$n" -items 0 -orders 0 -events 0 -reports 0 -stats=false)
  local g
  for g in "$@"; do
    if [[ $n -eq 0 ]]; then args+=("-$g" "${WARM[$g]}"); else args+=("-$g" "${ROUND[$g]}"); fi
  done
  timeout 60 "$TMP/load" "${args[@]}"
  sleep 1
}

# capture DIR T: the profiles of point T into DIR. The heap is fetched twice with ?gc=1 and
# the second one kept: what sync.Pools hold (net/http's bufio readers and writers,
# encoding/json's encodeStates) survives one GC in the pools' victim caches, so after a
# single GC the heap still holds whatever the pools had at the end of the round, a number of
# objects that varies from point to point; a second GC frees them.
capture() {
  curl -fsS --max-time 30 -o /dev/null "$BASE/debug/pprof/heap?gc=1"
  curl -fsS --max-time 30 -o "$1/heap-$2.pb.gz" "$BASE/debug/pprof/heap?gc=1"
  curl -fsS --max-time 30 -o "$1/allocs-$2.pb.gz" "$BASE/debug/pprof/allocs"
  curl -fsS --max-time 30 -o "$1/goroutine-$2.pb.gz" "$BASE/debug/pprof/goroutine?debug=0"
  curl -fsS --max-time 30 -o "$1/goroutine-$2.debug2.txt" "$BASE/debug/pprof/goroutine?debug=2"
}

# series NAME FLAGS CAUSE...: one service, warm-up, t0, rounds 1..3 with t1, t2, block, mutex.
series() {
  local dir="$OUT/$1" flags=$2
  shift 2
  rm -rf "$dir"
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  start_server $flags
  drive 0 "$@"
  capture "$dir" 0
  drive 1 "$@"
  capture "$dir" 1
  drive 2 "$@"
  capture "$dir" 2
  drive 3 "$@"
  curl -fsS --max-time 30 -o "$dir/block.pb.gz" "$BASE/debug/pprof/block"
  curl -fsS --max-time 30 -o "$dir/mutex.pb.gz" "$BASE/debug/pprof/mutex"
  stop_server
}

mkdir -p "$OUT"
for g in "${CAUSES[@]}"; do
  series "$g" "" "$g"
done
series healthy "-healthy" "${CAUSES[@]}"

# Keep fixtures small enough to commit.
total=0
files=("$OUT"/*/*.pb.gz "$OUT"/*/*.debug2.txt)
for f in "${files[@]}"; do
  size=$(wc -c <"$f")
  if [[ $size -eq 0 || $size -gt $MAX_BYTES ]]; then
    echo "make-cause-fixtures: $f has $size bytes (want 1..$MAX_BYTES)" >&2
    exit 1
  fi
  total=$((total + size))
done
if [[ $total -gt $MAX_TOTAL ]]; then
  echo "make-cause-fixtures: $total bytes in all (want <= $MAX_TOTAL)" >&2
  exit 1
fi

echo "make-cause-fixtures: wrote ${#files[@]} files ($total bytes) to $OUT in $((SECONDS - started)) s"
ls -l "${files[@]}" | awk '{printf "  %8d  %s\n", $5, $9}'
