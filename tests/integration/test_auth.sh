#!/usr/bin/env bash
# Login, logout, whoami, status, tokens, --init-admin, user add/disable/passwd.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixture.sh"
PW="$ADMIN_PW"

# --init-admin: the password from the environment, from stdin, refusals.
D2="$T/init.db"
expect_init() { # expect_init RC ENV-PASSWORD STDIN NAME
  local want="$1" env="$2" input="$3" name="$4"
  if [ -n "$env" ]; then
    PLANBOARD_ADMIN_PASSWORD="$env" "$PLANBOARDD" --db "$D2" --init-admin "$name" </dev/null >"$T/out" 2>"$T/stderr"
  else
    printf '%s\n' "$input" | "$PLANBOARDD" --db "$D2" --init-admin "$name" >"$T/out" 2>"$T/stderr"
  fi
  RC=$?; ERR="$(cat "$T/stderr")"; OUT="$(cat "$T/out")"
  if [ "$RC" -eq "$want" ]; then pass; else fail "--init-admin $name: expected exit $want"; fi
}
expect_init 0 "Another-Admin-99" "" first
expect_err "created"
expect_init 0 "" "From-Stdin-Pass-1" second
expect_init 1 "short1A" "" third
expect_err "at least 10 characters"
expect_init 1 "" "" fourth
expect_init 1 "Another-Admin-99" "" first
expect_err "exists"
expect_init 1 "Another-Admin-99" "" "Bad Name"
check "init-admin users in the database" test "$(sqlite3 "$D2" 'SELECT group_concat(name) FROM (SELECT name FROM user ORDER BY name)')" = "first,second"
check "argon2id hashes stored" test "$(sqlite3 "$D2" "SELECT count(*) FROM user WHERE password_hash LIKE '\$argon2id\$%'")" = 2

start_server

# Not logged in yet.
expect_rc 3 as admin whoami
expect_err "planboard: UNAUTHENTICATED:"
# Wrong password, unknown user.
expect_rc 3 as_stdin admin "Not-The-Password-1" login
expect_err "wrong user name or password"
expect_rc 3 as_stdin ghost "$PW" login
expect_err "wrong user name or password"
expect_rc 1 as admin login extra-argument
expect_rc 1 as admin login --bogus

# Log in; the token file is private and is used by later commands.
expect_ok as_stdin admin "$PW" login
expect_out "as admin (admin)"
TOKEN_FILE="$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT"
check "token file exists" test -s "$TOKEN_FILE"
check "token file mode 0600" test "$(stat -c %a "$TOKEN_FILE")" = 600
check "config folder not world readable" test "$(( 0$(stat -c %a "$T/cfg-admin/planboard") & 077 ))" -eq 0
TOKEN="$(cat "$TOKEN_FILE")"
check "server stores no plain token" test "$(sqlite3 "$DB" "SELECT count(*) FROM token WHERE hash = '$TOKEN' OR CAST(hash AS TEXT) = '$TOKEN'")" = 0
check "server stores a token hash" test "$(sqlite3 "$DB" "SELECT count(*) FROM token")" -ge 1
check "token not in the database file" bash -c "! grep -qF '$TOKEN' '$DB' '$DB-wal' 2>/dev/null"
expect_ok as admin whoami
expect_out "admin (admin)"
expect_ok as admin --json whoami
expect_json 'j["name"]' admin
expect_json 'j["role"]' admin
expect_ok as admin status
expect_out "version"
expect_ok as admin --json status
expect_json 'type(j).__name__' dict
expect_rc 1 as admin whoami extra
expect_rc 1 as admin status --bogus

# PLANBOARD_PASSWORD logs in without a saved token; PLANBOARD_TOKEN uses one.
OUT="$(XDG_CONFIG_HOME="$T/empty-cfg" PLANBOARD_USER=admin PLANBOARD_PASSWORD="$PW" "$PLANBOARD" whoami 2>"$T/stderr")"; RC=$?; ERR="$(cat "$T/stderr")"
check "PLANBOARD_PASSWORD works" test "$RC" -eq 0
expect_out "admin (admin)"
OUT="$(XDG_CONFIG_HOME="$T/empty-cfg" PLANBOARD_TOKEN="$TOKEN" "$PLANBOARD" whoami 2>"$T/stderr")"; RC=$?
check "PLANBOARD_TOKEN works" test "$RC" -eq 0

