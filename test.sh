#!/usr/bin/env bash
# The project's test command (README.md). `./test.sh` runs vet and the race-enabled
# tests of every module (the library, examples, otel, fleet, console/browsertest);
# `./test.sh fuzz` runs each fuzz target for $FUZZTIME (default 5s; FUZZTIME=10m is
# the long run); `./test.sh fleet-long` is the long fleet proof; `./test.sh bench`
# regenerates docs/benchmarks.md (several minutes; flags go to
# internal/benchreport, e.g. `./test.sh bench -quick`). The long suites:
# RSCGO_CHAOS_LONG=1 with the tests of internal/chaos and examples/tracker/demo.
set -euo pipefail
cd "$(dirname "$0")"

# fuzz_one PKG TARGET TIME runs one fuzz target. Go 1.26's fuzz coordinator
# can report its own -fuzztime deadline as a failure ("context deadline
# exceeded", a known bug of the Go toolchain, fixed in Go 1.27); that case
# wrote no failing input and is not a finding, so it is reported and let
# through.
fuzz_one() {
  local dir before after out
  dir="$(go list -f '{{.Dir}}' "$1")/testdata/fuzz/$2"
  before=$( (find "$dir" -type f 2>/dev/null || true) | wc -l)
  if out=$(go test -run='^$' -fuzz="^$2\$" -fuzztime="$3" -fuzzminimizetime=1s "$1" 2>&1); then
    echo "$out" | tail -n 2
    return 0
  fi
  echo "$out"
  after=$( (find "$dir" -type f 2>/dev/null || true) | wc -l)
  if [ "$after" = "$before" ] && grep -q "context deadline exceeded" <<<"$out" && ! grep -q "Failing input written" <<<"$out"; then
    echo "  (the Go fuzz coordinator reported its own deadline; no failing input was written)"
    return 0
  fi
  return 1
}

if [ "${1:-}" = "fuzz" ]; then
  t="${FUZZTIME:-5s}"
  # Only packages whose tests declare a fuzz target are built to list them.
  for pkg in $(go list -f '{{.ImportPath}} {{.Dir}}' ./... | while read -r p d; do
    if grep -qs '^func Fuzz' "$d"/*_test.go; then echo "$p"; fi
  done); do
    for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
      echo "fuzz $pkg $f ($t)"
      fuzz_one "$pkg" "$f" "$t"
    done
  done
  exit 0
fi

if [ "${1:-}" = "fleet-long" ]; then
  # The long fleet proof (README.md, "Many customers, many machines"): 1,000 customers.
  RSCGO_FLEET_LONG=1 exec go -C fleet test -race -count=1 -timeout 90m -run '^TestFleetProof$' -v ./internal/fleetproof
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
if [ -f otel/go.mod ]; then
  go -C otel vet ./...
  go -C otel test -race -count=1 ./...
fi
if [ -f fleet/go.mod ]; then
  go -C fleet vet ./...
  go -C fleet test -race -count=1 ./...
fi
if [ -f console/browsertest/go.mod ]; then
  go -C console/browsertest vet ./...
  go -C console/browsertest test -race -count=1 ./...
fi
