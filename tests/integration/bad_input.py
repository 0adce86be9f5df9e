#!/usr/bin/env python3
"""bad_input.py PORT CFG_DIR TOKEN [CA_FILE]: throw hostile input at a
running planboardd on 127.0.0.1:PORT (over TLS, verified with CA_FILE for
the name localhost, when CA_FILE is given). After every attack another client (the real
`planboard`, logged in through CFG_DIR) must still read and write, and the
data must be intact. Prints one line per check; exit 1 if any failed."""
import json, os, random, socket, ssl, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pbwire import *

PORT, CFG, TOKEN = int(sys.argv[1]), sys.argv[2], sys.argv[3]
CA = sys.argv[4] if len(sys.argv) > 4 else None
TLS_ARGS = ["--tls", "--ca", CA, "-H", "localhost"] if CA else []
CLIENT = os.path.join(os.environ["PLANBOARD_BIN_DIR"], "planboard")
failed = 0
written = {}   # code -> name: every locality that must be there

def ok(cond, what):
    global failed
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failed += 1

def client(*args):
    env = dict(os.environ, XDG_CONFIG_HOME=CFG, PLANBOARD_HOST="127.0.0.1", PLANBOARD_PORT=str(PORT))
    env.pop("PLANBOARD_TOKEN", None)
    return subprocess.run([CLIENT, *TLS_ARGS, *args], env=env, capture_output=True, text=True, timeout=30)

def healthy(after):
    """Another client still writes and reads; everything written is intact."""
    code = "h%d" % (len(written) + 1)
    r = client("locality", "add", code, "Healthy after " + after)
    ok(r.returncode == 0, "after %s: a write works (%s)" % (after, r.stderr.strip()))
    if r.returncode == 0:
        written[code] = "Healthy after " + after
    r = client("--json", "locality", "list")
    ok(r.returncode == 0, "after %s: a read works" % after)
    have = {l["code"]: l["name"] for l in json.loads(r.stdout or "[]")}
    ok(all(have.get(c) == n for c, n in written.items()) and len(have) == len(written),
       "after %s: data intact (%d localities)" % (after, len(written)))

def conn(raw=False):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    if CA and not raw:
        s = ssl.create_default_context(cafile=CA).wrap_socket(s, server_hostname="localhost")
    return s

def exchange(s, data, want=1, timeout=5):
    """Send data, read until `want` responses arrived or the peer closed.
    Returns (responses, closed)."""
    if data:
        s.sendall(data)
    buf, got, closed = b"", [], False
    s.settimeout(timeout)
    end = time.time() + timeout
    while len(got) < want and time.time() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except OSError:   # reset, broken pipe, TLS EOF
            closed = True; break
        if not chunk:
            closed = True; break
        buf += chunk
        frames, buf = read_frames(buf)
        got += [response(f) for f in frames]
    return got, closed

def is_closed(s, timeout=3):
    s.settimeout(timeout)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except socket.timeout:
        return False
    except OSError:
        return True

def logged_in():
    s = conn()
    got, _ = exchange(s, hello(1) + login_token(2, TOKEN), want=2)
    assert [g[1] for g in got] == [0, 0], got
    return s

def status(got, i=0):
    return STATUS_NAMES.get(got[i][1]) if len(got) > i else None

# ---------------------------------------------------------------- attacks
def random_bytes():
    rnd = random.Random(20171001)
    for n in (1, 3, 17, 4096, 65536):
        s = conn()
        try:
            s.sendall(bytes(rnd.getrandbits(8) for _ in range(n)))
        except OSError:
            pass
        s.close()
    # One more that waits for the verdict: a random length is over the limit.
    s = conn()
    got, closed = exchange(s, b"\x7f\x13\x00\x01" + bytes(rnd.getrandbits(8) for _ in range(100)))
    ok(status(got) == "BAD_REQUEST" and (closed or is_closed(s)), "random bytes: BAD_REQUEST and closed")

def truncated():
    for data in (b"\x00", b"\x00\x00\x00", b"\x00\x00\x00\x64" + b"\x08" * 50, hello(1)[:-1]):
        s = conn(); s.sendall(data); s.close()
    s = conn()
    got, closed = exchange(s, b"\x00\x00\x00\x64" + b"\x08" * 50, want=1, timeout=1)
    ok(got == [] and not closed, "truncated frame: server waits for the rest, answers nothing")
    s.close()

def zero_length():
    s = conn()
    got, closed = exchange(s, b"\x00\x00\x00\x00")
    ok(status(got) == "BAD_REQUEST" and (closed or is_closed(s)), "zero length: BAD_REQUEST and closed")

