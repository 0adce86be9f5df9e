#!/usr/bin/env python3
"""make_corpus.py: write the seed corpora for the fuzz targets from
hand-encoded requests (tests/integration/pbwire.py). Run once; the output
is committed under tests/fuzz/corpus/. Crash inputs found later are added
by hand with a name saying what they were."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from pbwire import *

here = os.path.dirname(os.path.abspath(__file__))

def write(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def req(rid, field, body=b"", extra=b""):
    return frame(request(rid, field, body, extra))

loc = lambda c, n: f_bytes(1, f_bytes(1, c) + f_bytes(2, n))
plan = f_bytes(1, f_bytes(1, "north-2017") + f_bytes(2, "North plan") + f_bytes(3, "north")
               + f_bytes(4, "2017-06-01") + f_bytes(5, "2018-03-31"))
theme = f_bytes(1, f_bytes(1, "north-2017") + f_bytes(2, "t1") + f_bytes(3, "Caseloads"))
action = f_bytes(1, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_bytes(3, "t1")
                 + f_bytes(4, "Reduce caseloads") + f_bytes(7, "north") + f_varint(8, 2)
                 + f_bytes(9, "2017-12-31"))
update = (f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_varint(3, 2) + f_varint(4, 2)
          + f_bytes(5, "on track") + f_varint(7, 1))

seeds = {
    "hello_login_token": hello(1) + login_token(2, "pbt_" + "A" * 40) + req(3, WHOAMI),
    "hello_login_password": hello(1) + login_password(2, "admin", "wrong-password"),
    "hello_bad_version": hello(1, 99),
    "no_hello": req(1, LOCALITY_LIST),
    "reads": req(1, LOCALITY_LIST) + req(2, PLAN_LIST) + req(3, ACTION_LIST, f_bytes(1, "north-2017"))
             + req(4, USER_LIST) + req(5, SERVER_STATUS) + req(6, PING),
    "writes": req(1, LOCALITY_ADD, loc("south", "South")) + req(2, PLAN_ADD, plan)
              + req(3, THEME_ADD, theme) + req(4, ACTION_ADD, action) + req(5, ACTION_UPDATE, update)
              + req(6, ACTION_HISTORY, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1")),
    "unknown_enum": req(1, ACTION_UPDATE, f_bytes(1, "north-2017") + f_bytes(2, "N-1.1") + f_varint(3, 99)),
    "bad_utf8": req(1, LOCALITY_ADD, loc("east", b"\xff\xfe\xc0\x80")),
    "long_title": req(1, LOCALITY_ADD, loc("west", "x" * 300)),
    "sql_text": req(1, LOCALITY_ADD, loc("sql", "'); DROP TABLE user; --")),
    "user_ops": req(1, USER_ADD, f_bytes(1, f_bytes(1, "zoe") + f_varint(2, 4)) + f_bytes(2, "Zz-Password-2017"))
                + req(2, USER_DISABLE, f_bytes(1, "viewer")) + req(3, USER_PASSWD, f_bytes(1, "admin")),
    "recorded_at": req(1, LOCALITY_ADD, loc("old", "Old"), f_bytes(3, "2017-07-01T09:00:00Z")),
    "backup": req(1, ADMIN_BACKUP, f_bytes(1, "/nonexistent/x.db")),
    "unknown_body": frame(f_varint(1, 7) + f_bytes(99, b"\x08\x01")),
    "logout": req(1, LOGOUT) + req(2, WHOAMI),
}
for name, data in seeds.items():
    for prefix, who in ((b"\x00", "anon"), (b"\x01", "admin"), (b"\x02", "viewer")):
        write("fuzz_request", "%s_%s" % (who, name), prefix + data)
    write("fuzz_frame", name, data)
write("fuzz_frame", "zero_length", b"\x00\x00\x00\x00")
write("fuzz_frame", "huge_length", b"\xff\xff\xff\xff" + b"x" * 8)
write("fuzz_frame", "truncated", hello(1)[:7])
write("fuzz_frame", "five_byte_tag", frame(b"\xf8\xff\xff\xff\x7f\x00"))
