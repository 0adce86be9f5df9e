#!/usr/bin/env bash
# Install, build (Debug: ASan + UBSan) and run the whole test suite: the
# libFuzzer targets for a bounded time (FUZZ_SECONDS each, default 20; 0
# skips them), then every unit and integration test with ctest.
# Extra arguments go to ctest (e.g. -R metrics).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh Debug
fuzz="${FUZZ_SECONDS:-20}"
if [ "$fuzz" != 0 ]; then
  echo "== fuzzing each target for ${fuzz}s (tests/fuzz/run.sh)"
  bash tests/fuzz/run.sh "$fuzz"
fi
cd build
echo "== unit and integration tests (ctest)"
ctest --output-on-failure -j 2 "$@"
