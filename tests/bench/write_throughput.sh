#!/usr/bin/env bash
# Concurrent write throughput with and without group commit.
#
#   PLANBOARD_BIN_DIR=build-rel tests/bench/write_throughput.sh [CLIENTS] [WRITES] [SINGLES]
#
# For each mode (group commit, --no-group-commit) on a fresh database:
#  - pipelined: CLIENTS `planboard batch` processes at once, each sending
#    WRITES action updates (not atomic: each line commits like any write);
#  - one by one: CLIENTS shell loops at once, each running SINGLES
#    `planboard action update` commands (a process and connection each).
# Prints writes per second and requests per commit (from admin stats).
# Not a ctest test: numbers depend on the machine.
set -uo pipefail
CLIENTS="${1:-8}" WRITES="${2:-500}" SINGLES="${3:-40}"
. "$(dirname "$0")/../integration/lib.sh"

setup() {
  login admin "$ADMIN_PW" >/dev/null
  as admin plan add p1 "Bench plan"; as admin theme add --plan p1 t1 "Bench"
  for c in $(seq 1 "$CLIENTS"); do as admin action add --plan p1 --theme t1 "B-$c" "Bench action $c"; done
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

report() {  # LABEL WRITES MS
  as admin --json admin stats
  local rpc; rpc="$(json_get 'round(j["requests_per_commit"], 2)')"
  printf '%-16s %-11s %6d writes %7d ms %8.0f writes/s  %s requests/commit (cumulative)\n' \
    "$MODE" "$1" "$2" "$3" "$(echo "$2 * 1000 / $3" | bc -l)" "$rpc"
}

pipelined() {
  for c in $(seq 1 "$CLIENTS"); do
    : >"$T/b$c.txt"
    for i in $(seq 1 "$WRITES"); do
      echo "action update B-$c --plan p1 --if-version $((i + OFFSET)) --note \"w$i\"" >>"$T/b$c.txt"
    done
  done
  local t0 t1 pids=()
  t0=$(now_ms)
  for c in $(seq 1 "$CLIENTS"); do
    XDG_CONFIG_HOME="$T/cfg-admin" "$PLANBOARD" --timeout 120000 batch "$T/b$c.txt" >"$T/b$c.out" 2>&1 & pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(now_ms)
  grep -L "0 failed" "$T"/b*.out | grep -q . && { echo "a batch failed" >&2; cat "$T"/b1.out | tail -3 >&2; }
  report pipelined $((CLIENTS * WRITES)) $((t1 - t0))
}

singles() {
  local t0 t1 pids=()
  t0=$(now_ms)
  for c in $(seq 1 "$CLIENTS"); do
    ( for i in $(seq 1 "$SINGLES"); do
        XDG_CONFIG_HOME="$T/cfg-admin" "$PLANBOARD" action update "B-$c" --plan p1 --force --note "s$i" >/dev/null || echo fail
      done ) >"$T/s$c.out" 2>&1 & pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(now_ms)
  grep -q fail "$T"/s*.out && echo "a single update failed" >&2
  report "one-by-one" $((CLIENTS * SINGLES)) $((t1 - t0))
}

for MODE in group-commit no-group-commit; do
  rm -f "$DB" "$DB-wal" "$DB-shm"
  opts=()
  [ "$MODE" = no-group-commit ] && opts=(--no-group-commit)
  start_server "${opts[@]}"
  setup
  OFFSET=0 pipelined
  OFFSET=$WRITES singles
  stop_server
done
