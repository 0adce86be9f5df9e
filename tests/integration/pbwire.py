"""pbwire.py: a tiny hand-rolled protobuf encoder/decoder for tests that
must send bytes the real client never would (bad frames, wrong messages,
unknown enum values, invalid UTF-8). Field numbers follow
proto/planboard.proto; only what the tests need."""
import struct

def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def key(field, wt):
    return varint((field << 3) | wt)

def f_varint(field, n):
    return key(field, 0) + varint(n)

def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return key(field, 2) + varint(len(data)) + data

def frame(payload):
    return struct.pack(">I", len(payload)) + payload

def request(rid, body_field, body, extra=b""):
    return f_varint(1, rid) + extra + f_bytes(body_field, body)

# Request body fields
HELLO, LOGIN, LOGOUT, WHOAMI, PING, SERVER_STATUS = 10, 11, 12, 13, 14, 15
LOCALITY_LIST, LOCALITY_ADD, PLAN_LIST, PLAN_SHOW, PLAN_ADD = 20, 21, 22, 23, 24
THEME_LIST, THEME_ADD = 25, 26
ACTION_LIST, ACTION_SHOW, ACTION_ADD, ACTION_UPDATE, ACTION_HISTORY = 30, 31, 32, 33, 34
USER_ADD, USER_LIST, USER_DISABLE, USER_PASSWD = 40, 41, 42, 43
ADMIN_BACKUP = 84

def hello(rid=1, version=1):
    return frame(request(rid, HELLO, f_varint(1, version) + f_bytes(2, "pbwire")))

def login_password(rid, user, password):
    return frame(request(rid, LOGIN, f_bytes(1, user) + f_bytes(2, password)))

def login_token(rid, token):
    return frame(request(rid, LOGIN, f_bytes(3, token)))

def locality_add(rid, code, name):
    return frame(request(rid, LOCALITY_ADD, f_bytes(1, f_bytes(1, code) + f_bytes(2, name))))

def read_frames(data):
    """Split bytes into payloads; returns (payloads, rest)."""
    out = []
    while len(data) >= 4:
        n = struct.unpack(">I", data[:4])[0]
        if len(data) < 4 + n:
            break
        out.append(data[4:4 + n])
        data = data[4 + n:]
    return out, data

def fields(msg):
    """Decode one level of a message: list of (field, wiretype, value)."""
    out, i = [], 0
    def rv():
        nonlocal i
        n = s = 0
        while True:
            b = msg[i]; i += 1
            n |= (b & 0x7F) << s; s += 7
            if not b & 0x80:
                return n
    while i < len(msg):
        k = rv(); f, wt = k >> 3, k & 7
        if wt == 0:
            out.append((f, wt, rv()))
        elif wt == 2:
            n = rv(); out.append((f, wt, msg[i:i + n])); i += n
        elif wt == 1:
            out.append((f, wt, msg[i:i + 8])); i += 8
        elif wt == 5:
            out.append((f, wt, msg[i:i + 4])); i += 4
        else:
            raise ValueError("wire type %d" % wt)
    return out

def response(server_frame):
    """(id, status, error_message) of a ServerFrame holding a Response."""
    for f, wt, v in fields(server_frame):
        if f == 1 and wt == 2:
            rid = status = 0; msg = ""
            for g, wt2, w in fields(v):
                if g == 1: rid = w
                elif g == 2: status = w
                elif g == 3: msg = w.decode("utf-8", "replace")
            return rid, status, msg
    return None

STATUS_NAMES = dict(enumerate("OK BAD_REQUEST UNAUTHENTICATED FORBIDDEN NOT_FOUND CONFLICT "
                         "INVALID_ARGUMENT RESOURCE_EXHAUSTED INTERNAL UNAVAILABLE".split()))
