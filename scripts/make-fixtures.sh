#!/usr/bin/env bash
# Build the leaky Gin service (fixtures/leaky-gin), run it on 127.0.0.1 and capture real pprof
# profiles as a SERIES over time: point t0 after a small warm-up round, then t1, t2, t3 after
# three equal rounds of bounded load. Done twice: the leaky service (every planted leak grows
# at every step), then the same service with -healthy (every leak fixed; same endpoints, same
# load), whose series is the baseline a growth analysis must call flat.
#
# Usage (from the repo root): bash scripts/make-fixtures.sh
# Needs: Go (1.19 tested) and Gin's sources in GOPATH mode, e.g. Debian's
#   apt-get install -y golang-go golang-github-gin-gonic-gin-dev   (Gin under /usr/share/gocode)
# plus curl. Writes tests/fixtures/pprof/gin-* profiles and public/demo/ (+ manifest.json).
# Re-runnable: it replaces its own outputs and touches nothing else (the *.decoded.txt goldens
# next to the profiles belong to the tests: UPDATE_EXPECT=1 cargo test rewrites them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=tests/fixtures/pprof
DEMO=public/demo
MAX_BYTES=$((200 * 1024))
# Heap sample every 4 KiB (the runtime's default is 512 KiB): each leak site then grows by
# 10x the sampling period or more per round, far above the sampling noise.
MEM_PROFILE_RATE=4096

