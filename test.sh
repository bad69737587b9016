#!/usr/bin/env bash
# The project's test command (README.md). `./test.sh` runs vet and the race-enabled
# tests of the library and the examples module; `./test.sh fuzz` runs each fuzz
# target for $FUZZTIME (default 5s; use e.g. FUZZTIME=10m for a long run);
# `./test.sh bench` regenerates docs/benchmarks.md (several minutes; flags go
# to internal/benchreport, e.g. `./test.sh bench -quick`).
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "fuzz" ]; then
  t="${FUZZTIME:-5s}"
  for pkg in $(go list ./...); do
    for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
      echo "fuzz $pkg $f ($t)"
      go test -run='^$' -fuzz="^${f}\$" -fuzztime="$t" -fuzzminimizetime=1s "$pkg"
    done
  done
  exit 0
fi

if [ "${1:-}" = "bench" ]; then
  shift
  exec go run ./internal/benchreport "$@"
fi

go vet ./...
go test -race -count=1 ./...
if [ -f examples/go.mod ]; then
  go -C examples vet ./...
  go -C examples test -race -count=1 ./...
fi
