#!/usr/bin/env bash
# planboard watch: changes as they are committed, filters, --json lines,
# resuming with --since without a gap or a duplicate, and a watcher that
# never reads being dropped (told how to resume) while other clients keep
# their latency.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conc_lib.sh"
start_server --max-output 65536 --heartbeat 1
conc_setup

# The client as admin; `env` execs it, so $! of "${ADM[@]}" ... & is the
# client itself (for kill -STOP).
ADM=(env XDG_CONFIG_HOME="$T/cfg-admin" "$PLANBOARD")
seqs() { awk '{print $1}' "$1" | tr '\n' ' '; }
last_seq() { as admin --json admin stats; json_get 'j["events"]'; }
# wait_watchers N: until the server counts N watchers (a watch client is
# a process that has to start, log in and send Watch: on a loaded machine
# that can take longer than any fixed sleep). Gives up after 20 s.
wait_watchers() {
  for _ in $(seq 1 200); do
    as admin --json admin stats
    [ "$(json_get 'j["watchers"]')" = "$1" ] && return 0
    sleep 0.1
  done
}

# --- help and usage errors ---
expect_ok as admin watch --help
expect_out "--since SEQ"
expect_rc 1 as admin watch --since -3
expect_rc 1 as admin watch --count 0
expect_rc 1 as admin watch extra
expect_rc 6 as admin watch --since 999999
expect_err "not a committed event"
expect_rc 3 as nobody watch
expect_rc 4 as admin watch --plan nope
expect_err "NOT_FOUND"
expect_rc 4 as admin watch --locality nowhere

# --- live: three changes arrive in order, each once, with their numbers ---
start="$(last_seq)"
"${ADM[@]}" watch --count 3 >"$T/live.out" 2>"$T/live.err" & wp=$!
wait_watchers 1
as admin admin stats
expect_out "watchers             1"
for i in 1 2 3; do as loc_north action update N-1 --plan p1 --note "live $i"; done
wait $wp; check "watch --count exits 0" test $? -eq 0
check "three live events" test "$(wc -l <"$T/live.out")" -eq 3
check "numbers follow the last committed" test "$(seqs "$T/live.out")" = "$((start + 1)) $((start + 2)) $((start + 3)) "
check "events name the change" grep -q "loc_north action update N-1 N-1 v4: note added" "$T/live.out"

# --- heartbeats keep a quiet watch alive (--silence 2 > --heartbeat 1) ---
timeout 4 "${ADM[@]}" watch --silence 2 >"$T/quiet.out" 2>"$T/quiet.err"
check "quiet watch outlives its --silence thanks to heartbeats (rc $?)" test $? -eq 124
# and without heartbeats (a server that says nothing) it gives up with a hint
stop_server
start_server --max-output 65536 --heartbeat 30
relogin
"${ADM[@]}" watch --silence 1 >"$T/silent.out" 2>"$T/silent.err"
check "silent server: watch exits 2" test $? -eq 2
check "silent server: resume hint" grep -q "resume with: planboard watch --since" "$T/silent.err"
# --- watchers are exempt from the idle timeout ---
stop_server
start_server --max-output 65536 --heartbeat 1 --idle-timeout 1
relogin
timeout 3 "${ADM[@]}" watch --silence 2 >"$T/idle.out" 2>"$T/idle.err"
check "a watch outlives --idle-timeout 1 (rc $?)" test $? -eq 124
stop_server
start_server --max-output 65536 --heartbeat 1
relogin

# --- filters: locality, kind, plan ---
as admin plan add p2 "Another plan"
start="$(last_seq)"
"${ADM[@]}" watch --locality south --count 1 >"$T/south.out" 2>&1 & p1=$!
"${ADM[@]}" --json watch --kind user --count 1 >"$T/user.out" 2>&1 & p2=$!
"${ADM[@]}" watch --plan p2 --count 1 >"$T/nope.out" 2>&1 & p3=$!
wait_watchers 3
expect_json 'j["watchers"]' 3
as loc_north action update N-2 --plan p1 --note "north, not south"
as loc_south action update S-1 --plan p1 --status blocked
add_user viewer1 viewer "Pw-viewer-123456"
wait $p1 $p2
check "locality filter: only south's change" test "$(wc -l <"$T/south.out")" -eq 1
check "locality filter: the S-1 change" grep -q " S-1 S-1 v2: status not_started->blocked" "$T/south.out"
check "kind filter: the user change" python3 -c '
import json,sys
lines=open(sys.argv[1]).read().splitlines()
assert len(lines)==1, lines
e=json.loads(lines[0])
assert e["entity"]=="user" and e["seq"]=='"$((start + 3))"', e' "$T/user.out"
kill $p3 2>/dev/null; wait $p3 2>/dev/null
check "plan filter: nothing for another plan" test ! -s "$T/nope.out"

# --- --json: one object a line, proto field names ---
"${ADM[@]}" --json watch --since 0 --count 5 >"$T/json.out"
check "json lines parse with proto names" python3 -c '
import json,sys
lines=open(sys.argv[1]).read().splitlines()
assert len(lines)==5
for i,l in enumerate(lines):
    e=json.loads(l)
    assert e["seq"]==i+1 and {"seq","time","entity","op"} <= e.keys(), e' "$T/json.out"

