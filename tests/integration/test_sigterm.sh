#!/usr/bin/env bash
# Graceful stop: SIGTERM while clients are writing. Every write that was
# acknowledged is in the database, the server exits 0, logs its shutdown,
# and the database is left clean (integrity ok, WAL checkpointed on close).
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
TOKEN="$(cat "$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT")"
# A pipelining client: 200 writes in one go; once the first is
# acknowledged (a slow machine may take a while) it says so in
# $T/acked.first, sends 200 more and reads whatever comes back.
LIB_DIR="$(cd "$(dirname "$0")" && pwd)" python3 - "$PLANBOARD_PORT" "$TOKEN" "$T/acked" <<'PY' &
import os, socket, sys, time
sys.path.insert(0, os.environ["LIB_DIR"])
from pbwire import *
port, token, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
s.sendall(hello(1) + login_token(2, token))
s.sendall(b"".join(locality_add(100 + i, "p%d" % i, "Pipelined %d" % i) for i in range(200)))
buf, acked = b"", []
s.settimeout(20)
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        buf += d
        frames, buf = read_frames(buf)
        for f in frames:
            r = response(f)
            if r and r[0] >= 100 and r[1] == 0:
                acked.append("p%d" % (r[0] - 100))
        if acked and not os.path.exists(out + ".first"):
            open(out + ".first", "w").close()
            s.sendall(b"".join(locality_add(100 + i, "p%d" % i, "Pipelined %d" % i) for i in range(200, 400)))
except OSError:   # timeout, reset, broken pipe: the server went
    pass
open(out, "w").write("\n".join(acked) + "\n")
PY
PY_PID=$!
# Real clients writing one request per connection too.
writer() { local i=0; while [ ! -e "$T/stop" ]; do i=$((i+1));
  PLANBOARD_TOKEN="$TOKEN" "$PLANBOARD" locality add "c$1-$i" "Client $1 #$i" >/dev/null 2>&1 && echo "c$1-$i" >>"$T/acked-cli"; done; }
writer 1 & W1=$!
writer 2 & W2=$!
for _ in $(seq 1 1000); do [ -e "$T/acked.first" ] && break; sleep 0.02; done
check "a pipelined write was acknowledged before the stop" test -e "$T/acked.first"
stop_server TERM
check "SIGTERM exits 0" test "$RC" -eq 0
touch "$T/stop"; wait "$W1" "$W2" "$PY_PID"
check "shutdown logged" grep -q "shutdown requested" "$T/server.log"
n=$(grep -c . "$T/acked")
check "pipelined writes acknowledged before the stop ($n)" test "$n" -gt 0
missing=0
for code in $(cat "$T/acked" "$T/acked-cli" 2>/dev/null); do
  [ "$(sqlite3 "$DB" "SELECT count(*) FROM locality WHERE code='$code'")" = 1 ] || missing=$((missing + 1))
done
check "every acknowledged write is saved" test "$missing" -eq 0
check "integrity ok" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok
start_server
PLANBOARD_TOKEN="$TOKEN" expect_ok as admin --json locality list
check "restarted server sees the acknowledged writes" test "$(json_get "len(j)")" -ge "$n"
finish
