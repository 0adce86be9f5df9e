#!/usr/bin/env bash
# Usage: --help everywhere, usage errors (exit 1), cannot connect (exit 2),
# and the error format.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixture.sh"
start_server
login admin "$ADMIN_PW"

# --help on the client, every command and every subcommand: exit 0, Usage on stdout.
expect_ok as admin --help
expect_out "Usage: planboard"
expect_out "Exit codes"
expect_ok as admin -h
expect_ok as admin --version
expect_out "planboard "
COMMANDS="login logout whoami status locality plan theme action user metric audit import export risk board report watch batch admin"
declare -A SUBS=(
  [locality]="list add" [plan]="list show add" [theme]="list add"
  [action]="list show add update history" [user]="add list disable passwd"
  [metric]="list define submit series compare history" [audit]="submit list"
  [risk]="list show add update" [board]="show set member meeting review criterion"
  [admin]="stats backup"
)
for c in $COMMANDS; do
  as admin --help
  expect_out "  $c "
  expect_ok as admin "$c" --help
  expect_out "Usage: planboard"
  expect_out "$c"
  group_help="$OUT"
  for s in ${SUBS[$c]:-}; do
    OUT="$group_help" expect_out "  $s "
    expect_ok as admin "$c" "$s" --help
    expect_out "Usage: planboard $c $s"
    expect_no_out "%%"   # help is printed as is, not through printf
    expect_ok as admin "$c" "$s" -h
    expect_out "Usage: planboard $c $s"
  done
done
# Every subcommand the client lists is covered above.
for c in "${!SUBS[@]}"; do
  as admin "$c" --help
  listed="$(sed -n '/^Subcommands:/,/^$/p' <<<"$OUT" | awk 'NF && !/Subcommands:/ {print $1}' | sort | tr '\n' ' ')"
  want="$(tr ' ' '\n' <<<"${SUBS[$c]}" | sort | tr '\n' ' ')"
  check "$c subcommands: '$listed' = '$want'" test "$listed" = "$want"
done
listed="$(as admin --help; sed -n '/^Commands:/,/^$/p' <<<"$OUT" | awk 'NF && !/Commands:/ {print $1}' | sort | tr '\n' ' ')"
check "commands listed: $listed" test "$listed" = "$(tr ' ' '\n' <<<"$COMMANDS" | sort | tr '\n' ' ')"

# Usage errors: exit 1, a message on stderr, nothing on stdout.
usage() { expect_rc 1 "$@"; expect_err "planboard: "; check "no stdout: $*" test -z "$OUT"; }
expect_rc 1 as admin
expect_err "Usage: planboard"
usage as admin frobnicate
expect_err "unknown command 'frobnicate'"
usage as admin --frobnicate whoami
expect_rc 1 as admin action
expect_err "Usage: planboard action"
usage as admin action frobnicate
expect_err "unknown action subcommand"
usage as admin locality frobnicate
usage as admin plan frobnicate
usage as admin theme frobnicate
usage as admin user frobnicate
usage as admin action list --frobnicate
expect_err "unknown option '--frobnicate'"
usage as admin action list --plan
expect_err "needs a value"
usage as admin action show
usage as admin action update
usage as admin action update N-1 --status
usage as admin action update N-1 --if-version -3 --note x
usage as admin action update N-1 --if-version 3x --note x
usage as admin action history N-1 N-2
usage as admin action add
usage as admin plan add
usage as admin plan show
usage as admin theme list
usage as admin theme add
usage as admin locality add
usage as admin locality list extra
usage as admin user add
usage as admin user disable
usage as admin user list extra
usage as admin --json --csv locality list
usage as admin --port 0 whoami
usage as admin --port seventy whoami
usage as admin --timeout -5 whoami
OUT="$(PLANBOARD_PORT=notaport "$PLANBOARD" whoami 2>"$T/stderr")"; RC=$?; ERR="$(cat "$T/stderr")"
check "bad PLANBOARD_PORT is a usage error" test "$RC" -eq 1
expect_err "PLANBOARD_PORT"

# Cannot connect: exit 2 (a port nobody listens on).
FREE_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
expect_rc 2 as admin --port "$FREE_PORT" whoami
expect_err "planboard: "
expect_rc 2 as admin --port "$FREE_PORT" action list
expect_rc 2 as_stdin admin "$ADMIN_PW" --port "$FREE_PORT" login
OUT="$(PLANBOARD_PORT="$FREE_PORT" XDG_CONFIG_HOME="$T/cfg-admin" "$PLANBOARD" status 2>"$T/stderr")"; RC=$?
check "PLANBOARD_PORT to a closed port: exit 2" test "$RC" -eq 2
# A server that is not planboard (speaks garbage): a protocol error, exit 2.
python3 - "$T/fake-port" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(20)
try:
    c, _ = s.accept(); c.sendall(b"HTTP/1.0 200 OK\r\n\r\nhello, this is not planboard\n" * 4); c.close()
except Exception:
    pass
PY
FAKE_PID=$!
for _ in $(seq 1 100); do [ -s "$T/fake-port" ] && break; sleep 0.05; done
expect_rc 2 as_stdin admin "$ADMIN_PW" --port "$(cat "$T/fake-port")" --timeout 3000 login
expect_err "planboard: "
wait "$FAKE_PID" 2>/dev/null

# Error format for server errors: planboard: CODE: message, one line.
expect_rc 4 as admin plan show nothere
check "one-line error" test "$(wc -l <<<"$ERR")" -eq 1
expect_err "planboard: NOT_FOUND: "
# With --json an error still goes to stderr, and stdout stays empty.
expect_rc 4 as admin --json plan show nothere
check "no JSON on stdout after an error" test -z "$OUT"
expect_err "planboard: NOT_FOUND: "
expect_rc 1 as admin --json action list --rag pink
check "no JSON on stdout after a usage error" test -z "$OUT"
check "server still alive" server_alive
finish