def huge_length():
    s = conn()
    got, closed = exchange(s, b"\xff\xff\xff\xff" + b"x" * 1000)
    ok(status(got) == "BAD_REQUEST" and "maximum frame" in got[0][2] and (closed or is_closed(s)),
       "4 GiB length: BAD_REQUEST before any allocation, closed")
    # Just over the limits: 64 KiB before login, 1 MiB after.
    s = conn()
    got, closed = exchange(s, struct.pack(">I", 65537) + b"\x08" * 100)
    ok(status(got) == "BAD_REQUEST", "65537-byte frame before login refused")
    s = logged_in()
    got, closed = exchange(s, struct.pack(">I", (1 << 20) + 1) + b"\x08" * 100)
    ok(status(got) == "BAD_REQUEST", "1 MiB + 1 frame after login refused")

def invalid_protobuf():
    s = conn()
    bad = [b"\xff\xff\xff\xff\xff", b"\x0a\x80\x80\x80\x80\x10", b"\x52\x05\x08", b"\x08",
           b"\xf8\xff\xff\xff\x7f\x00"]  # the last: a 5-byte tag
    got, closed = exchange(s, b"".join(frame(b) for b in bad) + hello(9), want=len(bad) + 1)
    ok(len(got) == len(bad) + 1 and all(status(got, i) == "BAD_REQUEST" for i in range(len(bad)))
       and status(got, len(bad)) == "OK" and not closed,
       "invalid protobuf: BAD_REQUEST each, connection stays usable")

def wrong_message():
    s = logged_in()
    # A Locality message, a ServerFrame and a Response sent as Requests.
    msgs = [f_bytes(1, "north") + f_bytes(2, "North"), f_bytes(1, f_varint(1, 5) + f_varint(2, 0)),
            f_varint(1, 3) + f_varint(2, 9) + f_bytes(3, "hi")]
    got, closed = exchange(s, b"".join(frame(m) for m in msgs) + frame(request(7, PING, b"")), want=4)
    ok(len(got) == 4 and all(status(got, i) == "BAD_REQUEST" for i in range(3)) and got[3][:2] == (7, 0),
       "wrong message type: BAD_REQUEST, then a Ping works on the same connection")
    # A request body of the wrong type for its field: a Hello where LocalityAdd goes.
    got, _ = exchange(s, frame(request(8, LOCALITY_ADD, f_varint(1, 1) + f_bytes(2, "x"))))
    ok(status(got) in ("BAD_REQUEST", "INVALID_ARGUMENT"), "mismatched body: refused (%s)" % status(got))

def unknown_enums():
    s = logged_in()
    upd = lambda rid, f, v: frame(request(rid, ACTION_UPDATE, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_varint(f, v)))
    got, _ = exchange(s, upd(1, 3, 99) + upd(2, 4, 12345) + upd(3, 3, (1 << 64) - 1), want=3)
    ok(len(got) == 3 and all(status(got, i) in ("INVALID_ARGUMENT", "BAD_REQUEST") for i in range(3)),
       "unknown enum values refused (%s)" % [status(got, i) for i in range(len(got))])
    got, _ = exchange(s, frame(request(4, USER_ADD, f_bytes(1, f_bytes(1, "mallory") + f_varint(2, 77))
                                       + f_bytes(2, "Mallory-Password-2017"))))
    ok(status(got) == "INVALID_ARGUMENT", "unknown role refused (%s)" % status(got))
    got, _ = exchange(s, frame(request(5, 99, b"")) + frame(request(6, PING, b"")), want=2)
    ok(status(got) == "BAD_REQUEST" and status(got, 1) == "OK", "unknown request type: BAD_REQUEST, connection open")

def missing_fields():
    # An update without its ref (with and without a plan): refused before
    # any look-up, kept row or not, after an update of the same action.
    s = logged_in()
    got, _ = exchange(s, frame(request(1, ACTION_UPDATE, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1")
                                       + f_bytes(5, "kept"))))
    ok(status(got) == "OK", "an update with its ref (%s)" % status(got))
    no_ref = [f_bytes(1, "north-2017") + f_varint(3, 2), f_varint(3, 2), f_bytes(1, "north-2017") + f_bytes(5, "n")]
    got, _ = exchange(s, b"".join(frame(request(10 + i, ACTION_UPDATE, b)) for i, b in enumerate(no_ref))
                      + frame(request(20, PING, b"")), want=len(no_ref) + 1)
    ok([status(got, i) for i in range(len(no_ref))] == ["INVALID_ARGUMENT"] * len(no_ref)
       and status(got, len(no_ref)) == "OK",
       "updates without a ref refused, connection open (%s)" % [status(got, i) for i in range(len(got))])
    # A show without its ref, before and after a show that is kept.
    shows = [f_bytes(1, "north-2017") + f_bytes(2, "N-1.1"), f_bytes(1, "north-2017"), b"",
             f_bytes(4, "2017-10-01")]
    got, _ = exchange(s, b"".join(frame(request(30 + i, ACTION_SHOW, b)) for i, b in enumerate(shows))
                      + frame(request(40, PING, b"")), want=len(shows) + 1)
    ok([status(got, i) for i in range(len(got))] == ["OK"] + ["INVALID_ARGUMENT"] * 3 + ["OK"],
       "shows without a ref refused, connection open (%s)" % [status(got, i) for i in range(len(got))])
    got, _ = exchange(s, frame(request(50, ACTION_HISTORY, f_bytes(1, "north-2017"))))
    ok(status(got) == "INVALID_ARGUMENT", "a history without a ref refused (%s)" % status(got))

