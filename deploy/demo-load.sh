#!/usr/bin/env bash
# Load the demo data into a running planboardd with the real client: every
# deploy/demo/*.sh, in name order (10-plan.sh, then e.g. 20-metrics.sh ...).
#
#   PLANBOARD_ADMIN_PASSWORD=... deploy/demo-load.sh [CLIENT]
#
# CLIENT is the planboard binary (default build-release/planboard, else
# build/planboard). The server is PLANBOARD_HOST / PLANBOARD_PORT as for the
# client (default 127.0.0.1:7420); the admin user is PLANBOARD_ADMIN_USER
# (default admin).
#
# The scripts are sourced, so they share these helpers:
#   pb ARGS...             run the client as the admin (stops on failure)
#   pb_at TIME ARGS...     the same, recorded at TIME (YYYY-MM-DDTHH:MM:SSZ):
#                          history loaded with the time it happened
#   demo_user NAME ROLE PASSWORD [LOCALITY]   add a user
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
PB="${1:-}"
if [ -z "$PB" ]; then
  PB="$root/build-release/planboard"
  [ -x "$PB" ] || PB="$root/build/planboard"
fi
[ -x "$PB" ] || { echo "demo-load: no client at $PB; build first (deploy/setup.sh)" >&2; exit 1; }
: "${PLANBOARD_ADMIN_PASSWORD:?set PLANBOARD_ADMIN_PASSWORD to the admin password}"
ADMIN_USER="${PLANBOARD_ADMIN_USER:-admin}"

# The admin's session lives in a private folder that goes away afterwards,
# so loading never touches the user's own saved logins.
DEMO_CFG="$(mktemp -d "${TMPDIR:-/tmp}/planboard-demo-load.XXXXXX")"
trap 'XDG_CONFIG_HOME="$DEMO_CFG" "$PB" logout >/dev/null 2>&1 || true; rm -rf "$DEMO_CFG"' EXIT

pb() {
  XDG_CONFIG_HOME="$DEMO_CFG" "$PB" "$@" >/dev/null \
    || { echo "demo-load: failed: planboard $*" >&2; return 1; }
}
pb_at() { local at="$1"; shift; pb --recorded-at "$at" "$@"; }
demo_user() {
  local name="$1" role="$2" pw="$3" extra=()
  [ -n "${4:-}" ] && extra=(--locality "$4")
  printf '%s\n' "$pw" | XDG_CONFIG_HOME="$DEMO_CFG" "$PB" user add "$name" --role "$role" "${extra[@]}" >/dev/null \
    || { echo "demo-load: failed: user add $name" >&2; return 1; }
}

printf '%s\n' "$PLANBOARD_ADMIN_PASSWORD" | XDG_CONFIG_HOME="$DEMO_CFG" "$PB" --user "$ADMIN_USER" login >/dev/null
for script in "$root"/deploy/demo/*.sh; do
  echo "demo-load: $(basename "$script")"
  # A subshell: a script's variables, options and traps stay its own.
  # shellcheck source=/dev/null
  ( . "$script" )
done
echo "demo-load: done"
