#!/usr/bin/env bash
# One client that never stops sending must not starve anyone: while a
# flooder keeps 512 Pings in flight, another client's write is committed
# and answered, a new connection is accepted and served, and SIGTERM is
# handled promptly. Starved means no answer at all, so the bounds are wide
# (a sanitizer build on a loaded machine with a slow disk): they catch a
# client that waits for the flood to end, not a slow machine.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
python3 "$(dirname "$0")/flood.py" "$PLANBOARD_PORT" admin "$ADMIN_PW" 60 >"$T/flood.out" 2>&1 &
FLOOD=$!
sleep 1.5
# A write (group commit) on another connection, answered while the flood goes on.
start=$(date +%s%N)
expect_ok as admin --timeout 15000 locality add fairness "Fairness Test"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "write answered during the flood in ${ms} ms (< 10000)" test "$ms" -lt 10000
# A new connection: accepted, logged in, answered.
start=$(date +%s%N)
expect_ok as admin --timeout 15000 --json locality list
expect_json '"fairness" in [l["code"] for l in j]' True
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "new connection served during the flood in ${ms} ms (< 10000)" test "$ms" -lt 10000
check "the flooder is still being served" kill -0 "$FLOOD"
# SIGTERM during the flood: the server stops within a few seconds (the
# flooder, which would go on for 60 s, stops when the server closes).
start=$(date +%s%N)
stop_server TERM
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "SIGTERM handled during the flood in ${ms} ms (< 15000)" test "$ms" -lt 15000
check "server exited cleanly (exit $RC)" test "$RC" -eq 0
check "not by the 5 s stop timeout" test "$(grep -c 'did not drain' "$T/server.log")" -eq 0
wait "$FLOOD" 2>/dev/null
check "the flooder got replies ($(cat "$T/flood.out"))" test "$(cat "$T/flood.out" | tail -1)" -gt 1000
finish
