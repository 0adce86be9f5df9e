# tests/integration/lib.sh: harness for integration tests that drive a real
# planboardd (ephemeral loopback port, temporary database) with the real
# planboard client. Source it from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   start_server                 # + init admin 'admin' (password $ADMIN_PW)
#   as admin locality add north "North"
#   expect_ok as admin locality list
#   expect_rc 3 as viewer action update ...
#   expect_out "north"           # last command's stdout contains
#   finish                       # prints "N passed, 0 failed"
#
# Every user has its own config folder, so several can be logged in at once.
set -uo pipefail

BIN_DIR="${PLANBOARD_BIN_DIR:?set PLANBOARD_BIN_DIR to the build folder}"
PLANBOARDD="$BIN_DIR/planboardd"
PLANBOARD="$BIN_DIR/planboard"
T="$(mktemp -d /tmp/planboard-test.XXXXXX)"
DB="$T/planboard.db"
ADMIN_PW="Board-Secret-2017"
PASSED=0
FAILED=0
SERVER_PID=""
OUT="" ERR="" RC=0

cleanup() {
  stop_server
  if [ "$FAILED" -eq 0 ] && [ -z "${KEEP_TMP:-}" ]; then rm -rf "$T"; else echo "test files kept in $T" >&2; fi
}
trap cleanup EXIT

# start_server [planboardd options...]: start on 127.0.0.1:0 and wait for
# its port; creates the admin user first if the database is new.
start_server() {
  if [ ! -s "$DB" ]; then
    PLANBOARD_ADMIN_PASSWORD="$ADMIN_PW" "$PLANBOARDD" --db "$DB" --init-admin admin 2>>"$T/server.log" \
      || { echo "cannot create admin" >&2; cat "$T/server.log" >&2; exit 1; }
  fi
  rm -f "$T/port"
  "$PLANBOARDD" --db "$DB" --listen 127.0.0.1:0 --port-file "$T/port" "$@" 2>>"$T/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    [ -s "$T/port" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "planboardd exited at start:" >&2; cat "$T/server.log" >&2; exit 1
    fi
    sleep 0.05
  done
  [ -s "$T/port" ] || { echo "planboardd did not start" >&2; exit 1; }
  export PLANBOARD_HOST=127.0.0.1 PLANBOARD_PORT="$(cat "$T/port")"
}

# run_server_expect_fail [planboardd options...]: start a server that is
# expected to refuse to start; its stderr in $T/fail.log, exit code in $RC.
run_server_expect_fail() {
  timeout 10 "$PLANBOARDD" --db "$T/fail.db" --listen 127.0.0.1:0 "$@" 2>"$T/fail.log" </dev/null &
  local pid=$!
  wait "$pid"
  RC=$?
  OUT="" ERR="$(cat "$T/fail.log")"
  return 0
}

# stop_server [SIGNAL]: stop it (default TERM) and wait; its exit code in $RC.
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -"${1:-TERM}" "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  RC=$?
  SERVER_PID=""
}

# as USER COMMAND...: run the client as USER (own config folder); stdout in
# $OUT, stderr in $ERR, exit code in $RC. Never fails by itself.
as() {
  local user="$1"; shift
  mkdir -p "$T/cfg-$user"
  OUT="$(XDG_CONFIG_HOME="$T/cfg-$user" PLANBOARD_USER="$user" "$PLANBOARD" "$@" 2>"$T/stderr")"
  RC=$?
  ERR="$(cat "$T/stderr")"
  return 0
}

# as_stdin USER INPUT COMMAND...: the same with INPUT on stdin.
as_stdin() {
  local user="$1" input="$2"; shift 2
  mkdir -p "$T/cfg-$user"
  OUT="$(printf '%s\n' "$input" | XDG_CONFIG_HOME="$T/cfg-$user" PLANBOARD_USER="$user" "$PLANBOARD" "$@" 2>"$T/stderr")"
  RC=$?
  ERR="$(cat "$T/stderr")"
  return 0
}

# login USER PASSWORD
login() { as_stdin "$1" "$2" login; check "login $1" test "$RC" -eq 0; }

# add_user NAME ROLE PASSWORD [LOCALITY] (as admin)
add_user() {
  local extra=()
  [ -n "${4:-}" ] && extra=(--locality "$4")
  as_stdin admin "$3" user add "$1" --role "$2" "${extra[@]}"
  check "user add $1" test "$RC" -eq 0
}

pass() { PASSED=$((PASSED + 1)); }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $*" >&2
  echo "  exit=$RC" >&2
  echo "  stdout: ${OUT:0:2000}" >&2
  echo "  stderr: ${ERR:0:2000}" >&2
}

# check DESCRIPTION COMMAND...: a plain assertion.
check() { local d="$1"; shift; if "$@"; then pass; else fail "$d"; fi; }

# expect_rc N COMMAND...: run (through `as`-style helpers) and check the exit code.
expect_rc() { local want="$1"; shift; "$@"; if [ "$RC" -eq "$want" ]; then pass; else fail "expected exit $want: $*"; fi; }
expect_ok() { expect_rc 0 "$@"; }
# expect_out TEXT / expect_err TEXT: the last command's stdout / stderr contains TEXT.
expect_out() { if [[ "$OUT" == *"$1"* ]]; then pass; else fail "stdout lacks '$1'"; fi; }
expect_err() { if [[ "$ERR" == *"$1"* ]]; then pass; else fail "stderr lacks '$1'"; fi; }
expect_no_out() { if [[ "$OUT" != *"$1"* ]]; then pass; else fail "stdout has '$1'"; fi; }
# json_get EXPR: evaluate a Python expression on the last stdout parsed as JSON (`j`).
json_get() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$OUT"; }
# expect_json EXPR VALUE: json_get EXPR prints VALUE.
expect_json() {
  local got
  got="$(json_get "$1" 2>&1)"
  if [ "$got" = "$2" ]; then pass; else fail "json $1: expected '$2', got '$got'"; fi
}

# server_alive: the server process still runs.
server_alive() { kill -0 "$SERVER_PID" 2>/dev/null; }

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
