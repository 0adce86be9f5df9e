#!/usr/bin/env bash
# The acceptance scenario: three locality clients and a county client
# update actions at once (the county client on the localities' actions
# too, so updates collide and conflicts are retried), one locality also
# submits a return as an atomic batch, while a watcher
# records the stream. Afterwards every acknowledged change is in the
# database and in the stream exactly once, the stream is in commit order
# without a gap, and no update was lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conc_lib.sh"
start_server --heartbeat 1
conc_setup
ROUNDS=20

as admin --json admin stats
s0="$(json_get 'j["events"]')"
# --since: the stream starts right after s0 however late the watcher
# gets going on a loaded machine (the replay joins the live stream).
env XDG_CONFIG_HOME="$T/cfg-admin" "$PLANBOARD" watch --since "$s0" >"$T/stream.out" 2>"$T/stream.err" & wpid=$!

# writer USER REF...: ROUNDS updates round the REFs; each acknowledged one
# is appended to $T/ack-USER as "REF VERSION NOTE". A CONFLICT (someone
# else got there first) is retried with the fresh version, as a person would.
writer() {
  local user="$1"; shift
  local refs=("$@") i try ref note out rc
  for i in $(seq 1 "$ROUNDS"); do
    ref="${refs[$((i % ${#refs[@]}))]}"
    note="$user-$i"
    for try in 1 2 3 4 5 6 7 8; do
      out="$(XDG_CONFIG_HOME="$T/cfg-$user" "$PLANBOARD" --json action update "$ref" --plan p1 --note "$note" 2>>"$T/err-$user")"
      rc=$?
      if [ "$rc" -eq 0 ]; then
        echo "$ref $(grep -o '"version": [0-9]*' <<<"$out" | grep -o '[0-9]*$') $note" >>"$T/ack-$user"
        break
      fi
      [ "$rc" -eq 5 ] || { echo "$ref rc=$rc" >>"$T/fail-$user"; break; }
    done
  done
}
# east also submits its monthly return as one atomic batch meanwhile.
v="$(version E-2)"
for i in $(seq 1 "$ROUNDS"); do
  echo "action update E-2 --plan p1 --if-version $((v + i - 1)) --note \"return-$i\""
done >"$T/return.txt"
writer loc_north N-1 N-2 C-1 & w1=$!
writer loc_south S-1 S-2 & w2=$!
writer loc_east E-1 & w3=$!
writer admin N-1 S-1 E-1 C-1 & w4=$!
XDG_CONFIG_HOME="$T/cfg-loc_east" "$PLANBOARD" batch --atomic "$T/return.txt" >"$T/return.out" 2>&1 & w5=$!
wait $w1 $w2 $w3 $w4 $w5
check "the return batch applied" grep -q "batch: $ROUNDS requests, 0 failed, applied" "$T/return.out"
sed -n 's/^line \([0-9]*\): OK E-2 version \([0-9]*\)$/E-2 \2 return-\1/p' "$T/return.out" >"$T/ack-return"

check "no writer gave up" test -z "$(cat "$T"/fail-* 2>/dev/null)"
acks="$(cat "$T"/ack-*)"
check "every update acknowledged ($(wc -l <<<"$acks") of $((ROUNDS * 5)))" test "$(wc -l <<<"$acks")" -eq $((ROUNDS * 5))

as admin --json admin stats
total="$(json_get 'j["events"]')"
check "one event per acknowledged update" test "$((total - s0))" -eq $((ROUNDS * 5))
# Let the watcher catch up, then stop it.
for _ in $(seq 1 300); do [ "$(awk 'END{print $1}' "$T/stream.out")" = "$total" ] && break; sleep 0.1; done
kill $wpid; wait $wpid 2>/dev/null

check "stream in commit order, no gap, no duplicate" test \
  "$(awk '{print $1}' "$T/stream.out" | tr '\n' ' ')" = "$(seq $((s0 + 1)) "$total" | tr '\n' ' ')"

# Every acknowledged change: in the database (its version carries its
# note) and in the stream exactly once.
for ref in N-1 N-2 S-1 S-2 E-1 E-2 C-1; do
  as admin --json action history "$ref" --plan p1
  echo "$OUT" >"$T/hist-$ref.json"
done
check "database and stream hold every acknowledged change exactly once" python3 - "$T" <<'PY'
import json, sys, collections, os
t = sys.argv[1]
acks = []
for f in os.listdir(t):
    if f.startswith("ack-"):
        acks += [l.split(" ", 2) for l in open(os.path.join(t, f)).read().splitlines()]
stream = collections.Counter()
for line in open(os.path.join(t, "stream.out")):
    parts = line.split(" ", 6)
    if parts[3] == "action" and parts[4] == "update":
        stream[parts[6].split(":")[0]] += 1     # "N-1 v7"
ok = True
per_ref = collections.Counter()
for ref, version, note in acks:
    per_ref[ref] += 1
    hist = json.load(open(os.path.join(t, f"hist-{ref}.json")))
    got = [u for u in hist if u["version"] == int(version)]
    if len(got) != 1 or got[0].get("note") != note:
        print("not in the database as acknowledged:", ref, version, note, got); ok = False
    if stream[f"{ref} v{version}"] != 1:
        print("not in the stream exactly once:", ref, version, stream[f"{ref} v{version}"]); ok = False
for ref, n in per_ref.items():
    hist = json.load(open(os.path.join(t, f"hist-{ref}.json")))
    if len(hist) != n + 1:    # the "created" version plus each update
        print("lost or extra updates on", ref, len(hist), n); ok = False
sys.exit(0 if ok else 1)
PY

as admin --json admin stats
expect_json 'j["commits"] > 0 and j["write_requests"] >= j["commits"]' True
server_alive; check "server still running" test $? -eq 0
finish
