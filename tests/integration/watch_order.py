#!/usr/bin/env python3
"""watch_order.py PORT TOKEN PLAN REF: a Watch's answer comes before its
events, also when the same pipelined burst wrote just before it (its
answer then waits for that commit's sync) and while another client keeps
commits in flight. The server once put the replay's events into the
output while the Watch answer was still held: the client, waiting for the
answer first, waited for ever. 20 rounds; exit 0 if every round's frames
came in order: answers 1..4, then events only."""
import os, socket, struct, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import *

port, token, plan, ref = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
WATCH = 80
update = lambda rid, note: frame(request(rid, ACTION_UPDATE, f_bytes(1, plan) + f_bytes(2, ref) + f_bytes(5, note)))

def writer(stop):
    """Another client: pipelined updates, so a sync is nearly always in flight."""
    w = socket.create_connection(("127.0.0.1", port))
    w.sendall(hello(1) + login_token(2, token))
    rid = 10
    while not stop.is_set():
        w.sendall(b"".join(update(rid + i, "busy") for i in range(20)))
        rid += 20
        need, got = 20, b""
        while need > 0:
            d = w.recv(65536)
            if not d:
                return
            got += d
            frames, got = read_frames(got)
            need -= len([f for f in frames if response(f) and response(f)[0] >= 10])
    w.close()

stop = threading.Event()
t = threading.Thread(target=writer, args=(stop,), daemon=True)
t.start()
time.sleep(0.2)
bad = []
for round_ in range(20):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    # The Watch a moment after the write: the write's commit is then
    # usually made, and its answer handed to the sync thread, before the
    # Watch is read.
    s.sendall(hello(1) + login_token(2, token) + update(3, "before watch %d" % round_))
    time.sleep(0.0002 * (round_ % 5))
    s.sendall(frame(request(4, WATCH, f_varint(4, 0))))
    kinds, buf = [], b""
    try:
        while len(kinds) < 8:
            d = s.recv(65536)
            if not d:
                break
            buf += d
            frames, buf = read_frames(buf)
            for f in frames:
                r = response(f)
                kinds.append(("answer", r[0], r[1]) if r else ("event",))
    except socket.timeout:
        pass
    s.close()
    answers = [k for k in kinds[:4]]
    if [k[:2] for k in answers] != [("answer", 1), ("answer", 2), ("answer", 3), ("answer", 4)] \
            or any(k[2] != 0 for k in answers) or any(k[0] != "event" for k in kinds[4:]):
        bad.append((round_, kinds[:6]))
stop.set()
if bad:
    print("FAIL: frames out of order in %d of 20 rounds, e.g. %s" % (len(bad), bad[0]))
    sys.exit(1)
print("ok: 20 watches, each answered before its events")

