#!/usr/bin/env bash
# One client that never stops sending must not starve anyone: while a
# flooder keeps 512 Pings in flight, another client's write is committed
# and answered, a new connection is accepted and served, and SIGTERM is
# handled promptly.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
python3 "$(dirname "$0")/flood.py" "$PLANBOARD_PORT" admin "$ADMIN_PW" 8 >"$T/flood.out" 2>&1 &
FLOOD=$!
sleep 1.5
# A write (group commit) on another connection, answered while the flood goes on.
start=$(date +%s%N)
expect_ok as admin --timeout 5000 locality add fairness "Fairness Test"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "write answered during the flood in ${ms} ms (< 3000)" test "$ms" -lt 3000
# A new connection: accepted, logged in, answered.
start=$(date +%s%N)
expect_ok as admin --timeout 5000 --json locality list
expect_json '"fairness" in [l["code"] for l in j]' True
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "new connection served during the flood in ${ms} ms (< 3000)" test "$ms" -lt 3000
check "the flooder is still being served" kill -0 "$FLOOD"
# SIGTERM during the flood: the server stops within a few seconds.
start=$(date +%s%N)
stop_server TERM
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "SIGTERM handled during the flood in ${ms} ms (< 6000)" test "$ms" -lt 6000
check "server exited cleanly (exit $RC)" test "$RC" -eq 0
wait "$FLOOD" 2>/dev/null
check "the flooder got replies ($(cat "$T/flood.out"))" test "$(cat "$T/flood.out" | tail -1)" -gt 1000
finish
