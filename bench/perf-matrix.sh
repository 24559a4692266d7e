#!/usr/bin/env bash
# The runs behind docs/performance.md: every configuration REPS times, the
# repetitions interleaved (rep 1 of everything, then rep 2, ...) so that other
# load on the machine spreads over all configurations alike; then the
# large-table run and a server CPU profile. Each run uses a fresh server and
# data directory (bench/perf.sh). Prints the Markdown tables at the end.
#
#   bench/perf-matrix.sh                # everything (~25 min on 2 cores)
#   REPS=1 DURATION=10s bench/perf-matrix.sh
#   ONLY=big bench/perf-matrix.sh       # one part: main, big or profile
#
# Environment: REPS (3), DURATION (20s), BIG_KEYS (2000000), BIG_DURATION
# (50s), plus those of
# bench/perf.sh (BIN, LOAD, OUT, PORT, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-3}
DURATION=${DURATION:-20s}
BIG_KEYS=${BIG_KEYS:-2000000}
BIG_DURATION=${BIG_DURATION:-50s}
ONLY=${ONLY:-}
export OUT=${OUT:-/tmp/ebbtide-perf-out}
export BIN=${BIN:-/tmp/ebbtide-perf} LOAD=${LOAD:-/tmp/ebbtide-load}
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/ebbtide
[ -x "$LOAD" ] || go build -o "$LOAD" ./bench/load

# name | load flags (--duration added)
configs=(
  "mix-256-raw-c8|--clients 8"
  "mix-256-sdk-c8|--client sdk --clients 8"
  "mix-256-raw-c32|--clients 32"
  "mix-256-sdk-c32|--client sdk --clients 32"
  "mix-256-raw-c64|--clients 64"
  "mix-256-sdk-c64|--client sdk --clients 64"
  "mix-4k-raw-c32|--clients 32 --item-size 4096"
  "mix-4k-sdk-c32|--client sdk --clients 32 --item-size 4096"
  "put-256-raw-c32|--clients 32 --mix put=100"
  "put-256-sdk-c32|--client sdk --clients 32 --mix put=100"
  "put-4k-raw-c32|--clients 32 --mix put=100 --item-size 4096"
  "put-4k-sdk-c32|--client sdk --clients 32 --mix put=100 --item-size 4096"
  "get-256-raw-c32|--clients 32 --mix get=100"
  "get-256-sdk-c32|--client sdk --clients 32 --mix get=100"
  "get-4k-raw-c32|--clients 32 --mix get=100 --item-size 4096"
  "get-4k-sdk-c32|--client sdk --clients 32 --mix get=100 --item-size 4096"
)

if [ -z "$ONLY" ] || [ "$ONLY" = main ]; then
  for rep in $(seq "$REPS"); do
    for cfg in "${configs[@]}"; do
      name=${cfg%%|*}
      # shellcheck disable=SC2086 # flags are meant to split
      bench/perf.sh "$name.r$rep" ${cfg#*|} --duration "$DURATION"
    done
  done
fi

if [ -z "$ONLY" ] || [ "$ONLY" = big ]; then
  # Memory bounded regardless of table size: the same run on 10k and on
  # BIG_KEYS items (preloaded with BatchWriteItem, 25 items a request) of
  # 512 B of incompressible text each (~1 GB on disk for 2 million), far more
  # than the server's caches.
  big="--clients 32 --item-size 512 --payload random --preload-batch 25 --duration $BIG_DURATION"
  # shellcheck disable=SC2086
  bench/perf.sh big-10k-raw-c32 $big --keys 10000
  # shellcheck disable=SC2086
  bench/perf.sh "big-$((BIG_KEYS / 1000))k-raw-c32" $big --keys "$BIG_KEYS"
fi

if [ -z "$ONLY" ] || [ "$ONLY" = profile ]; then
  PROFILE=15 bench/perf.sh profile-mix-256-raw-c64 --clients 64 --duration 25s
  PROFILE=15 bench/perf.sh profile-get-256-raw-c64 --clients 64 --mix get=100 --duration 25s
  PROFILE=15 bench/perf.sh profile-put-256-raw-c64 --clients 64 --mix put=100 --duration 25s
  go run ./bench/profcat "$BIN" "$OUT"/profile-{mix,get,put}-256-raw-c64.cpu.prof
fi

go run ./bench/report "$OUT"/*.json
