#!/usr/bin/env bash
# tests/bench/run.sh: regenerate the figures of BENCHMARKS.md.
#
# Builds a Release server, client and planboard-bench in their own folder
# (no sanitizers), starts its own planboardd on a temporary database,
# seeds it through the protocol, and runs the suite (ping, action-show,
# action-list, action-update, read=90,write=10, metric ops if the server
# has them) at 1, 50 and 500 connections with the in-process SQLite probe,
# 10,000 idle connections for RSS, and the CLI's own time. Both databases
# hold the demo data (deploy/demo: plan north-2017) besides the bench's own.
# With BENCH_LARGE=1 it also seeds the large database (100k actions, 1M
# progress updates, 1M measurements: 84 metrics x 100 localities x 120
# months) and compares single-request latencies and the demo plan's report
# with the small one (BENCHMARKS.md, "Cost that does not grow with history").
#
# Environment: BENCH_DURATION (seconds per scenario, default 5),
# BENCH_CONNS (default "1 50 500"), BENCH_IDLE (default 10000; 0 skips),
# BENCH_LARGE (0/1), BENCH_BUILD_DIR, BENCH_OUT (folder for JSON results).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${BENCH_BUILD_DIR:-$ROOT/build-bench}"
DUR="${BENCH_DURATION:-5}"
CONNS="${BENCH_CONNS:-1 50 500}"
IDLE="${BENCH_IDLE:-10000}"
LARGE="${BENCH_LARGE:-0}"
T="$(mktemp -d /tmp/planboard-bench.XXXXXX)"
OUTDIR="${BENCH_OUT:-$T/results}"
mkdir -p "$OUTDIR"
PW="Bench-Secret-2017"
SERVER_PID=""

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$T/db" "$T"/*.db* "$T/cfg" "$T"/cfg-*
}
trap cleanup EXIT

echo "== build (Release) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPLANBOARD_SANITIZE=OFF >/dev/null
cmake --build "$BUILD" -j2 --target planboardd planboard planboard-bench >/dev/null
BENCH="$BUILD/planboard-bench"

# 10,000 connections need descriptors: raise the limit for this script and
# the server it starts (the server's own defaults are not changed).
ulimit -n "$(ulimit -Hn)"

# start_server DB: a fresh server on 127.0.0.1:0.
start_server() {
  local db="$1"
  [ -s "$db" ] || PLANBOARD_ADMIN_PASSWORD="$PW" "$BUILD/planboardd" --db "$db" --init-admin admin 2>>"$T/server.log"
  rm -f "$T/port"
  "$BUILD/planboardd" --db "$db" --listen 127.0.0.1:0 --port-file "$T/port" \
    --max-connections $((IDLE + 1000)) 2>>"$T/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
  export PLANBOARD_HOST=127.0.0.1 PLANBOARD_PORT="$(cat "$T/port")" PLANBOARD_USER=admin PLANBOARD_PASSWORD="$PW"
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""; }

echo "== machine"
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "kernel $(uname -r), sqlite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?'), disk of $T: $(df -P "$T" | awk 'NR==2{print $1}')"
echo "load before: $(uptime)"

start_server "$T/small.db"
# The demo data (plan north-2017 and its figures): the report measured below.
load_demo() {
  PLANBOARD_ADMIN_PASSWORD="$PW" bash "$ROOT/deploy/demo-load.sh" "$BUILD/planboard" >/dev/null
}
echo "== load the demo data (deploy/demo-load.sh)"
load_demo
# The same 100 localities in both databases: a comparison pools every
# locality's figures of each month, so its cost follows the county's size,
# which history does not change; history is months, metrics, versions.
SMALL_SHAPE=(--seed-localities 100 --seed-months 24)
echo "== seed the demo-size database (1,000 actions, 5,000 updates, 1 metric x 100 localities x 24 months)"
"$BENCH" --seed-actions 1000 --seed-updates 5000 "${SMALL_SHAPE[@]}" -n 1 -c 1 >/dev/null
# Every measurement below starts from this seeded database: each suite's
# updates lengthen the histories that action show returns (hundreds of
# versions per action after a few suites), which would make later
# measurements depend on the order they ran in.
stop_server
cp "$T/small.db" "$T/seeded.db"
fresh_small() {
  [ -z "$SERVER_PID" ] || stop_server
  rm -f "$T/small.db" "$T/small.db-wal" "$T/small.db-shm"
  cp "$T/seeded.db" "$T/small.db"
  start_server "$T/small.db"
}

for c in $CONNS; do
  fresh_small
  echo "== suite at $c connections ($DUR s each) -- load: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$BENCH" --actions 1000 "${SMALL_SHAPE[@]}" --suite -c "$c" -d "$DUR" --probe-sqlite 2 --json >"$OUTDIR/suite-c$c.json" || echo "(exit $?)"
done

fresh_small
echo "== pipelined ping (50 connections x 16 in flight)"
"$BENCH" --actions 1000 -o ping -c 50 -P 16 -d "$DUR" || echo "(exit $?)"

if [ "$IDLE" -gt 0 ]; then
  echo "== $IDLE idle authenticated connections (fresh server, so earlier load does not hide the growth)"
  fresh_small
  "$BENCH" --idle "$IDLE" --server-pid "$SERVER_PID" --json >"$OUTDIR/idle.json" || echo "(exit $?)"
fi

fresh_small
echo "== CLI: planboard action show (process start to exit, 200 runs)"
export XDG_CONFIG_HOME="$T/cfg"
mkdir -p "$XDG_CONFIG_HOME"
"$BUILD/planboard" login </dev/null >/dev/null
for i in $(seq 1 200); do
  s=$(date +%s%N); "$BUILD/planboard" action show a000001 --plan bench >/dev/null; e=$(date +%s%N)
  echo $(( (e - s) / 1000 ))
