#!/usr/bin/env bash
# A real S3-compatible server for tests and local experiments: versitygw
# (Apache-2.0) with its posix backend, built from the Go module proxy into
# .tools/ and bound to 127.0.0.1 only.
#
#   scripts/s3server.sh install          build .tools/versitygw (once; about 1-2 min cold)
#   scripts/s3server.sh start PORT DIR   start in the background, wait until it answers,
#                                        print the endpoint (http://127.0.0.1:PORT)
#   scripts/s3server.sh stop DIR         stop the server started on DIR
#   scripts/s3server.sh run PORT DIR     run in the foreground
#
# DIR holds the buckets (one sub-directory each); create them with an S3
# client, e.g. aws --endpoint-url http://127.0.0.1:PORT s3 mb s3://bucket.
# Credentials: S3_ACCESS_KEY / S3_SECRET_KEY (default ebbtide / ebbtide-secret),
# region us-east-1. TOOLS overrides the tools directory (default <repo>/.tools).
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
REPO="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${TOOLS:-$REPO/.tools}"
BIN="$TOOLS/versitygw"
ACCESS_KEY="${S3_ACCESS_KEY:-ebbtide}"
SECRET_KEY="${S3_SECRET_KEY:-ebbtide-secret}"

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# installed: the binary exists and was built from the pinned version.
installed() {
  [ -x "$BIN" ] && go version -m "$BIN" 2>/dev/null |
    grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/versity/versitygw[[:space:]]+$VERSITYGW_VERSION([[:space:]]|\$)"
}

install() {
  if installed; then
    echo "versitygw $VERSITYGW_VERSION already installed: $BIN" >&2
    return
  fi
  echo "building versitygw $VERSITYGW_VERSION into $TOOLS ..." >&2
  mkdir -p "$TOOLS"
  local start=$SECONDS
  # Outside the repository's module: versitygw's dependencies must not mix
  # with the server's.
  (cd / && GOBIN="$TOOLS" GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION")
  installed || { echo "s3server.sh: built $BIN but it is not versitygw $VERSITYGW_VERSION" >&2; exit 1; }
  echo "built $BIN in $((SECONDS - start)) s" >&2
}

check_args() {
  [ $# -eq 2 ] || usage
  [[ "$1" =~ ^[0-9]+$ ]] || { echo "s3server.sh: port must be a number, got '$1'" >&2; exit 2; }
  mkdir -p "$2"
}

run() {
  check_args "$@"
  install
  echo "endpoint http://127.0.0.1:$1 (access key $ACCESS_KEY, secret $SECRET_KEY, dir $2)" >&2
  ROOT_ACCESS_KEY="$ACCESS_KEY" ROOT_SECRET_KEY="$SECRET_KEY" \
    exec "$BIN" --port "127.0.0.1:$1" --quiet posix "$2"
}

start() {
  check_args "$@"
  install
  local port=$1 dir pidfile log
  dir="$(cd "$2" && pwd)"
  pidfile="$dir.versitygw.pid"
  log="$dir.versitygw.log"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "s3server.sh: already running on $dir (pid $(cat "$pidfile"))" >&2
    exit 1
  fi
  ROOT_ACCESS_KEY="$ACCESS_KEY" ROOT_SECRET_KEY="$SECRET_KEY" \
    nohup "$BIN" --port "127.0.0.1:$port" --quiet posix "$dir" >"$log" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidfile"
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "versitygw pid $pid on $dir (log $log), access key $ACCESS_KEY, secret $SECRET_KEY" >&2
      echo "http://127.0.0.1:$port"
      return
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "s3server.sh: versitygw exited; its log ($log):" >&2
      cat "$log" >&2
      rm -f "$pidfile"
      exit 1
    fi
    sleep 0.1
  done
  echo "s3server.sh: versitygw did not answer on 127.0.0.1:$port within 10 s; log: $log" >&2
  kill "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  exit 1
}

stop() {
  [ $# -eq 1 ] || usage
  local dir pidfile
  dir="$(cd "$1" && pwd)"
  pidfile="$dir.versitygw.pid"
  [ -f "$pidfile" ] || { echo "s3server.sh: no server recorded for $dir" >&2; exit 1; }
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  install) [ $# -eq 0 ] || usage; install ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  run) run "$@" ;;
  *) usage ;;
esac
