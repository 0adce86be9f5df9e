#!/usr/bin/env bash
# Backups: `planboard admin backup` under concurrent writers, its errors,
# `planboardd --check` on good, corrupt and missing files, and restore:
# start a server on the backup and read every record back.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
add_user vera viewer "Quiet-Meadow-2017"
login vera "Quiet-Meadow-2017"
for i in $(seq 1 20); do as admin locality add "pre$i" "Before backup $i"; done

# Writers keep going while the backup is taken.
writer() { # writer N: add localities wN-1.. until told to stop; log the acknowledged ones
  local i=0
  while [ ! -e "$T/stop" ]; do
    i=$((i + 1))
    XDG_CONFIG_HOME="$T/cfg-admin" PLANBOARD_USER=admin "$PLANBOARD" locality add "w$1-$i" "Writer $1 row $i" \
      >/dev/null 2>&1 && echo "w$1-$i" >>"$T/acked-$1"
  done
}
writer 1 & W1=$!
writer 2 & W2=$!
acked() { cat "$T"/acked-* 2>/dev/null | wc -l; }
# The writers have begun (up to 30 s on a loaded machine) when the backup starts.
for _ in $(seq 1 300); do [ "$(acked)" -gt 0 ] && break; sleep 0.1; done
n0="$(acked)"
expect_ok as admin --json admin backup "$T/backup.db"
expect_json 'j["path"]' "$T/backup.db"
# They go on: three more writes acknowledged after the backup started
# (waited for, however slow the machine; a backup that left them stuck
# for good would fail here).
for _ in $(seq 1 300); do [ "$(acked)" -gt $((n0 + 2)) ] && break; sleep 0.1; done
touch "$T/stop"; wait "$W1" "$W2"
check "writers began before the backup ($n0)" test "$n0" -gt 0
check "writers went on during and after the backup ($n0 -> $(acked))" test "$(acked)" -gt $((n0 + 2))
check "backup file mode 0600" test "$(stat -c %a "$T/backup.db")" = 600

# Errors a user can reach.
expect_rc 5 as admin admin backup "$T/backup.db"
expect_err "already exists"
expect_rc 6 as admin admin backup relative.db
expect_err "must be absolute"
expect_rc 7 as admin admin backup "$T/no-such-dir/b.db"
expect_err "cannot create"
expect_rc 3 as vera admin backup "$T/vera.db"
check "viewer made no file" test ! -e "$T/vera.db"
expect_rc 1 as admin admin backup
expect_ok as admin admin backup --help
expect_out "online backup"

# --check: good, corrupt and missing files.
RC=0; OUT="$("$PLANBOARDD" --check --db "$T/backup.db" 2>&1)" || RC=$?
check "--check accepts the backup" test "$RC" -eq 0
expect_out "integrity ok, foreign keys ok"
cp "$T/backup.db" "$T/corrupt.db"
size=$(stat -c %s "$T/corrupt.db")
# Overwrite the middle pages with junk (not the header, so it still opens).
dd if=/dev/urandom of="$T/corrupt.db" bs=4096 seek=2 count=$(( size / 4096 - 3 )) conv=notrunc 2>/dev/null
RC=0; OUT="$("$PLANBOARDD" --check --db "$T/corrupt.db" 2>&1)" || RC=$?
check "--check rejects a corrupt file" test "$RC" -eq 1
expect_out "FAILED"
RC=0; OUT="$("$PLANBOARDD" --check --db "$T/missing.db" 2>&1)" || RC=$?
check "--check rejects a missing file" test "$RC" -eq 1
expect_out "No such file"

# Restore: the live data, then a server on the backup.
as admin --json locality list
echo "$OUT" | python3 -c 'import json,sys; print("\n".join(sorted(l["code"] for l in json.load(sys.stdin))))' >"$T/live.txt"
stop_server
LIVE_DB="$DB"; DB="$T/backup.db"
start_server
login admin "$ADMIN_PW"
as admin --json locality list
echo "$OUT" | python3 -c 'import json,sys; print("\n".join(sorted(l["code"] for l in json.load(sys.stdin))))' >"$T/restored.txt"
check "every pre-backup row restored" test "$(grep -c '^pre' "$T/restored.txt")" -eq 20
check "restored rows are a subset of the live ones" test -z "$(comm -23 "$T/restored.txt" "$T/live.txt")"
check "restored rows have their names" test "$(as admin --json locality list; json_get '[l["name"] for l in j if l["code"]=="pre7"][0]')" = "Before backup 7"
# Every locality in the backup has its event, and no event lacks its row.
check "events match rows in the backup" test "$(sqlite3 "$DB" "SELECT count(*) FROM locality l WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.entity='locality' AND e.ref=l.code)")" -eq 0
expect_ok as admin locality add after "Written after restore"
stop_server
DB="$LIVE_DB"
finish
