#!/usr/bin/env bash
# Install what planboard needs on Debian and build it.
#   deploy/setup.sh [Debug|Release]   (default Debug: ASan + UBSan)
# BUILD_DIR overrides the build folder (default build, or build-release).
set -euo pipefail
cd "$(dirname "$0")/.."
type="${1:-Debug}"
dir="${BUILD_DIR:-build}"
[ "$type" = Release ] && dir="${BUILD_DIR:-build-release}"

packages="build-essential cmake pkg-config protobuf-c-compiler libprotobuf-c-dev
  libevent-dev libsqlite3-dev sqlite3 libcmocka-dev libsodium-dev libjansson-dev
  libcsv-dev libssl-dev openssl clang python3"
missing=""
for p in $packages; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq $missing >/dev/null
fi

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" >/dev/null
cmake --build "$dir" -j "$(nproc)"
echo "setup: built $type in $dir"
