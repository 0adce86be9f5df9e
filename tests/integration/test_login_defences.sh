#!/usr/bin/env bash
# Login defences: throttling per user and per source address (with the
# wait in a RESOURCE_EXHAUSTED message), failed logins in the event log,
# token expiry, logout, user disable and password change revoking tokens,
# and owner-only modes on the database and the token file.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
add_user carol viewer "Blue-Harbour-2017"
add_user dave viewer "Red-Lantern-2017"
sql() { sqlite3 -cmd ".timeout 2000" "$DB" "$1"; }
token_of() { cat "$T/cfg-$1/planboard/token-127.0.0.1-$PLANBOARD_PORT"; }

# Files readable by their owner only.
check "database mode 0600" test "$(stat -c %a "$DB")" = 600
check "WAL file mode 0600" test "$(stat -c %a "$DB-wal")" = 600
check "token file mode 0600" test "$(stat -c %a "$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT")" = 600

# On one connection each failed Login delays the next request: 1 s, then 2 s.
# Times are taken from the Hello answer: the delays add up and a slow
# fdatasync (each failure writes an event) can only make them later, where
# gaps between answers could shrink behind one slow answer.
OUT="$(PYTHONPATH="$(dirname "$0")" python3 - "$PLANBOARD_PORT" <<'PY'
import socket, sys, time
from pbwire import *
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(hello(1) + b"".join(login_password(2 + i, "ghost", "Wrong-Guess-%d" % i) for i in range(3)))
s.settimeout(10)
buf, times = b"", []
while len(times) < 4:
    d = s.recv(65536)
    if not d:
        break
    buf += d
    frames, buf = read_frames(buf)
    times += [(time.time(), response(f)) for f in frames]
after = [round(t - times[0][0], 2) for t, _ in times[1:]]
print(" ".join(STATUS_NAMES[r[1]] for _, r in times), "after", *after)
PY
)"
expect_out "OK UNAUTHENTICATED UNAUTHENTICATED UNAUTHENTICATED after"
check "delays of 1 s then 2 s: answers at >= 1 s and >= 3 s ($OUT)" python3 -c "
a = [float(x) for x in '$OUT'.split('after')[1].split()]
import sys; sys.exit(0 if a[1] >= 0.9 and a[2] >= 2.9 and a[1] <= 4 and a[2] <= 7 else 1)"

# Per user: the first failures are plain UNAUTHENTICATED, then each one
# doubles the wait (1 s, 2 s, 4 s). Slow machines may see a wait expire
# between attempts, so fail until 7 failures have counted (a 4 s wait),
# sitting out any wait met on the way.
fails=0 throttled=0
for _ in $(seq 1 12); do
  as_stdin carol "wrong-password-$fails" login
  # both exit 3; a throttled attempt says when to try again
  case "$RC:$ERR" in
    3:*"try again in"*) throttled=$((throttled + 1)); sleep "$(sed -n 's/.*try again in \([0-9]*\) s.*/\1/p' <<<"$ERR")" ;;
    3:*) fails=$((fails + 1)); [ "$fails" -eq 1 ] && { check "plain failure message" test -n "$(grep 'wrong user name or password' <<<"$ERR")"; } ;;
  esac
  [ "$fails" -eq 7 ] && break
done
check "seven failed logins counted ($fails)" test "$fails" -eq 7
check "only the 6th and 7th attempts could meet a wait ($throttled)" test "$throttled" -le 2
# ... now even the right password waits, and is told how long.
expect_rc 3 as_stdin carol "Blue-Harbour-2017" login
expect_err "RESOURCE_EXHAUSTED: too many failed logins; try again in"
WAIT="$(sed -n 's/.*try again in \([0-9]*\) s.*/\1/p' <<<"$ERR")"
check "the wait is at most 4 s ($WAIT)" test "$WAIT" -ge 1 -a "$WAIT" -le 4
# Another user from the same address is not affected.
expect_ok as_stdin dave "Red-Lantern-2017" login
sleep "$WAIT"; sleep 0.2
expect_ok as_stdin carol "Blue-Harbour-2017" login
# Every failure is in the event log, with the address.
check "failed logins recorded" test "$(sql "SELECT count(*) FROM event WHERE entity='login' AND ref='carol' AND op='failed' AND summary LIKE '%127.0.0.1%'")" -eq 7
# Throttled attempts were not even checked: no event row for them.
check "throttled attempts not recorded" test "$(sql "SELECT count(*) FROM event WHERE entity='login' AND ref='carol' AND op='throttled'")" -eq 0

