#!/usr/bin/env bash
# The README's first command: install what is needed, build (Release),
# create the demo database with the North Devon plan loaded, start
# planboardd on 127.0.0.1:7420 and keep it in the foreground until Ctrl-C.
#
#   bash deploy/demo.sh [--fresh] [--port N]
#
# --fresh      delete the demo database (demo/planboard.db) and load it anew;
#              without it an existing demo database is reused as it is.
# --port N     listen on 127.0.0.1:N instead of 7420.
# The admin password is PLANBOARD_ADMIN_PASSWORD, or the demo's
# Board-Chair-2017. BUILD_TYPE=Debug builds with the sanitizers instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
fresh=0
port=7420
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=1 ;;
    --port) port="${2:?--port needs a number}"; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
  shift
done

build_type="${BUILD_TYPE:-Release}"
bash deploy/setup.sh "$build_type"
bin="$root/build-release"
[ "$build_type" = Release ] || bin="$root/build"
[ -n "${BUILD_DIR:-}" ] && bin="$(cd "$BUILD_DIR" && pwd)"

export PLANBOARD_ADMIN_PASSWORD="${PLANBOARD_ADMIN_PASSWORD:-Board-Chair-2017}"
mkdir -p demo
db="$root/demo/planboard.db"
if [ "$fresh" = 1 ]; then
  rm -f "$db" "$db-wal" "$db-shm"
fi
load=0
if [ ! -s "$db" ]; then
  "$bin/planboardd" --db "$db" --init-admin admin
  load=1
fi

rm -f demo/port
"$bin/planboardd" --db "$db" --listen "127.0.0.1:$port" --port-file demo/port 2>>demo/server.log &
server=$!
stop() {
  trap - INT TERM
  echo; echo "demo: stopping planboardd"
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  exit 0
}
trap stop INT TERM
for _ in $(seq 1 100); do
  [ -s demo/port ] && break
  kill -0 "$server" 2>/dev/null || { echo "demo: planboardd did not start:" >&2; tail -5 demo/server.log >&2; exit 1; }
  sleep 0.1
done
[ -s demo/port ] || { echo "demo: planboardd did not start" >&2; exit 1; }
export PLANBOARD_HOST=127.0.0.1 PLANBOARD_PORT="$port"
if [ "$load" = 1 ]; then
  bash deploy/demo-load.sh "$bin/planboard"
fi

port_hint=""
[ "$port" = 7420 ] || port_hint="
  export PLANBOARD_PORT=$port"
cat <<MSG

planboardd is running on 127.0.0.1:$port with the demo plan (database $db,
log demo/server.log). Press Ctrl-C to stop it.

In another terminal, from $root:
  export PATH="$bin:\$PATH"$port_hint
  planboard --user north login            # password: Barnstaple-2017
  planboard plan show north-2017
  planboard action list --plan north-2017 --locality north
  planboard action list --overdue --as-of 2017-10-16
  planboard action history N-4.1 --plan north-2017
  planboard action update N-2.3 --plan north-2017 --rag green --note "Caseloads below 20"
  planboard --json action list --rag red | python3 -m json.tool

Demo users (demo passwords only):
  admin   admin                $PLANBOARD_ADMIN_PASSWORD
  perf    performance          Figures-Team-2017
  north   locality (north)     Barnstaple-2017
  viewer  viewer               Scrutiny-Panel-2017
A saved login is kept per server in \$XDG_CONFIG_HOME/planboard (default
~/.config/planboard); to be two users at once give each its own folder:
  XDG_CONFIG_HOME=/tmp/as-perf planboard --user perf login
MSG
wait "$server"