done | sort -n | awk '{a[NR]=$1} END {printf "median %.2f ms, p90 %.2f ms, min %.2f ms over %d runs\n", a[int(NR/2)+1]/1000, a[int(NR*0.9)]/1000, a[1]/1000, NR}'
unset XDG_CONFIG_HOME

# single_requests NAME ACTIONS SHAPE...: action show, a one-theme list,
# metric compare (one locality, 12 months) and the demo plan's report
# (Markdown, computed by the server) at one connection, as JSON.
single_requests() {
  local name="$1" actions="$2"; shift 2
  for op in action-show action-list metric-compare report; do
    "$BENCH" --actions "$actions" "$@" -c 1 -d "$DUR" -o "$op" --json >"$OUTDIR/$name-$op.json" || true
  done
}
# report_times NAME: the demo plan's report through the real CLI (process
# start to exit), median of 15 runs per format, and as recorded.
report_times() {
  local name="$1" cfg="$T/cfg-$1"
  mkdir -p "$cfg"
  XDG_CONFIG_HOME="$cfg" "$BUILD/planboard" login </dev/null >/dev/null
  local args=(report --plan north-2017 --as-of 2017-09-30)
  for v in md html json "md --as-recorded 2017-10-31"; do
    # shellcheck disable=SC2086
    XDG_CONFIG_HOME="$cfg" "$BUILD/planboard" "${args[@]}" --format $v >"$OUTDIR/$name-report.out"
    for _ in $(seq 1 15); do
      s=$(date +%s%N)
      # shellcheck disable=SC2086
      XDG_CONFIG_HOME="$cfg" "$BUILD/planboard" "${args[@]}" --format $v >/dev/null
      e=$(date +%s%N); echo $(( (e - s) / 1000 ))
    done | sort -n | awk -v v="$v" -v b="$(wc -c <"$OUTDIR/$name-report.out")" \
      '{a[NR]=$1} END {printf "%s\t%.3f\t%.3f\t%d\n", v, a[int(NR/2)+1]/1000, a[1]/1000, b}'
  done >"$OUTDIR/$name-report.tsv"
  awk -F'\t' '{printf "report %-26s median %7.2f ms, min %7.2f ms, %d bytes\n", $1, $2, $3, $4}' "$OUTDIR/$name-report.tsv"
}
fresh_small
echo "== single-request latency on the demo database (1 connection)"
single_requests small 1000 "${SMALL_SHAPE[@]}"
report_times small
stop_server

if [ "$LARGE" = 1 ]; then
  start_server "$T/large.db"
  LARGE_SHAPE=(--seed-localities 100 --seed-months 120)
  echo "== load the demo data, then seed the large database (100,000 actions, 1,000,000 progress updates,"
  echo "   1,008,000 measurements: 84 metrics x 100 localities x 120 months, 2008-01 to 2017-12)"
  load_demo
  s=$(date +%s)
  "$BENCH" --seed-actions 100000 --seed-updates 1000000 --seed-metrics 84 "${LARGE_SHAPE[@]}" -n 1 -c 1 >/dev/null
  echo "seeding took $(( $(date +%s) - s )) s"
  sqlite3 "$T/large.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null 2>&1 || true
  echo "db size: $(du -h "$T/large.db" | cut -f1); rows: $(sqlite3 "$T/large.db" \
    "SELECT (SELECT count(*) FROM action) || ' actions, ' || (SELECT count(*) FROM action_version) || ' action versions, ' ||
            (SELECT count(*) FROM measurement) || ' measurements, ' || (SELECT count(*) FROM event) || ' events'" 2>/dev/null || echo '?')"
  echo "== single-request latency on the large database (1 connection)"
  single_requests large 100000 "${LARGE_SHAPE[@]}"
  # The server keeps 4,096 "action show" answers: the demo database's 1,000
  # actions all fit, 100,000 at random do not. The same 1,000 actions of the
  # large database compare like with like (cache hits in both).
  "$BENCH" --actions 1000 "${LARGE_SHAPE[@]}" -c 1 -d "$DUR" -o action-show --json >"$OUTDIR/large-action-show-1k.json" || true
  report_times large
  python3 - "$OUTDIR" <<'PY'
import json, sys
d = sys.argv[1]
for op, large in (("action-show", "action-show"), ("action-show", "action-show-1k"),
                  ("action-list", "action-list"), ("metric-compare", "metric-compare"),
                  ("report", "report")):
    s = json.load(open(f"{d}/small-{op}.json"))["scenarios"][0]
    l = json.load(open(f"{d}/large-{large}.json"))["scenarios"][0]
    what = {"action-show": "action-show (random of all actions)",
            "action-show-1k": "action-show (the same 1,000 actions)",
            "report": "report op (north-2017, md, server side)"}.get(large, op)
    print(f"{what}: demo p50 {s['p50_ms']:.3f} ms, large p50 {l['p50_ms']:.3f} ms: "
          f"{l['p50_ms']/s['p50_ms']:.2f}x (target <= 2x)")
small = {r.split("\t")[0]: r.split("\t") for r in open(f"{d}/small-report.tsv").read().splitlines()}
for r in open(f"{d}/large-report.tsv").read().splitlines():
    v, med, _, size = r.split("\t")
    sm = small[v]
    same = "same bytes" if sm[3] == size else f"{sm[3]} vs {size} bytes"
    print(f"report {v}: demo median {float(sm[1]):.2f} ms, large median {float(med):.2f} ms: "
          f"{float(med)/float(sm[1]):.2f}x (target <= 2x; {same})")
PY
  stop_server
fi
echo "load after: $(uptime)"
echo "results (JSON) in $OUTDIR"
