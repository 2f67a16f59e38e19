#!/usr/bin/env bash
# make test: install what the tests need, start the servers on loopback in a
# temporary directory, run vet and the race-enabled suite, clean up.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${CI:-}" ]; then export FERRY_REQUIRE_INTEGRATION=1; fi

scripts/deps.sh

work=$(mktemp -d /tmp/ferry-test.XXXXXX)
mkdir -p "$work/sql" "$work/ldap"
cleanup() {
  scripts/services.sh stop "$work/sql" || true
  scripts/services-ldap.sh stop "$work/ldap" || true
  rm -rf "$work"
}
trap cleanup EXIT
# Each services script prints `export NAME=value` lines for what it started.
eval "$(scripts/services.sh start "$work/sql")"
eval "$(scripts/services-ldap.sh start "$work/ldap")"

echo "== gofmt" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './test/clients/node/*'))
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted" >&2; exit 1; fi
echo "== go vet" >&2
go vet ./...
echo "== go test -race" >&2
go test -race -timeout 15m ./...
# The race detector changes allocation counts: the test that compares them
# skips under -race and runs here, without it.
echo "== go test (the tests the race detector skips)" >&2
go test -count=1 -run 'TestMatchAndMismatchDoTheSameWork' ./internal/passhash/
