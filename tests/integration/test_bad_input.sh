#!/usr/bin/env bash
# The bad-input suite: random bytes, truncated frames, zero and 4 GiB
# lengths, invalid protobuf, wrong messages, unknown enum values, bad and
# over-long strings, SQL-looking text, requests before login, 300 half-open
# connections and a pipelined flood, each followed by another client's
# reads and writes (tests/integration/bad_input.py). Then the server must
# still be running and its log must not hold one line per bad connection.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
expect_ok as admin locality add north "North"
expect_ok as admin plan add north-2017 "North plan" --locality north
expect_ok as admin theme add --plan north-2017 t1 "Caseloads"
expect_ok as admin action add --plan north-2017 --theme t1 N-1.1 "Reduce caseloads" --locality north
TOKEN="$(cat "$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT")"
python3 "$(dirname "$0")/bad_input.py" "$PLANBOARD_PORT" "$T/cfg-admin" "$TOKEN" >"$T/bad_input.out" 2>&1
RC=$?
OUT="$(cat "$T/bad_input.out")"
grep '^FAIL' "$T/bad_input.out" >&2
check "bad input suite: $(grep -c '^ok' "$T/bad_input.out") checks passed" test "$RC" -eq 0
check "server survived" server_alive
# A dozen framing errors in a few seconds: logged once, with a count later.
check "framing errors logged, not per connection" test "$(grep -c 'protocol error' "$T/server.log")" -ge 1 -a "$(grep -c 'protocol error' "$T/server.log")" -le 2
check "integrity ok" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok
stop_server
check "clean exit on SIGTERM" test "$RC" -eq 0
finish
