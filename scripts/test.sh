#!/usr/bin/env bash
# Runs Ebbtide's whole test suite on a fresh machine: installs what the tests
# need (Debian's awscli, staticcheck, versitygw as an S3 server), checks formatting and static analysis,
# runs every Go test (unit, property, model-based, crash and AWS CLI
# end-to-end), then runs each fuzz target briefly.
#
#   scripts/test.sh            everything
#   FUZZTIME=0 scripts/test.sh skip the fuzzing pass
set -euo pipefail
cd "$(dirname "$0")/.."

# A count, not a duration: duration-based -fuzztime races the fuzz coordinator's own
# deadline in go1.26 (golang/go#75804) and fails spuriously on a loaded machine.
FUZZTIME=${FUZZTIME:-100000x}
TOOLS="$PWD/.tools"
STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2

step() { printf '\n== %s\n' "$*"; }

step "tools"
if [ ! -x /usr/bin/aws ]; then
  # The end-to-end script runs against Debian's AWS CLI (and the pip CLI when present).
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null
  fi
fi
/usr/bin/aws --version
if [ ! -x "$TOOLS/staticcheck" ]; then
  GOBIN="$TOOLS" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi
# A real S3-compatible server (versitygw) for the object-store tests.
scripts/s3server.sh install

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "staticcheck"
"$TOOLS/staticcheck" ./...

step "go test"
go test -count=1 -timeout 40m ./...

if [ "$FUZZTIME" != "0" ]; then
  step "fuzz ($FUZZTIME per target)"
  for pkg in $(go list ./...); do
    dir=$(go list -f '{{.Dir}}' "$pkg")
    for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
      echo "-- $pkg $target"
      go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg"
    done
  done
fi

step "all tests passed"
