#!/usr/bin/env bash
# The measuring scripts beside run.sh work: update_ratio.sh runs a round
# against the build under test and prints its figures, refuses a bad
# round count, and fsync_cost.py prints a cost for each size. Figures are
# not checked (speed belongs to the benchmarks), only that they are there.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
: "${PLANBOARD_BIN_DIR:?set PLANBOARD_BIN_DIR to the build folder}"
fails=0
check() { local what="$1"; shift; if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi; }
T="$(mktemp -d /tmp/planboard-scripts.XXXXXX)"
trap 'rm -rf "$T"' EXIT

BENCH_BUILD_DIR="$PLANBOARD_BIN_DIR" BENCH_DURATION=1 RATIO_CONNS=5 \
  bash "$HERE/update_ratio.sh" 1 >"$T/ratio.out" 2>&1
rc=$?
check "update_ratio.sh exits 0 ($(tail -1 "$T/ratio.out"))" test "$rc" -eq 0
check "a round with its figures" grep -Eq '^round 1: probe +[0-9]+ commits/s, action-update c=5 +[0-9]+/s \(p99 [0-9.]+ ms\): [0-9.]+x (MET|MISSED)$' "$T/ratio.out"
check "the summary" grep -Eq '^5x met in [01] of 1 rounds$' "$T/ratio.out"
bash "$HERE/update_ratio.sh" 0 >"$T/bad.out" 2>&1
rc=$?
check "a bad round count is refused with exit 2" test "$rc" -eq 2
check "and says how to call it" grep -q "usage:" "$T/bad.out"
bash "$HERE/update_ratio.sh" --help >"$T/help.out" 2>&1
check "--help exits 0 and describes it" grep -q "BENCH_DURATION" "$T/help.out"

# A few syncs per size only: CI's disk is shared with the other tests.
FSYNC_COST_REPS=10 python3 "$HERE/fsync_cost.py" "$T" >"$T/fsync.out" 2>&1
rc=$?
check "fsync_cost.py exits 0" test "$rc" -eq 0
check "fsync_cost.py: a cost for each of 9 sizes" test "$(grep -Ec '^ +[0-9]+ KB: fdatasync p50 +[0-9]+ us  p90 +[0-9]+ us$' "$T/fsync.out")" -eq 9
check "fsync_cost.py leaves no file behind" test ! -e "$T/fsync_cost.tmp"

[ "$fails" -eq 0 ] && echo "all passed" || echo "$fails failed"
exit $((fails != 0))
