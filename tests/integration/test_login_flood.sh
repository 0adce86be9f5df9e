#!/usr/bin/env bash
# A client pipelining Logins: throttled attempts write no event row and
# are delayed like failures, and the connection is closed after 10
# refused Logins, so the event log (and every watcher) cannot be flooded.
. "$(dirname "$0")/lib.sh"
start_server --handshake-timeout 120
login admin "$ADMIN_PW"
add_user carol viewer "Blue-Harbour-2017"
sql() { sqlite3 -cmd ".timeout 2000" "$DB" "$1"; }

# Throttle carol: fail until 8 failures have counted (an 8 s wait, long
# enough to outlast a slow machine's start of the flood below).
fails=0
for _ in $(seq 1 16); do
  as_stdin carol "wrong-password-$fails" login
  case "$RC:$ERR" in
    3:*"try again in"*) sleep "$(sed -n 's/.*try again in \([0-9]*\) s.*/\1/p' <<<"$ERR")" ;;
    3:*) fails=$((fails + 1)) ;;
  esac
  [ "$fails" -eq 8 ] && break
done
check "eight failed logins counted ($fails)" test "$fails" -eq 8
before="$(sql "SELECT count(*) FROM event WHERE entity='login'")"

# 40 Logins in one write: the first is throttled at once, each refusal
# delays the connection's next request (1 s, 2 s, ... up to 5 s: the
# server's LOGIN_PENALTY_MAX), and after the 10th refusal the server
# closes the connection.
OUT="$(PYTHONPATH="$(dirname "$0")" python3 - "$PLANBOARD_PORT" <<'PY'
import socket, sys, time
from pbwire import *
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(hello(1) + b"".join(login_password(2 + i, "carol", "Wrong-Guess-%d" % i) for i in range(40)))
s.settimeout(60)
buf, got, closed = b"", [], False
while True:
    d = s.recv(65536)
    if not d:
        closed = True
        break
    buf += d
    frames, buf = read_frames(buf)
    got += [(time.time(), response(f)) for f in frames]
logins = got[1:]
# The k-th answer after the first comes at least the sum of the first k
# delays after it. Measured from the first answer (which writes no event,
# so no fdatasync holds it), not between answers: one answer held up by a
# slow fdatasync would make the gap after it look short.
due = lambda k: sum(min(i, 5) for i in range(1, k + 1))
slack = min(logins[k][0] - logins[0][0] - due(k) for k in range(1, len(logins)))
print("answers", len(logins), "closed", closed, "first", STATUS_NAMES[logins[0][1][1]],
      "slack %.2f" % slack, "last:", logins[-1][1][2])
PY
)"
expect_out "answers 10 closed True first RESOURCE_EXHAUSTED"
expect_out "too many refused logins on this connection: closing it"
check "every answer delayed by 1, 2, 3, 4, then 5 s ($OUT)" python3 -c "
import sys; sys.exit(0 if float('$OUT'.split('slack ')[1].split()[0]) >= -0.5 else 1)"
after="$(sql "SELECT count(*) FROM event WHERE entity='login'")"
check "no throttled rows" test "$(sql "SELECT count(*) FROM event WHERE op='throttled'")" -eq 0
check "at most 9 failures recorded from the flood ($before -> $after)" test $((after - before)) -le 9
check "one throttle log line for the flood" test "$(grep -c 'login throttled' "$T/server.log")" -le 2
check "server alive" server_alive
finish