command -v go >/dev/null || { echo "make-fixtures: 'go' not found (apt-get install golang-go)" >&2; exit 1; }
command -v curl >/dev/null || { echo "make-fixtures: 'curl' not found" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/leaky-gin.XXXXXX")"
SERVER_PID=""
CPU_PID=""
stop_server() {
  for pid in "$CPU_PID" "$SERVER_PID"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  CPU_PID=""
  SERVER_PID=""
}
cleanup() {
  local rc=$?
  stop_server
  if [[ $rc -ne 0 && -f "$TMP/server.log" ]]; then
    echo "make-fixtures: failed (exit $rc); last server log lines:" >&2
    tail -n 20 "$TMP/server.log" >&2 || true
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$SECONDS

# GOPATH mode: Gin and its dependencies come from /usr/share/gocode (Debian packages);
# an extra GOPATH entry in the temp dir keeps go from writing anywhere else.
export GO111MODULE=off GOFLAGS= GOPATH="/usr/share/gocode:$TMP/gopath"
echo "make-fixtures: $(go version)"
go build -o "$TMP/leaky-gin" ./fixtures/leaky-gin
go build -o "$TMP/load" ./fixtures/leaky-gin/load

# start_server [FLAG...]: a fresh service on a free port of 127.0.0.1; sets BASE.
start_server() {
  rm -f "$TMP/port"
  # Port 0: the service binds any free port on 127.0.0.1 and writes it to a file.
  # GODEBUG sets the heap sampling rate from the process's first allocation (the flag alone
  # takes effect only after each P's next sample drawn at the 512 KiB default).
  GODEBUG="memprofilerate=$MEM_PROFILE_RATE" \
    "$TMP/leaky-gin" -port 0 -port-file "$TMP/port" -mem-profile-rate "$MEM_PROFILE_RATE" "$@" \
    >"$TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    if grep -qx '[0-9][0-9]*' "$TMP/port" 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "make-fixtures: server exited early" >&2; exit 1; }
    sleep 0.1
  done
  BASE="http://127.0.0.1:$(cat "$TMP/port")"
  curl -fsS --max-time 5 --retry 20 --retry-connrefused --retry-delay 0 "$BASE/healthz" >/dev/null
  echo "make-fixtures: leaky-gin $* on $BASE (pid $SERVER_PID)"
}

# fetch PATH FILE: one profile from the running service into $OUT.
fetch() {
  curl -fsS --max-time 30 -o "$OUT/$2" "$BASE$1"
}

# round N: one bounded round of load. Round 0 is the warm-up (a few requests of every kind,
# so lazy initialisation, pools and caches of types are done before t0); rounds 1-3 are
# equal, with fresh ids so the leaks grow. The pause after a round lets connections close
# (and the healthy service's order timeouts run out) and keeps points >= 1 s apart.
round() {
  if [[ $1 -eq 0 ]]; then
    timeout 60 "$TMP/load" -base "$BASE" -round 0 -items 50 -orders 10 -events 20 -reports 4 -report-items 50
  else
    timeout 60 "$TMP/load" -base "$BASE" -round "$1"
  fi
  sleep 1
}

mkdir -p "$OUT" "$DEMO"
rm -f "$OUT"/gin-*.pb.gz "$OUT"/gin-*.debug1.txt "$OUT"/gin-*.debug2.txt

# 1. The leaky service: t0..t3 of heap, allocs and goroutines (proto, debug=1, debug=2), a CPU
#    profile during round 2, mutex and block profiles at t3.
start_server
for step in 0 1 2 3; do
  if [[ $step -eq 2 ]]; then
    # CPU profile taken while round 2's load runs (the round lasts about 5 s).
    curl -fsS --max-time 30 -o "$OUT/gin-cpu-2.pb.gz" "$BASE/debug/pprof/profile?seconds=2" &
    CPU_PID=$!
    sleep 0.2
  fi
  round "$step"
  if [[ $step -eq 2 ]]; then
    wait "$CPU_PID"
    CPU_PID=""
  fi
  # gc=1 runs a full GC first, so each heap profile reflects the end of its round.
  fetch "/debug/pprof/heap?gc=1" "gin-heap-$step.pb.gz"
  fetch "/debug/pprof/goroutine?debug=0" "gin-goroutine-$step.pb.gz"
  fetch "/debug/pprof/goroutine?debug=1" "gin-goroutine-$step.debug1.txt"
  fetch "/debug/pprof/goroutine?debug=2" "gin-goroutine-$step.debug2.txt"
  fetch "/debug/pprof/allocs" "gin-allocs-$step.pb.gz"
done
fetch "/debug/pprof/mutex" "gin-mutex-3.pb.gz"
fetch "/debug/pprof/block" "gin-block-3.pb.gz"
stop_server

# 2. The same service with every leak fixed, under the same warm-up and rounds.
start_server -healthy
for step in 0 1 2 3; do
  round "$step"
  fetch "/debug/pprof/heap?gc=1" "gin-healthy-heap-$step.pb.gz"
  fetch "/debug/pprof/goroutine?debug=0" "gin-healthy-goroutine-$step.pb.gz"
  fetch "/debug/pprof/goroutine?debug=2" "gin-healthy-goroutine-$step.debug2.txt"
  fetch "/debug/pprof/allocs" "gin-healthy-allocs-$step.pb.gz"
done
stop_server

# Keep fixtures small enough to commit.
profiles=("$OUT"/gin-*.pb.gz "$OUT"/gin-*.debug1.txt "$OUT"/gin-*.debug2.txt)
for f in "${profiles[@]}"; do
  size=$(wc -c <"$f")
  if [[ $size -eq 0 || $size -gt $MAX_BYTES ]]; then
    echo "make-fixtures: $f has $size bytes (want 1..$MAX_BYTES)" >&2
    exit 1
  fi
done

# Demo set for the web app: the leaky series, heap-3 first (the one shown first, with every
# leak), then the heap and goroutine points in time order.
rm -f "$DEMO"/gin-*
demo_files=(
  "gin-heap-3.pb.gz|Gin service heap at t3, after 3 rounds of load (in-use: cache, pinned buffers, parked orders, event log)"
  "gin-heap-0.pb.gz|Gin service heap at t0, after warm-up (compare t0..t3: what grew at every step)"
  "gin-heap-1.pb.gz|Gin service heap at t1, after round 1"
  "gin-heap-2.pb.gz|Gin service heap at t2, after round 2"
  "gin-goroutine-0.pb.gz|Gin service goroutines at t0, after warm-up"
  "gin-goroutine-1.pb.gz|Gin service goroutines at t1 (leaked main.waitForReply: +60 per round)"
  "gin-goroutine-2.pb.gz|Gin service goroutines at t2"
  "gin-goroutine-3.pb.gz|Gin service goroutines at t3"
  "gin-goroutine-3.debug2.txt|Gin service goroutine dump, debug=2 text, at t3"
  "gin-cpu-2.pb.gz|Gin service CPU profile, 2 s during round 2 (JSON encoding, SHA-256)"
  "gin-allocs-3.pb.gz|Gin service allocations since start, at t3"
)
{
  echo "["
  n=${#demo_files[@]}
  for i in "${!demo_files[@]}"; do
    file="${demo_files[$i]%%|*}"
    title="${demo_files[$i]#*|}"
    cp "$OUT/$file" "$DEMO/$file"
    sep=","
    [[ $i -eq $((n - 1)) ]] && sep=""
    printf '  {"file": "%s", "title": "%s"}%s\n' "$file" "$title" "$sep"
  done
  echo "]"
} >"$DEMO/manifest.json"

echo "make-fixtures: wrote ${#profiles[@]} files to $OUT and $n to $DEMO in $((SECONDS - started)) s"
ls -l "${profiles[@]}" | awk '{printf "  %8d  %s\n", $5, $9}'