# --- disconnect and resume: every event exactly once ---
"${ADM[@]}" watch --since 0 --count 4 >"$T/part1.out"
resume="$(awk 'END{print $1}' "$T/part1.out")"
for i in 1 2 3; do as loc_east action update E-1 --plan p1 --note "while away $i"; done
total="$(last_seq)"
"${ADM[@]}" watch --since "$resume" --count "$((total - resume))" >"$T/part2.out"
check "resumed stream is 1..$total exactly once" test "$(cat "$T/part1.out" "$T/part2.out" | awk '{print $1}' | tr '\n' ' ')" = "$(seq 1 "$total" | tr '\n' ' ')"

# --- a watcher that never reads is dropped; others keep their latency ---
"${ADM[@]}" watch >"$T/stuck.out" 2>"$T/stuck.err" & sp=$!
wait_watchers 1
expect_json 'j["watchers"]' 1
kill -STOP $sp
v="$(version C-1)"
long="$(printf 'x%.0s' $(seq 1 180))"
: >"$T/many.txt"
for i in $(seq 0 1999); do
  echo "action update C-1 --plan p1 --if-version $((v + i)) --title \"$((i % 2))$long\"" >>"$T/many.txt"
done
as admin batch "$T/many.txt"
check "2000 updates applied" test "$RC" -eq 0
# A loop blocked on the stuck watcher would answer nothing; the bounds
# leave room for a loaded machine (process start, the checkpoint of the
# 2000 updates running meanwhile).
: >"$T/times"
for i in $(seq 1 10); do
  t0=$(date +%s%N); as loc_north action show N-1 --plan p1; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >>"$T/times"
  check "read $i answered while a watcher is stuck" test "$RC" -eq 0
done
median="$(sort -n "$T/times" | sed -n 5p)"; worst="$(sort -n "$T/times" | tail -1)"
check "reads stay fast while a watcher is stuck (median ${median} ms, worst ${worst} ms)" \
  test "$median" -lt 1000 -a "$worst" -lt 5000
# The drop comes at the next commit or heartbeat (1 s here).
for _ in $(seq 1 50); do
  as admin --json admin stats
  [ "$(json_get 'j["watchers_dropped"]')" = 1 ] && break
  sleep 0.1
done
expect_json 'j["watchers_dropped"]' 1
expect_json 'j["watchers"]' 0
kill -CONT $sp
wait $sp; src=$?
check "dropped watcher exits 2" test "$src" -eq 2
check "dropped watcher is told how to resume" grep -q "resume with: planboard watch --since" "$T/stuck.err"
n="$(sed -n 's/.*--since \([0-9]*\).*/\1/p' "$T/stuck.err" | tail -1)"
total="$(last_seq)"
: >"$T/rest.out"
[ "$n" -lt "$total" ] && "${ADM[@]}" watch --since "$n" --count "$((total - n))" >"$T/rest.out"
check "stuck + resumed stream has no gap or duplicate" test \
  "$(cat "$T/stuck.out" "$T/rest.out" | awk '{print $1}' | sort -n | uniq -d | wc -l)" -eq 0
check "stuck + resumed stream reaches the end" test "$(cat "$T/stuck.out" "$T/rest.out" | awk 'END{print $1}')" = "$total"

# --- a replay far larger than --max-output comes in slices, whole ---
total="$(last_seq)"
"${ADM[@]}" watch --since 0 --count "$total" >"$T/all.out" 2>"$T/all.err"
check "long replay ($total events) exits 0" test $? -eq 0
check "long replay arrives whole and in order" test \
  "$(awk '{print $1}' "$T/all.out" | tr '\n' ' ')" = "$(seq 1 "$total" | tr '\n' ' ')"
as admin --json admin stats
expect_json 'j["watchers_dropped"]' 1

# --- a replay read slowly is not dropped, even when its last slice alone
# is over --max-output and heartbeats come meanwhile (the last 480 events
# are the long-title updates above: two slices of ~100 KB) ---
total="$(last_seq)"
TOKEN="$(cat "$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT")"
RC=0; OUT="$(python3 "$(dirname "$0")/watch_slow.py" "$PLANBOARD_PORT" "$TOKEN" "$((total - 480))" 480 2>&1)" || RC=$?
check "slow replay reader gets all 480 events, not dropped ($OUT)" test "$RC" -eq 0
as admin --json admin stats
expect_json 'j["watchers_dropped"]' 1
# --- ... but one that takes nothing for four heartbeats is dropped ---
RC=0; OUT="$(python3 "$(dirname "$0")/watch_slow.py" "$PLANBOARD_PORT" "$TOKEN" "$((total - 480))" 480 stuck 2>&1)" || RC=$?
check "a replay nobody reads is dropped and closed ($OUT)" test "$RC" -eq 0
as admin --json admin stats
expect_json 'j["watchers_dropped"]' 2

server_alive; check "server still running" test $? -eq 0
finish
