#!/usr/bin/env bash
# A backup commits the open group transaction, so it is refused inside a
# batch: a dry-run batch with a write and a backup changes nothing.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
expect_ok as admin locality add north "North Devon"
TESTDIR="$(cd "$(dirname "$0")" && pwd)" python3 - "$PLANBOARD_PORT" "$ADMIN_PW" "$T/in-batch.db" >"$T/py.out" 2>&1 <<'PY'
import os, socket, sys
sys.path.insert(0, os.environ["TESTDIR"])
import pbwire as w
port, pw, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
msgs = [w.hello(1), w.login_password(2, "admin", pw),
        w.frame(w.request(3, 81, w.f_varint(2, 1))),                 # BatchBegin{dry_run}
        w.locality_add(4, "dryrun", "Written by a dry run"),
        w.frame(w.request(5, 84, w.f_bytes(1, path))),                # AdminBackup
        w.frame(w.request(6, 82, b""))]                               # BatchEnd
s.sendall(b"".join(msgs))
buf, frames = b"", []
while len(frames) < 6:
    data = s.recv(65536)
    if not data:
        break
    buf += data
    got, buf = w.read_frames(buf)
    frames += got
for f in frames:
    print(*w.response(f))
PY
check "raw batch client ran" test -s "$T/py.out"
check "the backup is refused inside the batch" grep -q "a backup cannot be part of a batch" "$T/py.out"
check "no backup file was written" test ! -e "$T/in-batch.db"
expect_ok as admin --json locality list
expect_json '"dryrun" in [l["code"] for l in j]' False
finish