def bad_strings():
    s = logged_in()
    cases = [("too long name", "toolong", "x" * 201), ("invalid UTF-8", "utf1", b"North \xff"),
             ("overlong NUL", "utf2", b"A\xc0\x80B"), ("surrogate", "utf3", b"\xed\xa0\x80"),
             ("truncated UTF-8", "utf4", b"caf\xc3"), ("SQL in code", "x'; DROP TABLE user; --", "x")]
    for i, (what, code, name) in enumerate(cases):
        got, _ = exchange(s, locality_add(10 + i, code, name))
        ok(status(got) == "INVALID_ARGUMENT", "%s refused (%s: %s)" % (what, status(got), got[0][2] if got else ""))
    upd = frame(request(30, ACTION_UPDATE, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_bytes(5, "n" * 10001)))
    got, _ = exchange(s, upd)
    ok(status(got) == "INVALID_ARGUMENT", "10,001-character note refused")
    got, _ = exchange(s, frame(request(31, ACTION_UPDATE, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_bytes(5, "n" * 10000))))
    ok(status(got) == "OK", "10,000-character note accepted")
    # SQL-looking text is data: stored and read back literally.
    sqlish = "'); DROP TABLE locality; -- \" OR 1=1 /*"
    got, _ = exchange(s, locality_add(40, "sqlish", sqlish))
    ok(status(got) == "OK", "SQL-looking name stored as text")
    written["sqlish"] = sqlish
    emoji = "Ynys Môn — 北 🏴"
    got, _ = exchange(s, locality_add(41, "unicode", emoji))
    ok(status(got) == "OK", "valid non-ASCII UTF-8 accepted")
    written["unicode"] = emoji

def before_login():
    s = conn()
    got, _ = exchange(s, frame(request(1, LOCALITY_LIST, b"")))
    ok(status(got) == "BAD_REQUEST" and "Hello" in got[0][2], "request before Hello refused")
    s = conn()
    got, _ = exchange(s, hello(1) + locality_add(2, "sneaky", "Sneaky") + frame(request(3, USER_LIST, b"")), want=3)
    ok([status(got, i) for i in range(3)] == ["OK", "UNAUTHENTICATED", "UNAUTHENTICATED"],
       "writes and reads before Login: UNAUTHENTICATED")
    got, _ = exchange(s, login_token(4, "pbt_not_a_real_token"))
    ok(status(got) == "UNAUTHENTICATED", "a made-up token is refused")
    got, _ = exchange(s, hello(5))
    ok(status(got) == "BAD_REQUEST", "a second Hello is refused")

def half_open():
    socks = []
    for i in range(300):
        s = conn(raw=True)   # over TLS: a handshake never started
        if i % 3 == 1:
            s.sendall(b"\x00\x00")            # half a header
        elif i % 3 == 2:
            s.sendall(hello(1)[:10])          # half a Hello
        socks.append(s)
    healthy("300 half-open connections (while open)")
    for s in socks:
        s.close()

def pipelined_flood():
    s = logged_in()
    n = 2000
    got, closed = exchange(s, b"".join(frame(request(100 + i, PING, b"")) for i in range(n)), want=n, timeout=20)
    ok(len(got) == n and [g[0] for g in got] == list(range(100, 100 + n)) and not closed,
       "2000 pipelined requests answered in order")

import struct
written.update({"north": "North"})
for attack in (random_bytes, truncated, zero_length, huge_length, invalid_protobuf, wrong_message,
               unknown_enums, missing_fields, bad_strings, before_login, half_open, pipelined_flood):
    try:
        attack()
    except Exception as e:  # an attack that could not even run is a failure
        ok(False, "%s raised %r" % (attack.__name__, e))
    healthy(attack.__name__)
r = client("--json", "action", "show", "N-1.1", "--plan", "north-2017")
ok(r.returncode == 0 and json.loads(r.stdout).get("title") == "Reduce caseloads", "the action is intact")
print("%d failed" % failed)
sys.exit(1 if failed else 0)
