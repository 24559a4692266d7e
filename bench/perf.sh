#!/usr/bin/env bash
# One measured run against a fresh Ebbtide server: starts the server on a new
# data directory (127.0.0.1 only), runs bench/load with the given flags,
# optionally takes a CPU profile of the server mid-run, stops the server and
# removes its data.
#
#   bench/perf.sh NAME [load flags...]
#
# Environment:
#   BIN      server binary (default /tmp/ebbtide-perf; built from ./cmd/ebbtide when missing)
#   LOAD     load tool binary (default /tmp/ebbtide-load; built from ./bench/load when missing)
#   OUT      directory for NAME.txt (the tool's output) and NAME.json (its report) (default /tmp/ebbtide-perf-out)
#   PORT     server port (default 8200); PPROF_PORT (default 6060)
#   PROFILE  seconds of server CPU profile to take once the measured run has started (default 0: none);
#            written to OUT/NAME.cpu.prof, with `go tool pprof -top` in OUT/NAME.pprof.txt
#   DATA     parent of the data directory (default /tmp)
#
# Example: the default mix with 32 clients of the raw client for 20 s:
#   bench/perf.sh mix-raw-32 --clients 32 --duration 20s
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:?usage: bench/perf.sh NAME [load flags...]}
shift
BIN=${BIN:-/tmp/ebbtide-perf}
LOAD=${LOAD:-/tmp/ebbtide-load}
OUT=${OUT:-/tmp/ebbtide-perf-out}
PORT=${PORT:-8200}
PPROF_PORT=${PPROF_PORT:-6060}
PROFILE=${PROFILE:-0}
DATA=${DATA:-/tmp}

[ -x "$BIN" ] || go build -o "$BIN" ./cmd/ebbtide
[ -x "$LOAD" ] || go build -o "$LOAD" ./bench/load
mkdir -p "$OUT"
datadir=$(mktemp -d "$DATA/ebbtide-perf-data.XXXXXX")

"$BIN" serve --addr "127.0.0.1:$PORT" --data-dir "$datadir" --log-level warn \
  --pprof-addr "127.0.0.1:$PPROF_PORT" >"$OUT/$name.server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$datadir"
}
trap cleanup EXIT

for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

{ echo "# $name: $(date -u +%FT%TZ) uptime: $(uptime)"; echo "# load flags: $*"; } >"$OUT/$name.txt"
"$LOAD" --endpoint "http://127.0.0.1:$PORT" --server-pid "$server" --json "$OUT/$name.json" "$@" >>"$OUT/$name.txt" 2>&1 &
load=$!

if [ "$PROFILE" != 0 ]; then
  # Wait for the measured phase (the first progress line), then profile.
  while kill -0 "$load" 2>/dev/null && ! grep -q 'ops/s=' "$OUT/$name.txt"; do sleep 0.2; done
  sleep 2
  curl -s -o "$OUT/$name.cpu.prof" "http://127.0.0.1:$PPROF_PORT/debug/pprof/profile?seconds=$PROFILE"
fi
wait "$load"
echo "# data dir: $(du -sh "$datadir" | cut -f1) ($(find "$datadir" -name '*.sst' | wc -l) sstables)" >>"$OUT/$name.txt"
if [ "$PROFILE" != 0 ]; then
  go tool pprof -top -nodecount=60 "$BIN" "$OUT/$name.cpu.prof" >"$OUT/$name.pprof.txt" 2>&1 || true
fi
echo "# after: $(uptime)" >>"$OUT/$name.txt"
grep -E '^ALL|peak RSS|CPU|ops/s [0-9]' "$OUT/$name.txt" | sed "s/^/$name: /"
