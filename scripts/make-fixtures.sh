#!/usr/bin/env bash
# Build the leaky Gin service (fixtures/leaky-gin), run it on 127.0.0.1, drive three
# bounded rounds of load against it and capture real pprof profiles after each round.
#
# Usage (from the repo root): bash scripts/make-fixtures.sh
# Needs: Go (1.19 tested) and Gin's sources in GOPATH mode, e.g. Debian's
#   apt-get install -y golang-go golang-github-gin-gonic-gin-dev   (Gin under /usr/share/gocode)
# plus curl. Writes tests/fixtures/pprof/gin-* and public/demo/ (+ manifest.json).
# Re-runnable: it replaces its own outputs and touches nothing else.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=tests/fixtures/pprof
DEMO=public/demo
MAX_BYTES=$((200 * 1024))

command -v go >/dev/null || { echo "make-fixtures: 'go' not found (apt-get install golang-go)" >&2; exit 1; }
command -v curl >/dev/null || { echo "make-fixtures: 'curl' not found" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/leaky-gin.XXXXXX")"
SERVER_PID=""
CPU_PID=""
cleanup() {
  local rc=$?
  for pid in "$CPU_PID" "$SERVER_PID"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
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

# Port 0: the service binds any free port on 127.0.0.1 and writes it to a file.
# A finer heap sampling rate than the 512 KiB default makes the small leaks visible.
"$TMP/leaky-gin" -port 0 -port-file "$TMP/port" -mem-profile-rate 65536 >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 100); do
  if grep -qx '[0-9][0-9]*' "$TMP/port" 2>/dev/null; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "make-fixtures: server exited early" >&2; exit 1; }
  sleep 0.1
done
PORT="$(cat "$TMP/port")"
BASE="http://127.0.0.1:$PORT"
curl -fsS --max-time 5 --retry 20 --retry-connrefused --retry-delay 0 "$BASE/healthz" >/dev/null
echo "make-fixtures: leaky-gin on $BASE (pid $SERVER_PID)"

mkdir -p "$OUT" "$DEMO"
rm -f "$OUT"/gin-*

# fetch PATH FILE: one profile from the running service into $OUT.
fetch() {
  curl -fsS --max-time 30 -o "$OUT/$2" "$BASE$1"
}

for step in 1 2 3; do
  if [[ $step -eq 2 ]]; then
    # CPU profile taken while round 2's load runs (the round lasts about 2 s).
    curl -fsS --max-time 30 -o "$OUT/gin-cpu-2.pb.gz" "$BASE/debug/pprof/profile?seconds=2" &
    CPU_PID=$!
    sleep 0.2
  fi
  timeout 60 "$TMP/load" -base "$BASE" -round "$step"
  if [[ $step -eq 2 ]]; then
    wait "$CPU_PID"
    CPU_PID=""
  fi
  # gc=1 runs a full GC first, so each heap profile reflects the end of its round.
  fetch "/debug/pprof/heap?gc=1" "gin-heap-$step.pb.gz"
  fetch "/debug/pprof/goroutine?debug=0" "gin-goroutine-$step.pb.gz"
  fetch "/debug/pprof/goroutine?debug=1" "gin-goroutine-$step.debug1.txt"
  fetch "/debug/pprof/goroutine?debug=2" "gin-goroutine-$step.debug2.txt"
done
fetch "/debug/pprof/allocs" "gin-allocs-3.pb.gz"
fetch "/debug/pprof/mutex" "gin-mutex-3.pb.gz"
fetch "/debug/pprof/block" "gin-block-3.pb.gz"

# Keep fixtures small enough to commit.
for f in "$OUT"/gin-*; do
  size=$(wc -c <"$f")
  if [[ $size -eq 0 || $size -gt $MAX_BYTES ]]; then
    echo "make-fixtures: $f has $size bytes (want 1..$MAX_BYTES)" >&2
    exit 1
  fi
done

# Demo set for the web app, heap-3 first (the one that shows every leak).
rm -f "$DEMO"/gin-*
demo_files=(
  "gin-heap-3.pb.gz|Gin service heap after 3 rounds of load (in-use: cache, pinned buffers, parked orders)"
  "gin-goroutine-3.pb.gz|Gin service goroutines after 3 rounds (leaked main.waitForReply)"
  "gin-goroutine-3.debug2.txt|Gin service goroutine dump, debug=2 text, after 3 rounds"
  "gin-cpu-2.pb.gz|Gin service CPU profile, 2 s during round 2 (JSON encoding, SHA-256)"
  "gin-allocs-3.pb.gz|Gin service allocations since start, after 3 rounds"
  "gin-heap-1.pb.gz|Gin service heap after round 1 (compare with rounds 2 and 3)"
  "gin-heap-2.pb.gz|Gin service heap after round 2"
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

echo "make-fixtures: wrote $(ls "$OUT"/gin-* | wc -l) files to $OUT and $n to $DEMO in $((SECONDS - started)) s"
ls -l "$OUT"/gin-* | awk '{printf "  %8d  %s\n", $5, $9}'