# A copied token stops working after logout.
mkdir -p "$T/cfg-copy/planboard"
cp -p "$TOKEN_FILE" "$T/cfg-copy/planboard/"
expect_ok as copy whoami
expect_out "admin (admin)"
expect_ok as admin logout
check "logout removes the token file" test ! -e "$TOKEN_FILE"
expect_rc 3 as copy whoami
expect_err "planboard: UNAUTHENTICATED:"
expect_rc 3 as admin whoami
# Logging out again is harmless: there is nothing left to revoke.
expect_ok as admin logout
expect_err "not logged in"

fixture_load

# user add: weak passwords, each reason; duplicates; unknown role/locality.
weak() { expect_rc 6 as_stdin admin "$1" user add newbie --role viewer; expect_err "$2"; }
weak "Short1a" "at least 10 characters"
weak "alllowercaseletters" "mix at least two"
weak "Password123" "too common"
weak "xNewbie-2017-pw" "must not contain the user name"
weak "abababab12abab" "too few distinct"
weak "Aa1-$(head -c 1100 /dev/zero | tr '\0' x)" "longer than 1024"
expect_rc 6 as_stdin admin "" user add newbie --role viewer
expect_rc 1 as admin user add newbie --role viewer </dev/null
expect_rc 5 as_stdin admin "$USER_PW" user add north --role viewer
expect_err "already exists"
expect_rc 1 as_stdin admin "$USER_PW" user add newbie --role chief
expect_rc 1 as_stdin admin "$USER_PW" user add newbie
expect_rc 1 as_stdin admin "$USER_PW" user add --role viewer
expect_rc 4 as_stdin admin "$USER_PW" user add newbie --role locality --locality atlantis
expect_err "no locality 'atlantis'"
expect_rc 6 as_stdin admin "$USER_PW" user add newbie --role locality
expect_rc 6 as_stdin admin "$USER_PW" user add "New Bie" --role viewer
expect_ok as admin --json user list
expect_json '[u["name"] for u in j]' "['admin', 'north', 'perf', 'south', 'viewer']"
expect_json '[u.get("locality") for u in j if u["name"] == "north"][0]' north
expect_ok as admin user list
expect_out "performance"

# Mismatched or empty passwords on a terminal (a pseudo-terminal here).
pty_run() { # pty_run INPUT-LINES COMMAND...: run the client with a terminal on stdin
  local input="$1"; shift
  OUT="$(XDG_CONFIG_HOME="$T/cfg-admin" PLANBOARD_USER=admin python3 "$(dirname "$0")/pty_run.py" "$input" "$PLANBOARD" "$@" 2>"$T/stderr")"
  RC=$?; ERR="$(cat "$T/stderr")"
}
pty_run $'Good-Pass-Word-1\nOther-Pass-Word-2\n' user add tty1 --role viewer
check "mismatched passwords refused (exit 1)" test "$RC" -eq 1
expect_out "do not match"
pty_run $'Good-Pass-Word-1\nGood-Pass-Word-1\n' user add tty1 --role viewer
check "matching passwords on a terminal accepted" test "$RC" -eq 0
expect_no_out "Good-Pass-Word-1"
pty_run $'\n\n' user add tty2 --role viewer
check "empty password on a terminal refused" test "$RC" -ne 0

# user disable revokes tokens at once; the user cannot log in again.
expect_ok as viewer whoami
expect_rc 3 as north user disable viewer
expect_rc 4 as admin user disable nobody
expect_rc 1 as admin user disable
expect_rc 6 as admin user disable admin
expect_ok as admin user disable viewer
expect_rc 3 as viewer whoami
expect_rc 3 as_stdin viewer "$USER_PW" login
expect_ok as admin --json user list
expect_json '[u.get("disabled", False) for u in j if u["name"] == "viewer"][0]' True

# user passwd: self, admin for another, non-admin for another (3).
expect_ok as_stdin north "Fresh-Pass-Word-42" user passwd
expect_out "Password changed for north"
expect_ok as north whoami
expect_ok as_stdin north "Fresh-Pass-Word-42" login
expect_rc 3 as_stdin north "$USER_PW" login
expect_rc 3 as_stdin north "Another-Pass-43" user passwd south
expect_err "planboard: FORBIDDEN:"
expect_rc 6 as_stdin north "weak" user passwd
expect_rc 6 as_stdin north "north-North-99" user passwd
expect_err "user name"
expect_ok as_stdin admin "Reset-By-Admin-7" user passwd south
expect_rc 3 as south whoami
expect_ok as_stdin south "Reset-By-Admin-7" login
expect_rc 4 as_stdin admin "Reset-By-Admin-7" user passwd nobody
expect_rc 1 as admin user passwd a b
expect_rc 3 as_stdin perf "Another-Pass-43" user add x --role viewer
expect_rc 3 as perf user list

finish
