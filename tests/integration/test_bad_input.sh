#!/usr/bin/env bash
# The bad-input suite: random bytes, truncated frames, zero and 4 GiB
# lengths, invalid protobuf, wrong messages, unknown enum values, bad and
# over-long strings, SQL-looking text, requests before login, 300 half-open
# connections and a pipelined flood, each followed by another client's
# reads and writes (tests/integration/bad_input.py). Then the server must
# still be running and its log must not hold one line per bad connection.
. "$(dirname "$0")/lib.sh"
seed() { # seed [CLIENT OPTIONS]: the data every check must find intact
  expect_ok as admin "$@" locality add north "North"
  expect_ok as admin "$@" plan add north-2017 "North plan" --locality north
  expect_ok as admin "$@" theme add --plan north-2017 t1 "Caseloads"
  expect_ok as admin "$@" action add --plan north-2017 --theme t1 N-1.1 "Reduce caseloads" --locality north
}
start_server
login admin "$ADMIN_PW"
seed
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

# The same suite over TLS (the OpenSSL bufferevent path).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
  -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
DB="$T/tls.db"
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
as_stdin admin "$ADMIN_PW" --tls --ca "$T/cert.pem" -H localhost login
check "TLS login" test "$RC" -eq 0
seed --tls --ca "$T/cert.pem" -H localhost
TOKEN="$(cat "$T/cfg-admin/planboard/token-localhost-$PLANBOARD_PORT")"
python3 "$(dirname "$0")/bad_input.py" "$PLANBOARD_PORT" "$T/cfg-admin" "$TOKEN" "$T/cert.pem" >"$T/bad_input_tls.out" 2>&1
RC=$?
OUT="$(cat "$T/bad_input_tls.out")"
grep '^FAIL' "$T/bad_input_tls.out" >&2
check "bad input suite over TLS: $(grep -c '^ok' "$T/bad_input_tls.out") checks passed" test "$RC" -eq 0
check "TLS server survived" server_alive
stop_server
check "clean exit on SIGTERM" test "$RC" -eq 0
finish
