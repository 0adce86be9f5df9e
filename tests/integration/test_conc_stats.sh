#!/usr/bin/env bash
# planboard admin stats and group commit: writes arriving together share
# a commit, each still answered on its own; --no-group-commit commits each.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conc_lib.sh"
start_server
conc_setup

expect_ok as admin admin stats --help
expect_out "group commit"
expect_rc 1 as admin admin stats extra
expect_rc 1 as admin admin nosuch
expect_rc 3 as loc_north admin stats
"$PLANBOARDD" --help | grep -q -- "--no-group-commit"; check "planboardd --help lists --no-group-commit" test $? -eq 0
"$PLANBOARDD" --heartbeat 0 2>/dev/null; check "planboardd --heartbeat 0 is refused" test $? -eq 1
expect_err "FORBIDDEN"

# 40 writes in one pipelined batch (one bad) arrive together: few commits,
# and the bad one fails alone.
batch_file() {
  : >"$T/w.txt"
  local v="$1" i
  for i in $(seq 0 39); do echo "action update S-1 --plan p1 --if-version $((v + i)) --note n$i" >>"$T/w.txt"; done
  echo "action update S-2 --plan p1 --if-version 99 --note stale" >>"$T/w.txt"
}
batch_file "$(version S-1)"
as admin --json admin stats
c0="$(json_get 'j["commits"]')" w0="$(json_get 'j["write_requests"]')"
expect_rc 5 as loc_south batch "$T/w.txt"
expect_out "batch: 41 requests, 1 failed, applied"
expect_out "line 41: CONFLICT"
as admin --json admin stats
# (+2: the batch's and this stats' logins, each a write of its own)
expect_json "j['write_requests'] - $w0" 43
check "41 writes shared at most 2 commits ($(json_get "j['commits'] - $c0 - 2"))" test "$(json_get "j['commits'] - $c0 - 2")" -le 2
expect_json 'j["requests_per_commit"] > 1' True
expect_json '[k for k in ("commits","write_requests","requests_per_commit","connections","watchers","events","requests","uptime_seconds","watchers_dropped") if k not in j]' '[]'

# Without group commit: one commit per write.
stop_server
start_server --no-group-commit
relogin
batch_file "$(version S-1)"
as admin --json admin stats
c0="$(json_get 'j["commits"]')" w0="$(json_get 'j["write_requests"]')"
expect_rc 5 as loc_south batch "$T/w.txt"
as admin --json admin stats
expect_json "j['commits'] - $c0" 43
expect_json "j['write_requests'] - $w0" 43
check "every good line applied" test "$(version S-1)" = 81

server_alive; check "server still running" test $? -eq 0
finish
