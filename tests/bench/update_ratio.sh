#!/usr/bin/env bash
# tests/bench/update_ratio.sh [ROUNDS]: how steady the group-commit target
# is on this machine. Each round starts a fresh server on a fresh database
# (1,000 actions, 5,000 updates), runs the one-row-per-commit SQLite probe
# (2 s), then durable action updates at 50 connections (BENCH_DURATION s,
# default 4) and prints both and their ratio; at the end, in how many
# rounds the ratio reached 5x. The full suite (run.sh) measures each
# target once; the disk's fsync rate and the two shared cores move from
# minute to minute, and this shows how often one run would meet it.
#
# Environment: BENCH_BUILD_DIR (default build-bench, built if missing),
# BENCH_DURATION, RATIO_CONNS (one number, default 50).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BENCH_BUILD_DIR:-$ROOT/build-bench}"
DUR="${BENCH_DURATION:-4}"
CONNS="${RATIO_CONNS:-50}"
ROUNDS="${1:-5}"
case "$ROUNDS" in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
case "$ROUNDS" in ''|*[!0-9]*|0) echo "usage: $0 [ROUNDS (a positive number)]" >&2; exit 2 ;; esac
T="$(mktemp -d /tmp/planboard-ratio.XXXXXX)"
PW="Bench-Secret-2017"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

if [ ! -x "$BUILD/planboard-bench" ] || [ ! -x "$BUILD/planboardd" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPLANBOARD_SANITIZE=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target planboardd planboard-bench >/dev/null
fi
BENCH="$BUILD/planboard-bench"
json() { python3 -c 'import json,sys; j=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# bench ARGS...: planboard-bench, its report to $T/bench.log (shown if it fails).
bench() { "$BENCH" "$@" 2>>"$T/bench.log" || { tail -20 "$T/bench.log" >&2; exit 1; }; }

met=0
for r in $(seq 1 "$ROUNDS"); do
  rm -f "$T"/db* "$T/port"
  PLANBOARD_ADMIN_PASSWORD="$PW" "$BUILD/planboardd" --db "$T/db" --init-admin admin 2>>"$T/server.log"
  "$BUILD/planboardd" --db "$T/db" --listen 127.0.0.1:0 --port-file "$T/port" 2>>"$T/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
  [ -s "$T/port" ] || { echo "planboardd did not start:" >&2; tail -5 "$T/server.log" >&2; exit 1; }
  export PLANBOARD_HOST=127.0.0.1 PLANBOARD_PORT="$(cat "$T/port")" PLANBOARD_USER=admin PLANBOARD_PASSWORD="$PW"
  bench --seed-actions 1000 --seed-updates 5000 -n 1 -c 1 >/dev/null
  probe="$(bench --probe-sqlite 2 -n 1 -c 1 -o ping --json | json 'round(j.get("probe_sqlite_commits_per_s") or 0)')"
  [ "$probe" -gt 0 ] || { echo "the SQLite probe measured nothing:" >&2; tail -5 "$T/bench.log" >&2; exit 1; }
  out="$(bench --actions 1000 -c "$CONNS" -d "$DUR" -o action-update --json)"
  rate="$(json 'round(j["scenarios"][0]["requests_per_s"])' <<<"$out")"
  p99="$(json 'j["scenarios"][0]["p99_ms"]' <<<"$out")"
  ratio="$(python3 -c "print('%.2f' % ($rate / $probe))")"
  ok="$(python3 -c "print('MET' if $rate >= 5 * $probe else 'MISSED')")"
  [ "$ok" = MET ] && met=$((met + 1))
  printf 'round %d: probe %6d commits/s, action-update c=%s %6d/s (p99 %.2f ms): %sx %s\n' \
    "$r" "$probe" "$CONNS" "$rate" "$p99" "$ratio" "$ok"
  kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
done
echo "5x met in $met of $ROUNDS rounds"
