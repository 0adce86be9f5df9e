#!/usr/bin/env bash
# A Watch's answer comes before its events (watch_order.py): right after
# the same client's write, whose answer may already be with the sync
# thread, and while another client keeps commits being synced. On a small
# database, where the replay's first slice is ready at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixture.sh"
start_server
fixture_load
TOKEN="$(cat "$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT")"
RC=0; OUT="$(python3 "$(dirname "$0")/watch_order.py" "$PLANBOARD_PORT" "$TOKEN" n1 N-1 2>&1)" || RC=$?
check "a watch is answered before its events ($OUT)" test "$RC" -eq 0
server_alive; check "server still running" test $? -eq 0
finish
