#!/usr/bin/env bash
# Install, build (Debug: ASan + UBSan) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/setup.sh Debug
cd build
ctest --output-on-failure -j 2 "$@"
