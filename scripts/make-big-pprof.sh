#!/usr/bin/env bash
# Builds the real-Go benchmark profile: fixtures/synth-go (a Go module, standard library only)
# generates its few hundred functions (go generate), walks them along random paths of 3 to 27
# generated frames under runtime.MemProfileRate = 1, and writes its heap profile with about
# 235k distinct stacks (~6.5 MB gzipped) to target/bench-data/go-235k.heap.pb.gz (never
# committed). The same seeds walk the same paths; times and addresses differ run to run.
#
# Usage (from anywhere): bash scripts/make-big-pprof.sh [--stacks N] [--out FILE]
# Needs: Go (1.19 tested), offline.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACKS=235000
OUT="$ROOT/target/bench-data/go-235k.heap.pb.gz"
while [ $# -gt 0 ]; do
  case "$1" in
    --stacks) STACKS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: make-big-pprof.sh [--stacks N] [--out FILE]" >&2; exit 2 ;;
  esac
done
command -v go >/dev/null || { echo "make-big-pprof: 'go' not found (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")" "$ROOT/target/synth-go"
cd "$ROOT/fixtures/synth-go"
export GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on
go generate
go build -o "$ROOT/target/synth-go/synth-go" .
"$ROOT/target/synth-go/synth-go" -stacks "$STACKS" -o "$OUT"
echo "wrote $OUT ($(du -h "$OUT" | cut -f1))"
