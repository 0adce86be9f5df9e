#!/usr/bin/env bash
# A batch file holds changes only: a line whose command reads (a backup, a
# report, a login, a list) is an error of its own line and nothing of it
# is sent or done, even with --dry-run; an update's read of the current
# version is still allowed.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
expect_ok as admin locality add north "North"
expect_ok as admin plan add p1 "Plan" --locality north --start 2017-06-01 --end 2017-12-31
expect_ok as admin theme add --plan p1 lead "Leadership"
expect_ok as admin action add --plan p1 --theme lead N-1 "Appoint managers" --owner "Head" --due 2017-08-31
events() { sqlite3 -cmd ".timeout 2000" "$DB" "SELECT count(*) FROM event"; }
before="$(events)"

cat >"$T/b.txt" <<EOT
admin backup $T/backup.db
report --plan p1 --format md -o $T/report.md
export --kind measurements -o $T/export.csv
login --user admin
whoami
action list --plan p1
action update N-1 --plan p1 --note "checked"
EOT
for mode in --dry-run ""; do
  PLANBOARD_PASSWORD="$ADMIN_PW" expect_rc 1 as admin batch $mode "$T/b.txt"
  expect_err "line 1: 'admin backup' changes nothing; only changes belong in a batch"
  expect_err "line 2: 'report' changes nothing"
  expect_err "line 3: 'export' changes nothing"
  expect_err "line 5: 'whoami' changes nothing"
  expect_err "line 6: 'action list' changes nothing"
  expect_out "line 7: "
  check "no backup made ($mode)" test ! -e "$T/backup.db"
  check "no report written ($mode)" test ! -e "$T/report.md"
  check "no export written ($mode)" test ! -e "$T/export.csv"
done
check "no backup in the server log" bash -c "! grep -qi 'backup' '$T/server.log'"
# the update line ran once, for real, in the second (not dry) batch
expect_ok as admin --json action show N-1 --plan p1
expect_json 'j["version"]' 2
check "one event: the update ($before)" test "$(events)" -eq $((before + 1))
finish
