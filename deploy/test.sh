#!/usr/bin/env bash
# Install, build (Debug: ASan + UBSan) and run the whole test suite: the
# libFuzzer targets for a bounded time (FUZZ_SECONDS each, default 20; 0
# skips them), then every unit and integration test with ctest.
# Extra arguments go to ctest (e.g. -R metrics).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh Debug
# The demo runs a Release build: -O2 inlining lets GCC see warnings
# (e.g. -Wformat-truncation) that a Debug build never shows, and -Werror
# makes them errors, so build it here too.
echo "== Release build (what deploy/demo.sh runs)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j 2 >/dev/null
fuzz="${FUZZ_SECONDS:-20}"
if [ "$fuzz" != 0 ]; then
  echo "== fuzzing each target for ${fuzz}s (tests/fuzz/run.sh)"
  bash tests/fuzz/run.sh "$fuzz"
fi
cd build
echo "== unit and integration tests (ctest)"
ctest --output-on-failure -j 2 "$@"
