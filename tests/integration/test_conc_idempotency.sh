#!/usr/bin/env bash
# Exactly once: a write retried with the same idempotency key is applied
# once and answered with its original result (same version), also after a
# server restart; the same key with a different request is refused; the
# client retries a write by itself after its connection drops. And no lost
# updates: two clients updating one action from the same version, exactly
# one wins and the other gets CONFLICT with the differences.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conc_lib.sh"
start_server
conc_setup

# --- a retry with the same key is applied once, same version ---
expect_ok as loc_north --json --idempotency-key ret-1 action update N-1 --plan p1 --status in_progress --note "started"
expect_json 'j["version"]' 2
expect_ok as loc_north --json --idempotency-key ret-1 action update N-1 --plan p1 --status in_progress --note "started"
expect_json 'j["version"]' 2
expect_err "original result"
check "retry did not add a version" test "$(version N-1)" = 2

# --- the same key with a different request is refused ---
expect_rc 6 as loc_north --idempotency-key ret-1 action update N-1 --plan p1 --status completed
expect_err "INVALID_ARGUMENT"
expect_err "already used for a different request"
check "refused retry changed nothing" test "$(version N-1)" = 2

# --- keys are per user: another user's same key is a new request ---
expect_ok as admin --json --idempotency-key ret-1 action update N-1 --plan p1 --rag amber
expect_json 'j["version"]' 3

# --- a bad key is refused ---
expect_rc 6 as loc_north --idempotency-key "has space" action update N-2 --plan p1 --note x
expect_err "idempotency key"

# --- kept across a restart ---
stop_server
start_server
relogin
expect_ok as loc_north --json --idempotency-key ret-1 action update N-1 --plan p1 --status in_progress --note "started"
expect_json 'j["version"]' 2
expect_err "original result"
check "replay after restart changed nothing" test "$(version N-1)" = 3

# --- a refusal is kept too: its retry gets the same answer ---
expect_rc 5 as loc_north --idempotency-key stale-1 action update N-2 --plan p1 --if-version 7 --note x
expect_rc 5 as loc_north --idempotency-key stale-1 action update N-2 --plan p1 --if-version 7 --note x
expect_err "original result"

# --- the client retries by itself after a dropped connection ---
before="$(version S-1)"
OUT="$(XDG_CONFIG_HOME="$T/cfg-loc_south" PLANBOARD_TEST_DROP_AFTER_SEND=1 "$PLANBOARD" --json \
  action update S-1 --plan p1 --status in_progress --note "dropped once" 2>"$T/stderr")"
RC=$?; ERR="$(cat "$T/stderr")"
check "write after a dropped connection succeeds" test "$RC" -eq 0
expect_err "original result"
check "applied exactly once" test "$(version S-1)" = "$((before + 1))"
as admin --json action history S-1 --plan p1
expect_json 'sum(1 for u in j if u.get("note") == "dropped once")' 1

# --- two clients race from the same version: exactly one wins ---
v="$(version E-1)"
XDG_CONFIG_HOME="$T/cfg-loc_east" "$PLANBOARD" action update E-1 --plan p1 --if-version "$v" --status completed \
  >"$T/r1.out" 2>"$T/r1.err" & p1=$!
XDG_CONFIG_HOME="$T/cfg-admin" "$PLANBOARD" action update E-1 --plan p1 --if-version "$v" --status blocked --rag red \
  >"$T/r2.out" 2>"$T/r2.err" & p2=$!
wait $p1; rc1=$?; wait $p2; rc2=$?
check "exactly one racer wins ($rc1 $rc2)" test "$(( (rc1 == 0) + (rc2 == 0) ))" -eq 1
check "the other gets CONFLICT ($rc1 $rc2)" test "$(( (rc1 == 5) + (rc2 == 5) ))" -eq 1
loser_err="$(cat "$T/r1.err" "$T/r2.err")"
check "the loser sees CONFLICT" grep -q "CONFLICT" <<<"$loser_err"
check "the loser sees the status difference" grep -q "status: not_started -> " <<<"$loser_err"
check "one new version only" test "$(version E-1)" = "$((v + 1))"

# --- without --if-version the client still sends what it read: --force overrides, recorded ---
expect_ok as admin action update E-1 --plan p1 --if-version 1 --force --note "override"
as admin --json action history E-1 --plan p1
expect_json '[u.get("forced", False) for u in j if u.get("note") == "override"]' "[True]"

server_alive; check "server still running" test $? -eq 0
finish
