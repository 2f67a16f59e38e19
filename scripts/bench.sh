#!/bin/sh
# bench.sh runs Ferry's benchmarks once each, in one process per package so
# that the ratios docs/BENCHMARKS.md quotes come from one run: the trigger
# against raw hash verification and the cold start (bench/), the local
# pool's store, SRP and token issuing, the guard, the Lambda Invoke API and
# the hash calibration. Go's benchmark lines go to stdout.
#
#   scripts/bench.sh                 # every benchmark, BENCHTIME=200x
#   BENCHTIME=2s scripts/bench.sh    # longer runs
#   BENCH=Trigger scripts/bench.sh   # only the benchmarks matching a pattern
#
# The comparison with the peer emulator needs Node and is its own script:
# bench/peer/run.sh (docs/BENCHMARKS.md).
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
BENCHTIME=${BENCHTIME:-200x}
BENCH=${BENCH:-.}
for pkg in ./bench/ ./internal/srp/ ./internal/tokens/ ./internal/guard/ ./internal/lambdainvoke/ \
	./internal/migration/ ./internal/passhash/; do
	$GO test -run '^$' -bench "$BENCH" -benchtime "$BENCHTIME" -benchmem "$pkg"
done
