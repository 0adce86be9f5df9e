#!/usr/bin/env bash
# Several users at once: north and admin update different actions in
# background processes while perf reads; garbage on the socket; the
# database is intact and in WAL mode afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixture.sh"
start_server
fixture_load

ROUNDS=8
# updater USER REF: ROUNDS notes on REF, each based on the version it read.
updater() {
  local user="$1" ref="$2" i fails=0
  for i in $(seq 1 "$ROUNDS"); do
    XDG_CONFIG_HOME="$T/cfg-$user" "$PLANBOARD" action update "$ref" --note "$user note $i" \
      >/dev/null 2>>"$T/bg-$user.err" || fails=$((fails + 1))
  done
  echo "$fails" >"$T/bg-$user.fails"
}
reader() {
  local i fails=0
  for i in $(seq 1 "$ROUNDS"); do
    XDG_CONFIG_HOME="$T/cfg-perf" "$PLANBOARD" --json action list >/dev/null 2>>"$T/bg-perf.err" || fails=$((fails + 1))
  done
  echo "$fails" >"$T/bg-perf.fails"
}
updater north N-2 & P1=$!
updater admin S-1 & P2=$!
updater south C-2 2>/dev/null & P3=$!   # forbidden every time: not south's
reader & P4=$!
wait "$P1" "$P2" "$P3" "$P4"
check "north's updates all succeeded" test "$(cat "$T/bg-north.fails")" = 0
check "admin's updates all succeeded" test "$(cat "$T/bg-admin.fails")" = 0
check "south's updates all refused" test "$(cat "$T/bg-south.fails")" = "$ROUNDS"
check "perf's reads all succeeded" test "$(cat "$T/bg-perf.fails")" = 0

as perf --json action history N-2
expect_json 'len(j)' $((ROUNDS + 1))
expect_json '[u["note"] for u in j[1:]] == ["north note %d" % i for i in range(1, 9)]' True
expect_json '[u["version"] for u in j]' "[1, 2, 3, 4, 5, 6, 7, 8, 9]"
as perf --json action history S-1
expect_json 'set(u["user"] for u in j[1:])' "{'admin'}"
expect_json 'len(j)' $((ROUNDS + 1))
as perf --json action show C-2
expect_json 'j["version"]' 1

# The same action from two users at once: each update is based on what it
# read, so every one is either applied or refused as a conflict; never lost.
RACERS=()
for u in north admin; do
  ( for i in 1 2 3 4 5 6; do
      XDG_CONFIG_HOME="$T/cfg-$u" "$PLANBOARD" action update C-1 --note "race $u $i" >/dev/null 2>&1
      echo $? >>"$T/race-$u"
    done ) &
  RACERS+=($!)
done
wait "${RACERS[@]}"   # not a bare wait: that would wait for the server too
applied=$(cat "$T/race-north" "$T/race-admin" | grep -c '^0$')
conflicts=$(cat "$T/race-north" "$T/race-admin" | grep -c '^5$')
check "race: every update applied or a conflict ($applied + $conflicts)" test $((applied + conflicts)) -eq 12
as perf --json action show C-1
expect_json 'j["version"]' $((applied + 1))

# Garbage on the socket does not hurt the server or other clients.
python3 - "$PLANBOARD_PORT" <<'PY'
import socket, sys, os
port = int(sys.argv[1])
for payload in (b"\x00\x00\x00\x05hello", b"GET / HTTP/1.0\r\n\r\n", b"\xff\xff\xff\xff" + os.urandom(64), os.urandom(4096), b"\x00\x00\x00\x00"):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
PY
check "server alive after garbage" server_alive
expect_ok as north whoami
expect_ok as north action update N-2 --note "after the garbage"

# Stop cleanly; the database is intact and in WAL mode.
stop_server
check "server stopped cleanly (exit $RC)" test "$RC" -eq 0
check "integrity_check ok, journal_mode wal" test "$(sqlite3 "$DB" 'PRAGMA integrity_check; PRAGMA journal_mode')" = "$(printf 'ok\nwal')"
check "history survives a restart" test "$(sqlite3 "$DB" "SELECT count(*) FROM action_version v JOIN action a ON a.id = v.action_id WHERE a.ref = 'N-2'" 2>/dev/null)" = $((ROUNDS + 2))
start_server   # a new port, so log in again (tokens are kept per server address)
login perf "$USER_PW"
as perf --json action show N-2
expect_json 'j["version"]' $((ROUNDS + 2))
finish
