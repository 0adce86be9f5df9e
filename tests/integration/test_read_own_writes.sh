#!/usr/bin/env bash
# Reads run on a read-only connection that sees committed data only
# (server.c: server_read_store). A client that pipelines reads behind its
# own writes must still see them: those reads run inside the open group
# transaction. And an acknowledged write is seen by every later read, on
# any connection.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
expect_ok as admin locality add north "North"
expect_ok as admin plan add p1 "Plan" --locality north --start 2017-06-01 --end 2017-12-31
expect_ok as admin theme add --plan p1 lead "Leadership"
expect_ok as admin action add --plan p1 --theme lead N-1 "Appoint managers" --owner "Head" --due 2017-08-31

OUT="$(python3 - "$PLANBOARD_PORT" "$ADMIN_PW" "$(dirname "$0")" <<'PY' 2>&1
import socket, sys, time
sys.path.insert(0, sys.argv[3])
from pbwire import *

def action_version(payload):
    """(status, Action.version) of an ActionReply response."""
    for f, wt, v in fields(payload):
        if f == 1 and wt == 2:
            status = 0; version = None
            for g, wt2, w in fields(v):
                if g == 2: status = w
                if g == 31:
                    for h, _, x in fields(w):
                        if h == 1:
                            version = dict((k, val) for k, _, val in fields(x)).get(12)
            return status, version
    return None, None

def update(rid, note):
    return frame(request(rid, ACTION_UPDATE, f_bytes(1, "p1") + f_bytes(2, "N-1") + f_bytes(5, note)))

def show(rid):
    return frame(request(rid, ACTION_SHOW, f_bytes(1, "p1") + f_bytes(2, "N-1")))

def exchange(sock, data, n):
    sock.sendall(data)
    buf, got = b"", []
    sock.settimeout(10)
    while len(got) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("closed after %d answers" % len(got))
        buf += chunk
        frames, buf = read_frames(buf)
        got += frames
    return got

port, pw = int(sys.argv[1]), sys.argv[2]
a = socket.create_connection(("127.0.0.1", port))
b = socket.create_connection(("127.0.0.1", port))
exchange(b, hello(1) + login_password(2, "admin", pw), 2)
for round in range(20):
    # show, update, show, update, show in one write: every show sees the
    # updates sent before it on this connection, none sent after.
    msgs = hello(1) + login_password(2, "admin", pw) if round == 0 else b""
    base = 10 * round + 3
    msgs += show(base) + update(base + 1, "r%d a" % round) + show(base + 2) + update(base + 3, "r%d b" % round) + show(base + 4)
    got = exchange(a, msgs, 7 if round == 0 else 5)[-5:]
    v = [action_version(p) for p in got]
    if any(s != 0 for s, _ in v):
        raise SystemExit("round %d: a status was not OK: %r" % (round, v))
    s0, u1, s2, u3, s4 = [x for _, x in v]
    if not (u1 == s0 + 1 and s2 == u1 and u3 == s2 + 1 and s4 == u3):
        raise SystemExit("round %d: pipelined reads do not follow the writes: %r" % (round, v))
    # Acknowledged: another connection's read sees it at once.
    (p,) = exchange(b, show(1000 + round), 1)
    if action_version(p)[1] != u3:
        raise SystemExit("round %d: another connection saw version %r after %r was acknowledged"
                         % (round, action_version(p)[1], u3))
print("ok", u3)
PY
)"
check "pipelined reads see the connection's own writes; others see acknowledged ones ($OUT)" \
  test "${OUT%% *}" = ok
expect_ok as admin --json action show N-1 --plan p1
expect_json 'j["version"]' 41
check "server alive" server_alive
finish
