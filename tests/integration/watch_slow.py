#!/usr/bin/env python3
"""watch_slow.py PORT TOKEN SINCE COUNT [stuck]: a watcher that reads its
replay slowly (2 KB every 100 ms, small receive buffer) must get every
event after SINCE, and never WatchDropped: only a live watcher that falls
behind is dropped, and the replay's last slice still queued is not
"behind" (test_conc_watch.sh sets it up: events of ~400 bytes, so the
last slice alone is over --max-output; heartbeats every second).
With "stuck" it reads nothing for 8 s (four heartbeats and the drop's
grace), then everything: the server must have closed the connection
before all COUNT events came. Exit 0 if the server did what it should."""
import os, socket, struct, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import *

port, token, since, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
WATCH = 80
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(hello(1) + login_token(2, token) + frame(request(3, WATCH, f_varint(4, since))))
s.settimeout(30)
if len(sys.argv) > 5 and sys.argv[5] == "stuck":
    time.sleep(8)
    got, events = b"", 0
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except (ConnectionResetError, socket.timeout):
        pass
    while len(got) >= 4:
        n = struct.unpack(">I", got[:4])[0]
        if len(got) < 4 + n:
            break
        payload, got = got[4:4 + n], got[4 + n:]
        events += 1 if payload and payload[0] >> 3 == 2 else 0
    if events >= count:
        print("FAIL: a watcher that read nothing for 8 s got all %d events" % events); sys.exit(1)
    print("ok: closed after %d of %d events" % (events, count)); sys.exit(0)
buf, events, frames_seen, deadline = b"", 0, 0, time.time() + 60
while events < count and time.time() < deadline:
    time.sleep(0.1)
    d = s.recv(2048)
    if not d:
        print("FAIL: the server closed the connection after %d events" % events); sys.exit(1)
    buf += d
    while len(buf) >= 4:
        n = struct.unpack(">I", buf[:4])[0]
        if len(buf) < 4 + n:
            break
        payload, buf = buf[4:4 + n], buf[4 + n:]
        frames_seen += 1
        if frames_seen <= 2:
            continue            # the Hello and Login answers
        field = payload[0] >> 3 if payload else 0
        if field == 4:
            print("FAIL: WatchDropped after %d of %d events" % (events, count)); sys.exit(1)
        if field == 2:
            events += 1
if events != count:
    print("FAIL: %d of %d events in 60 s" % (events, count)); sys.exit(1)
print("ok: %d events, read slowly, not dropped" % events)
