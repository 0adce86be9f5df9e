#!/usr/bin/env bash
# tests/bench/smoke.sh: CI smoke test of planboard-bench against a test
# server: seed a little, run every operation for a moment, and fail on any
# answer that is not OK. Checks correctness, not speed. Also checks that
# the tool itself fails when answers are errors.
. "$(dirname "$0")/../integration/lib.sh"
BENCH="$BIN_DIR/planboard-bench"
start_server
export PLANBOARD_PASSWORD="$ADMIN_PW" PLANBOARD_USER=admin

run() { OUT="$("$BENCH" "$@" 2>"$T/stderr")"; RC=$?; ERR="$(cat "$T/stderr")"; }

# Seeding, then a mixed load with pipelining: every answer OK.
run --seed-actions 120 --seed-updates 200 -c 8 -P 4 -d 1 -w 0.2 -o read=90,write=10,action-list=5,ping=5
check "mixed load has no errors (rc=$RC)" test "$RC" -eq 0
expect_out "RESULT: every answer checked and OK"
expect_out "req/s"

# Measurements: 3 metrics x 4 localities x 14 months through the protocol,
# then the comparison of one locality over the last 12 months. The first
# seeding above stored bench_metric for 10 localities x 24 months with the
# same figures, so its 56 here exist already; seeding again stores nothing.
run --seed-metrics 3 --seed-localities 4 --seed-months 14 -c 2 -n 100 -o metric-compare
check "metric seeding and compare ok (rc=$RC)" test "$RC" -eq 0
expect_err "seeded metrics: 3 new"
expect_err "seeded measurements: 112 new, 56 existed,"
expect_out "RESULT: every answer checked and OK"
check "bench_m003 has 56 figures" test "$(sqlite3 "$DB" \
  "SELECT count(*) FROM measurement m JOIN metric k ON k.id = m.metric_id WHERE k.code = 'bench_m003'")" = 56
run --seed-metrics 3 --seed-localities 4 --seed-months 14 -c 1 -n 1 -o ping
expect_err "seeded measurements: 0 new, 168 existed"
run --seed-metrics 100 --seed-localities 999 --seed-months 1200 -n 1
check "too many measurements is a usage error (rc=$RC)" test "$RC" -eq 1
expect_err "over 100,000,000"

# The report op: the server computes a whole plan report per request.
run --actions 120 -c 2 -n 20 -o report --report-plan bench --report-as-of 2027-01-01
check "report op ok (rc=$RC)" test "$RC" -eq 0
expect_out "RESULT: every answer checked and OK"
run --actions 120 -c 1 -n 5 -o report --report-plan no-such-plan
check "report of a missing plan fails with 9 (rc=$RC)" test "$RC" -eq 9
expect_out "ERRORS report"
expect_out "NOT_FOUND"

# A count of requests, JSON report with the fields scripts read.
run --actions 120 -c 4 -n 400 -o action-update --json
check "json run ok" test "$RC" -eq 0
expect_json "j['scenarios'][0]['requests']" 400
expect_json "j['scenarios'][0]['errors']" 0
expect_json "sorted(j['scenarios'][0].keys())[:3]" "['connections', 'error_detail', 'errors']"

# The sqlite probe and ratios print.
run --actions 120 -c 2 -d 0.3 -w 0 -o action-update --probe-sqlite 0.3
check "probe ok" test "$RC" -eq 0
expect_out "probe-sqlite"
expect_out "durable action-update / sqlite 1-row commits"

# Idle connections and RSS from /proc.
run --idle 50 --server-pid "$SERVER_PID"
check "idle ok" test "$RC" -eq 0
expect_out "idle connections: 50 open and logged in"
expect_out "KiB per connection"

# Errors are detected: actions that do not exist answer NOT_FOUND.
run --actions 5000 -c 2 -n 200 -o action-show
check "missing actions make the run fail with 9 (rc=$RC)" test "$RC" -eq 9
expect_out "ERRORS action-show"
expect_out "NOT_FOUND"

# A wrong password: set-up failure, exit 2.
OUT="$(PLANBOARD_PASSWORD=wrong "$BENCH" -n 1 2>&1)"; RC=$?
check "bad password exits 2 (rc=$RC)" test "$RC" -eq 2
expect_out "UNAUTHENTICATED"

# Usage errors exit 1.
run -o no-such-op -n 1
check "unknown op exits 1" test "$RC" -eq 1
expect_err "unknown operation 'no-such-op'"
run --help
check "help exits 0" test "$RC" -eq 0
expect_out "usage: planboard-bench"

# Backpressure: a small output limit and deep pipelines of large answers
# (the server stops reading until the client drains): still every answer.
stop_server
start_server --max-output 65536
run --actions 120 -c 2 -P 500 -n 3000 -o action-list
check "backpressure run ok (rc=$RC)" test "$RC" -eq 0
expect_out "RESULT: every answer checked and OK"

check "server still alive" server_alive
finish
