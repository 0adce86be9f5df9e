#!/usr/bin/env bash
# Batch limits: past 10000 requests or 16 MiB on a connection, or past the
# server-wide budget for queued batch bytes, the request gets
# RESOURCE_EXHAUSTED, the batch is dropped and the connection closed:
# nothing more is kept for it, whatever the role.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
add_user vic viewer "Scrutiny-Seat-88"

flood() {
  OUT="$(PYTHONPATH="$(dirname "$0")" python3 - "$PLANBOARD_PORT" "$@" <<'PY'
import socket, sys, threading, time
from pbwire import *
port, mode = int(sys.argv[1]), sys.argv[2]
BEGIN, END = 81, 82
def ping(rid, pad=b""):
    # an unknown field inside Ping: kept and packed again with the request
    return frame(request(rid, PING, f_bytes(15, pad) if pad else b""))
def open_batch():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(hello(1) + login_password(2, "vic", "Scrutiny-Seat-88") + frame(request(3, BEGIN, b"")))
    return s
def send(s, data):
    # from a thread, reading meanwhile: the server closes mid-stream
    def run():
        try:
            s.sendall(data)
        except OSError:
            pass
    t = threading.Thread(target=run)
    t.start()
    return t
def server_read_all(timeout=10):
    """Wait until the server has read everything sent to it: no byte left
    in the receive queue of any of its established loopback sockets nor
    in the send queue of ours to it (/proc/net/tcp: local or remote port
    the server's; tx_queue:rx_queue in hex). A fixed sleep could be too
    short on a loaded machine, and the order of the batches matters."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        queued = 0
        for line in open("/proc/net/tcp").read().splitlines()[1:]:
            f = line.split()
            if f[3] != "01":
                continue
            tx, rx = (int(x, 16) for x in f[4].split(":"))
            if int(f[1].split(":")[1], 16) == port:
                queued += rx
            elif int(f[2].split(":")[1], 16) == port:
                queued += tx
        if queued == 0:
            return
        time.sleep(0.02)
    print("server_read_all: bytes still queued after %d s" % timeout, file=sys.stderr)
def drain(s, timeout=30):
    s.settimeout(timeout)
    buf, got, closed = b"", [], False
    try:
        while True:
            try:
                d = s.recv(1 << 20)
            except ConnectionResetError:
                d = b""
            if not d:
                closed = True
                break
            buf += d
            frames, buf = read_frames(buf)
            got += [response(f) for f in frames]
    except socket.timeout:
        pass
    return got, closed
def report(got, closed):
    bad = [r for r in got if r[1] != 0]
    print("answers", len(got), "refused", len(bad), "closed", closed,
          "first-refused-id", bad[0][0] if bad else None, "msg:", bad[0][2] if bad else "")
if mode == "count":
    s = open_batch()
    send(s, b"".join(ping(100 + i) for i in range(10005)) + frame(request(99, END, b"")))
    report(*drain(s))
elif mode == "bytes":
    s = open_batch()
    pad = b"x" * 1000000
    send(s, b"".join(ping(100 + i, pad) for i in range(20)) + frame(request(99, END, b"")))
    report(*drain(s))
else:
    # five connections each holding 15 MB: together past the 64 MiB budget
    pad = b"x" * 1000000
    conns = [open_batch() for _ in range(5)]
    for c in conns:
        send(c, b"".join(ping(100 + i, pad) for i in range(15))).join(20)
        server_read_all()
    conns[4].settimeout(30)
    got, closed = drain(conns[4])
    report(got, closed)
    # the others, still within the budget, run when they end
    conns[0].sendall(frame(request(99, END, b"")))
    got0, _ = drain(conns[0], timeout=5)
    print("first batch answers", len(got0), "ok", all(r[1] == 0 for r in got0))
PY
)"
}

flood count
expect_out "answers 4 refused 1 closed True first-refused-id 10100 msg: the batch is too large"
expect_out "it was dropped and the connection closed: split it"
flood bytes
expect_out "answers 4 refused 1 closed True first-refused-id 117"
flood budget
expect_out "refused 1 closed True"
expect_out "the server holds too many queued batch requests"
expect_out "first batch answers 19 ok True"
check "server alive" server_alive
finish
