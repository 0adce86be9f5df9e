#!/usr/bin/env bash
# Install, build (Debug: ASan + UBSan) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh Debug
cd build
ctest --output-on-failure -j 2 "$@"
# FUZZ_SECONDS=N deploy/test.sh: also build the libFuzzer targets with clang
# and fuzz each for N seconds from the committed corpus (CI uses 20-30).
if [ -n "${FUZZ_SECONDS:-}" ]; then
  bash ../tests/fuzz/run.sh "$FUZZ_SECONDS"
fi
