#!/usr/bin/env python3
"""limits.py CHECK PORT [TOKEN]: one limit check against a running
planboardd (see test_limits.sh). Exit 0 if the server behaved."""
import os, socket, sys, time, struct
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import *

check, port = sys.argv[1], int(sys.argv[2])
token = sys.argv[3] if len(sys.argv) > 3 else None

def conn(rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    return s

def read_until_close(s, timeout):
    s.settimeout(timeout)
    buf = b""
    start = time.time()
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except socket.timeout:
        return None, time.time() - start
    except ConnectionResetError:
        pass
    frames, _ = read_frames(buf)
    return [response(f) for f in frames], time.time() - start

def fail(msg):
    print("FAIL:", msg); sys.exit(1)

def wait_for_go(path):
    """Stop reading until the test has seen what it waits for in the
    server's log and creates `path`: a fixed sleep would be too short on a
    loaded machine (the pause might not have happened yet) and wasted on
    a fast one. Gives up after 60 s so a broken test cannot hang."""
    deadline = time.time() + 60
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.02)

def read_answers(s, want, buf=b"", until_close=False):
    """Read Responses until `want` have come (or, with until_close, until
    the server closes). Returns them and the bytes of a partial frame."""
    got = []
    while until_close or len(got) < want:
        d = s.recv(1 << 20)
        if not d:
            if until_close:
                break
            fail("closed after %d responses" % len(got))
        buf += d
        frames, buf = read_frames(buf)
        got += [response(f) for f in frames]
    return got, buf

if check == "connections":
    # max-connections 5: five are served, the sixth is told UNAVAILABLE and closed.
    held = [conn() for _ in range(5)]
    time.sleep(0.2)
    for _ in range(10):
        got, _ = read_until_close(conn(), 3)
        if not got or STATUS_NAMES[got[0][1]] != "UNAVAILABLE":
            fail("over the limit: %r" % (got,))
    s = held[0]
    s.sendall(hello(1))
    s.settimeout(3)
    frames, _ = read_frames(s.recv(65536))
    if STATUS_NAMES[response(frames[0])[1]] != "OK":
        fail("a connection under the limit was not served")
    for h in held:
        h.close()
    # The server sees the closes in its own time: retry for up to 3 s
    # (well inside the 10 s handshake timeout, which would free the slots
    # of a server that missed the closes).
    deadline, status = time.time() + 3, None
    while status != "OK" and time.time() < deadline:
        s = conn(); s.sendall(hello(1)); s.settimeout(5)
        try:
            frames, _ = read_frames(s.recv(65536))
            status = STATUS_NAMES[response(frames[0])[1]] if frames else None
        except OSError:
            status = None
        s.close()
        if status != "OK":
            time.sleep(0.1)
    if status != "OK":
        fail("not served again after the others closed (%s)" % status)
elif check == "handshake":
    # handshake-timeout 1: silence, or Hello without Login, is cut off.
    for first in (b"", hello(1)):
        s = conn()
        if first:
            s.sendall(first)
        got, took = read_until_close(s, 10)
        if got is None or not (0.8 <= took <= 6):
            fail("no cut-off within the handshake time (took %.1f s)" % took)
        if STATUS_NAMES[got[-1][1]] != "UNAUTHENTICATED":
            fail("handshake timeout status %r" % (got,))
elif check == "idle":
    # idle-timeout 1: a logged-in connection that says nothing is closed.
    s = conn()
    s.sendall(hello(1) + login_token(2, token))
    got, took = read_until_close(s, 10)
    if got is None or not (0.8 <= took <= 6):
        fail("idle connection not closed in time (%.1f s)" % took)
    if [STATUS_NAMES[g[1]] for g in got] != ["OK", "OK", "UNAVAILABLE"]:
        fail("idle close: %r" % (got,))
elif check == "backpressure":
    # A client that sends many requests and does not read: the server stops
    # reading it, then serves everything once it reads again.
    s = conn(rcvbuf=4096)
    s.sendall(hello(1) + login_token(2, token))
    n = 300
    s.sendall(b"".join(frame(request(100 + i, LOCALITY_LIST, b"")) for i in range(n)))
    wait_for_go(sys.argv[4])   # the test checks the log meanwhile
    s.settimeout(20)
    got, _ = read_answers(s, n + 2)
    ids = [g[0] for g in got[2:]]
    if ids != list(range(100, 100 + n)) or any(g[1] != 0 for g in got):
        fail("responses out of order or failed")
    print("served %d responses after the pause" % n)
