#!/usr/bin/env bash
# A full database (PRAGMA max_page_count through --max-db-pages): writers get
# RESOURCE_EXHAUSTED, reads keep working, nothing is half-written, the
# server stays up, and writes resume once there is room again.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
export PLANBOARD_TOKEN="$(cat "$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT")"
expect_ok as admin locality add north "North"
stop_server
pages=$(sqlite3 "$DB" "PRAGMA page_count")
start_server --max-db-pages $((pages + 3))

long="$(printf 'x%.0s' $(seq 1 190))"
full=0
for i in $(seq 1 200); do
  as admin locality add "l$i" "$long $i"
  if [ "$RC" -ne 0 ]; then full=$i; break; fi
done
check "the database filled up (at write $full)" test "$full" -gt 1
check "full write gets exit 7" test "$RC" -eq 7
expect_err "RESOURCE_EXHAUSTED: the database is full"
# Reads keep working, other writes keep failing cleanly, the server lives.
expect_ok as admin --json locality list
expect_json 'len(j)' "$full"
expect_rc 7 as admin locality add another "$long another"
expect_err "RESOURCE_EXHAUSTED"
expect_ok as admin whoami
check "server alive when full" server_alive
check "the failed write left no row" test "$(sqlite3 "$DB" "SELECT count(*) FROM locality WHERE code='l$full'")" -eq 0
check "the failed write left no event" test "$(sqlite3 "$DB" "SELECT count(*) FROM event WHERE ref='l$full'")" -eq 0
check "server logged the full database" grep -q "database is full\|SQLITE_FULL\|database or disk is full" "$T/server.log"

# Room is made (the operator raises the limit): writes resume.
stop_server
start_server --max-db-pages $((pages + 200))
expect_ok as admin locality add "l$full" "$long $full"
expect_ok as admin --json locality list
expect_json 'len(j)' "$((full + 1))"
check "integrity ok" test "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok
finish
