#!/usr/bin/env bash
# A progress update runs without a savepoint of its own (H_CHECKS_FIRST):
# when the database fills up half-way through one (the action row
# updated, its version row or event refused), the whole group
# transaction is rolled back. Whatever the point of failure, the update
# is refused with RESOURCE_EXHAUSTED, nothing of it is left (version,
# version row and event agree), the server lives and writes resume once
# there is room.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
# The token outlives the restarts below (each gets a new port).
export PLANBOARD_TOKEN="$(cat "$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT")"
expect_ok as admin locality add north "North"
expect_ok as admin plan add p1 "Plan" --locality north --start 2017-06-01 --end 2017-12-31
expect_ok as admin theme add --plan p1 lead "Leadership"
expect_ok as admin action add --plan p1 --theme lead N-1 "Appoint managers" --owner "Head" --due 2017-08-31
stop_server
pages=$(sqlite3 "$DB" "PRAGMA page_count")
start_server --max-db-pages $((pages + 4))

long="$(printf 'y%.0s' $(seq 1 150))"
ok=0 failed=0
for i in $(seq 1 400); do
  as admin action update N-1 --plan p1 --note "$long $i" --rag $([ $((i % 2)) = 0 ] && echo red || echo amber)
  if [ "$RC" -ne 0 ]; then failed=$i; break; fi
  ok=$((ok + 1))
done
check "the database filled up during the updates (after $ok)" test "$failed" -gt 0
check "the refused update exits 7 (rc=$RC)" test "$RC" -eq 7
expect_err "RESOURCE_EXHAUSTED"
check "server alive" server_alive
q() { sqlite3 -cmd ".timeout 2000" "$DB" "$1"; }
check "version counts the accepted updates only" test "$(q "SELECT version FROM action WHERE ref='N-1'")" -eq $((ok + 1))
check "one version row per version" test "$(q "SELECT count(*) FROM action_version v JOIN action a ON a.id = v.action_id WHERE a.ref='N-1'")" -eq $((ok + 1))
check "one update event per accepted update" test "$(q "SELECT count(*) FROM event WHERE entity='action' AND ref='N-1' AND op='update'")" -eq "$ok"
check "the refused note is nowhere" test "$(q "SELECT count(*) FROM action_version WHERE note = '$long $failed'")" -eq 0
expect_ok as admin --json action show N-1 --plan p1
expect_json 'j["version"]' $((ok + 1))

stop_server
start_server --max-db-pages $((pages + 400))
expect_ok as admin action update N-1 --plan p1 --note "room again" --rag green
expect_ok as admin --json action show N-1 --plan p1
expect_json 'j["version"]' $((ok + 2))
check "integrity ok" test "$(q 'PRAGMA integrity_check')" = ok

# An error that SQLite does not answer by rolling back by itself (here a
# trigger refusing the update's event, after the action row and its
# version row were written): the server rolls the group back itself.
stop_server
q "CREATE TRIGGER refuse_event BEFORE INSERT ON event WHEN NEW.ref = 'N-1'
   BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;"
v="$(q "SELECT version FROM action WHERE ref='N-1'")"
start_server --max-db-pages $((pages + 400))
as admin action update N-1 --plan p1 --note "half way" --rag red
check "the update failing half-way is refused (rc=$RC)" test "$RC" -ne 0
check "its action row change was rolled back" test "$(q "SELECT version FROM action WHERE ref='N-1'")" -eq "$v"
check "its version row was rolled back" test "$(q "SELECT count(*) FROM action_version WHERE note = 'half way'")" -eq 0
check "the server says it rolled the group back" grep -q "rolling back its group" "$T/server.log"
check "server alive" server_alive
q "DROP TRIGGER refuse_event"
expect_ok as admin action update N-1 --plan p1 --note "after the trigger" --rag red
check "integrity ok at the end" test "$(q 'PRAGMA integrity_check')" = ok
finish