elif check == "backpressure-writes":
    # The same for writes: their answers wait for the group commit and go
    # out from the sender thread, which fills the socket and leaves the
    # rest to the loop. Every answer arrives, in order, OK.
    s = conn(rcvbuf=4096)
    print("peer=127.0.0.1:%d" % s.getsockname()[1], flush=True)
    s.sendall(hello(1) + login_token(2, token))
    n = 2000
    upd = lambda i: f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_bytes(12, ("d%d " % i) * 600)
    # From a thread: once the answers fill the socket the server stops
    # reading, so the requests finish going out only after we read.
    import threading
    sender = threading.Thread(target=s.sendall, args=(b"".join(frame(request(100 + i, ACTION_UPDATE, upd(i))) for i in range(n)),))
    sender.start()
    wait_for_go(sys.argv[4])
    s.settimeout(20)
    got, _ = read_answers(s, n + 2)
    ids = [g[0] for g in got[2:]]
    sender.join()
    if ids != list(range(100, 100 + n)):
        fail("responses out of order")
    bad = [g for g in got if g[1] != 0]
    if bad:
        fail("failed responses: %r" % bad[:3])
    print("served %d write responses after the pause" % n)
elif check == "abandon-writes":
    # Clients that send writes and go (half of them with a reset) before
    # their answers, which the sender thread may be writing: the server
    # carries on, and a client that stays gets its answers.
    upd = frame(request(10, ACTION_UPDATE, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_bytes(5, "note")))
    for round in range(40):
        socks = []
        for k in range(8):
            c = conn()
            c.sendall(hello(1) + login_token(2, token) + upd * 5)
            if k % 2:
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            socks.append(c)
        time.sleep(0.002 * (round % 5))
        for c in socks:
            c.close()
    s = conn()
    s.sendall(hello(1) + login_token(2, token) + upd * 3)
    s.settimeout(10)
    got, _ = read_answers(s, 5)
    if any(g[1] != 0 for g in got):
        fail("a client that stayed: %r" % got)
    print("served a client after 320 that left")
elif check == "halfclose-writes":
    # Writes, then a half-close: every answer, then the server closes at
    # once (not after its 5 s grace for peers that do not read).
    upd = frame(request(10, ACTION_UPDATE, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_bytes(5, "note")))
    for round in range(5):
        s = conn()
        s.sendall(hello(1) + login_token(2, token) + upd * 5)
        s.shutdown(socket.SHUT_WR)
        # The answers wait for commits (a slow disk may take a while); the
        # close is timed from the last answer.
        s.settimeout(20)
        got, rest = read_answers(s, 7)
        if len(got) != 7 or any(g[1] != 0 for g in got):
            fail("answers before the close: %r" % (got,))
        after, took = read_until_close(s, 10)
        if rest or after:
            fail("more than the answers before the close: %r %r" % (rest, after))
        if after is None or took > 3:
            fail("closed %.1f s after the last answer" % took)
    print("closed after the answers")
elif check == "writers":
    # Keep writing on four connections until the server goes (test_limits
    # stops it meanwhile); print how many answers came.
    upd = frame(request(10, ACTION_UPDATE, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_bytes(5, "note")))
    socks = [conn() for _ in range(4)]
    for c in socks:
        c.sendall(hello(1) + login_token(2, token))
        c.settimeout(10)
    n = 0
    try:
        while True:
            for c in socks:
                c.sendall(upd * 4)
            for c in socks:
                if not c.recv(65536):
                    raise OSError("closed")
                n += 1
    except OSError:
        pass
    print("writes answered before the stop: %d" % n)
elif check == "eof-slow-reader":
    # Many requests with large answers, then a half-close, then reading
    # slowly and stopping near the end: the server must not spin on the
    # socket that reached EOF while it waits for this client to read
    # (test_limits measures its CPU while we print "idle").
    import threading
    s = conn(rcvbuf=4096)
    n = int(sys.argv[4])
    req = hello(1) + login_token(2, token) + b"".join(frame(request(100 + i, LOCALITY_LIST, b"")) for i in range(n))
    def send_all():
        s.sendall(req)
        s.shutdown(socket.SHUT_WR)
    sender = threading.Thread(target=send_all)
    sender.start()
    s.settimeout(20)
    first, buf = read_answers(s, int(sys.argv[5]))
    print("idle", flush=True)
    time.sleep(2.5)
    rest, _ = read_answers(s, 0, buf, until_close=True)   # closed once everything was sent
    sender.join()
    got = len(first) + len(rest)
    if got != n + 2:
        fail("%d answers, expected %d" % (got, n + 2))
    print("served %d answers after the half-close" % n)
else:
    fail("unknown check " + check)
print("ok", check)
