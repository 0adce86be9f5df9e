#!/usr/bin/env bash
# Redefining a metric keeps its target and tolerance unless new ones are
# given; --clear-target removes both; clearing and giving a target
# together is refused by the client and by the server.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
target() { as admin --json metric list; json_get "[(m.get('target'), m.get('tolerance')) for m in j if m['code']=='$1'][0]"; }

expect_ok as admin metric define cp "CP visits" --unit pct --better higher --target 90 --tolerance 5
# a rename alone keeps the target (it used to drop it)
expect_ok as admin --json metric define cp "CP visits on time" --unit pct --better higher
expect_json 'j["name"], j["target"], j["tolerance"]' "('CP visits on time', 90.0, 5.0)"
check "target kept" test "$(target cp)" = "(90.0, 5.0)"
# a new target alone keeps the tolerance
expect_ok as admin metric define cp "CP visits on time" --unit pct --better higher --target 85
check "new target, tolerance kept" test "$(target cp)" = "(85.0, 5.0)"
# --clear-target removes both
expect_ok as admin --json metric define cp "CP visits on time" --unit pct --better higher --clear-target
expect_json '"target" in j, "tolerance" in j' "(False, False)"
check "target cleared" test "$(target cp)" = "(None, None)"
# --clear-target on a new metric is harmless
expect_ok as admin metric define new "New" --unit count --better lower --clear-target
check "new metric without a target" test "$(target new)" = "(None, None)"
# errors
expect_rc 1 as admin metric define cp "CP" --unit pct --better higher --clear-target --target 3
expect_err "--clear-target goes without --target and --tolerance"
expect_ok as admin metric define --help
expect_out "--clear-target"
# the server refuses the combination too (a client that sends both)
OUT="$(PYTHONPATH="$(dirname "$0")" python3 - "$PLANBOARD_PORT" "$ADMIN_PW" <<'PY'
import socket, struct, sys
from pbwire import *
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
metric = f_bytes(1, "cp") + f_bytes(2, "CP") + f_varint(3, 1) + f_varint(4, 1) + key(5, 1) + struct.pack("<d", 80.0)
s.sendall(hello(1) + login_password(2, "admin", sys.argv[2]) + frame(request(3, 51, f_bytes(1, metric) + f_varint(2, 1))))
s.settimeout(10)
buf, got = b"", []
while len(got) < 3:
    d = s.recv(65536)
    if not d:
        break
    buf += d
    frames, buf = read_frames(buf)
    got += [response(f) for f in frames]
print(STATUS_NAMES[got[2][1]], got[2][2])
PY
)"
expect_out "INVALID_ARGUMENT clearing the target and giving one do not go together"
check "still no target" test "$(target cp)" = "(None, None)"
finish
