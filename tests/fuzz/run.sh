#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS] [TARGET...]: build the libFuzzer targets with
# clang (build-fuzz/, ASan + UBSan + coverage) and fuzz each for SECONDS
# (default 30), starting from the committed corpus. New interesting inputs
# go to build-fuzz/corpus-TARGET (not committed); a crash leaves
# build-fuzz/crash-* and fails the script. Prints runs and time per target.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-30}"; shift || true
TARGETS=("${@:-fuzz_frame}" )
[ $# -gt 0 ] || TARGETS=(fuzz_frame fuzz_request)
[ $# -gt 0 ] || [ ! -e server/csv_import.c ] || TARGETS+=(fuzz_csv)
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DPLANBOARD_FUZZ=ON >/dev/null
cmake --build build-fuzz -j2 --target "${TARGETS[@]}" >/dev/null
export UBSAN_OPTIONS="suppressions=$PWD/tests/fuzz/ubsan.supp:print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1"
status=0
for t in "${TARGETS[@]}"; do
  work="build-fuzz/corpus-$t"
  mkdir -p "$work"
  log="build-fuzz/$t.log"
  if ! (cd build-fuzz && "./tests/fuzz/$t" -max_total_time="$SECS" -max_len=65536 -timeout=10 \
          -artifact_prefix="$PWD/" "$PWD/corpus-$t" "../tests/fuzz/corpus/$t") >"$log" 2>&1; then
    echo "$t: FAILED (see $log)"; tail -30 "$log"; status=1; continue
  fi
  runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1)
  echo "$t: ${runs:-?} ($(ls "$work" | wc -l) new corpus inputs)"
done
exit $status
