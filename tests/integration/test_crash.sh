#!/usr/bin/env bash
# Crash safety: SIGKILL planboardd at 20 moments while three clients write
# (localities, and updates of one shared action), restart it, and check
# that every acknowledged write is present, nothing is half-applied (every
# row has its event and every event its row; each action version has its
# history row) and PRAGMA integrity_check is ok.
. "$(dirname "$0")/lib.sh"
ROUNDS="${CRASH_ROUNDS:-20}"
sql() { sqlite3 -cmd ".timeout 5000" "$DB" "$1"; }
start_server
login admin "$ADMIN_PW"
expect_ok as admin locality add north "North"
expect_ok as admin plan add north-2017 "North plan" --locality north
expect_ok as admin theme add --plan north-2017 t1 "Caseloads"
expect_ok as admin action add --plan north-2017 --theme t1 N-1.1 "Reduce caseloads" --locality north
# The port changes with every restart; the token does not.
export PLANBOARD_TOKEN="$(cat "$T/cfg-admin/planboard/token-127.0.0.1-$PLANBOARD_PORT")"
stop_server

writer() { # writer ROUND N: write until the server dies; log what was acknowledged
  local i=0 cfg="$T/cfg-admin"
  while :; do
    i=$((i + 1))
    if XDG_CONFIG_HOME="$cfg" "$PLANBOARD" --timeout 2000 locality add "r$1w$2n$i" "Round $1 writer $2 #$i" \
         >/dev/null 2>&1; then
      echo "r$1w$2n$i" >>"$T/acked"
    else
      return 0
    fi
    if XDG_CONFIG_HOME="$cfg" "$PLANBOARD" --timeout 2000 action update N-1.1 --plan north-2017 \
         --note "r$1w$2n$i" >/dev/null 2>&1; then
      echo "r$1w$2n$i" >>"$T/acked-notes"
    else
      return 0
    fi
  done
}

: >"$T/acked"; : >"$T/acked-notes"
for round in $(seq 1 "$ROUNDS"); do
  start_server
  pids=()
  before="$(wc -l <"$T/acked")"
  for w in 1 2 3; do writer "$round" "$w" & pids+=($!); done
  # In even rounds the writes have begun first (one acknowledged, up to
  # 10 s on a slow machine), so that every run has acknowledged writes
  # to check; odd rounds may kill during recovery or the first commit.
  # Then a different kill point each round: 50..1000 ms later.
  if [ $((round % 2)) -eq 0 ]; then
    for _ in $(seq 1 200); do [ "$(wc -l <"$T/acked")" -gt "$before" ] && break; sleep 0.05; done
  fi
  sleep "0.$(printf '%03d' $(( (RANDOM % 950) + 50 )))"
  kill -KILL "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
  wait "${pids[@]}"
  ic="$(sql "PRAGMA integrity_check" 2>&1)"
  check "round $round: integrity_check ok (got: $ic)" test "$ic" = ok
done
start_server
check "server restarts after $ROUNDS kills" server_alive

acked=$(wc -l <"$T/acked")
check "writes were acknowledged ($acked)" test "$acked" -gt "$ROUNDS"
missing=0
while read -r code; do
  [ "$(sql "SELECT count(*) FROM locality WHERE code='$code'")" = 1 ] || { missing=$((missing + 1)); echo "lost: $code" >&2; }
done <"$T/acked"
check "every acknowledged locality is present" test "$missing" -eq 0
missing=0
while read -r note; do
  [ "$(sql "SELECT count(*) FROM action_version WHERE note='$note'")" = 1 ] || { missing=$((missing + 1)); echo "lost note: $note" >&2; }
done <"$T/acked-notes"
check "every acknowledged action update is present ($(wc -l <"$T/acked-notes"))" test "$missing" -eq 0
# Nothing half-applied.
check "every locality has its event" \
  test "$(sql "SELECT count(*) FROM locality l WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.entity='locality' AND e.op='add' AND e.ref=l.code)")" -eq 0
check "every locality event has its locality" \
  test "$(sql "SELECT count(*) FROM event e WHERE e.entity='locality' AND e.op='add' AND NOT EXISTS (SELECT 1 FROM locality l WHERE l.code=e.ref)")" -eq 0
check "action version matches its progress records" \
  test "$(sql "SELECT a.version = (SELECT count(*) FROM action_version v WHERE v.action_id=a.id) AND a.version = (SELECT max(version) FROM action_version v WHERE v.action_id=a.id) FROM action a WHERE a.ref='N-1.1'")" = 1
echo "$ROUNDS SIGKILLs: $acked acknowledged localities and $(wc -l <"$T/acked-notes") acknowledged action updates, all present"
check "final integrity_check ok" test "$(sql 'PRAGMA integrity_check')" = ok
check "foreign keys ok" test -z "$(sql 'PRAGMA foreign_key_check')"
RC=0; "$PLANBOARDD" --check --db "$DB" >/dev/null 2>&1 || RC=$?
check "planboardd --check ok" test "$RC" -eq 0
expect_ok as admin --json locality list
finish