# Logout revokes the token it used.
login dave "Red-Lantern-2017"
DAVE_TOKEN="$(token_of dave)"
expect_ok as dave logout
PLANBOARD_TOKEN="$DAVE_TOKEN" expect_rc 3 as nobody whoami
expect_err "expired or was revoked"

# A password change revokes the user's other tokens but not the one used.
login carol "Blue-Harbour-2017"
mkdir -p "$T/cfg-carol2"; cp -r "$T/cfg-carol/." "$T/cfg-carol2/"
as_stdin carol "Blue-Harbour-2017" login   # a second, different token
OLD="$(token_of carol2)"; NEW="$(token_of carol)"
check "two distinct tokens" test "$OLD" != "$NEW"
PLANBOARD_TOKEN="$NEW" expect_ok as_stdin carol "Green-Harbour-2018" user passwd carol
PLANBOARD_TOKEN="$NEW" expect_ok as carol whoami
PLANBOARD_TOKEN="$OLD" expect_rc 3 as carol whoami

# Disabling a user revokes all of their tokens at once.
expect_ok as_stdin carol "Green-Harbour-2018" login
A="$(token_of carol)"
expect_ok as_stdin carol "Green-Harbour-2018" login
B="$(token_of carol)"
# A live session of carol's, to see it closed by the disable.
PYTHONPATH="$(dirname "$0")" python3 - "$PLANBOARD_PORT" "$B" "$T/go" >"$T/live.out" 2>&1 <<'PY' &
import os, socket, sys, time
from pbwire import *
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(hello(1) + login_token(2, sys.argv[2]) + frame(request(3, PING, b"")))
open(sys.argv[3] + ".ready", "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
s.settimeout(5)
buf = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    buf += d
frames, _ = read_frames(buf)
print(" ".join(STATUS_NAMES[response(f)[1]] for f in frames), response(frames[-1])[2], "closed")
PY
LIVE=$!
for _ in $(seq 1 100); do [ -e "$T/go.ready" ] && break; sleep 0.05; done
expect_ok as admin user disable carol
touch "$T/go"; wait "$LIVE"
OUT="$(cat "$T/live.out")"
expect_out "OK OK OK UNAUTHENTICATED the account was disabled closed"
PLANBOARD_TOKEN="$A" expect_rc 3 as carol whoami
PLANBOARD_TOKEN="$B" expect_rc 3 as carol whoami
check "no live carol tokens" test "$(sql "SELECT count(*) FROM token t JOIN user u ON u.id=t.user_id WHERE u.name='carol' AND t.revoked=0")" -eq 0

# Tokens expire (restarted with --token-ttl 5: expiry counts whole
# seconds, and the login's answer waits for its fdatasync, so a shorter
# life could end before a slow machine's first use).
stop_server
start_server --token-ttl 5
login dave "Red-Lantern-2017"
expect_ok as dave whoami
sleep 5.2
PLANBOARD_PASSWORD="Red-Lantern-2017" expect_rc 3 as dave whoami
expect_err "expired"

# Old (expired or revoked) tokens are not guesses: reusing one many times,
# as every command does after a token expires, does not throttle anyone.
OLD_TOKEN="$(token_of dave)"
for i in $(seq 1 25); do PLANBOARD_TOKEN="$OLD_TOKEN" as dave whoami; done
check "expired token refused" test "$RC" -eq 3
expect_ok as_stdin dave "Red-Lantern-2017" login
check "old-token uses are still in the event log" \
  test "$(sql "SELECT count(*) FROM event WHERE entity='login' AND op='failed' AND ref='-'")" -ge 25

# Per address: many failures over many user names throttle the address.
# Fail until the address is told to wait 3 s or more (sitting out the
# shorter waits met on the way), so the next two attempts surely fall
# inside the wait even on a slow machine.
for i in $(seq 1 40); do
  as_stdin "ghost$i" "nope-$i" login
  w="$(sed -n 's/.*try again in \([0-9]*\) s.*/\1/p' <<<"$ERR")"
  [ -n "$w" ] && [ "$w" -ge 3 ] && break
  [ -n "$w" ] && sleep "$w"
done
check "the address was told to wait ($ERR)" test "${w:-0}" -ge 3
expect_rc 3 as_stdin dave "Red-Lantern-2017" login
expect_err "try again in"
# A command logging in on its own (PLANBOARD_PASSWORD) is throttled alike: exit 3 too.
PLANBOARD_PASSWORD="Red-Lantern-2017" expect_rc 3 as dave whoami
expect_err "RESOURCE_EXHAUSTED: too many failed logins; try again in"
check "server alive" server_alive
finish
