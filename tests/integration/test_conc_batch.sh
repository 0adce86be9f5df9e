#!/usr/bin/env bash
# planboard batch: one command a line over one connection; per-line
# results with line numbers; --atomic all or nothing; --dry-run changes
# nothing; a resubmitted return with the same key is applied once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/conc_lib.sh"
start_server
conc_setup

cat >"$T/return.txt" <<'B'
# North's monthly return
action update N-1 --plan p1 --status in_progress --note "started in October"

planboard action update N-2 --plan p1 --rag amber --note 'team "short" of staff'
action update C-1 --plan p1 --note with\ escaped\ spaces
B

# --- --help, usage errors ---
expect_ok as loc_north batch --help
expect_out "--atomic"
expect_rc 1 as loc_north batch
expect_rc 1 as loc_north batch "$T/missing.txt"
expect_err "cannot open"
printf '# nothing\n\n' >"$T/empty.txt"
expect_rc 1 as loc_north batch "$T/empty.txt"
expect_err "has no commands"

events() { as admin --json admin stats; json_get 'j["events"]'; }

# --- --dry-run checks everything and changes nothing ---
e0="$(events)"
expect_ok as loc_north batch --dry-run "$T/return.txt"
expect_out "line 2: OK N-1 version 2 (dry run"
expect_out "line 4: OK N-2 version 2"
expect_out "line 5: OK C-1 version 2"
check "dry run changed nothing" test "$(version N-1)" = 1
as admin --json action history N-2 --plan p1
expect_json 'len(j)' 1
check "dry run recorded no event" test "$(events)" = "$e0"

# --- a clean batch applies every line, per-line results ---
expect_ok as loc_north --idempotency-key north-2017-10 batch "$T/return.txt"
expect_out "line 2: OK N-1 version 2"
expect_out "line 4: OK N-2 version 2"
expect_out "batch: 3 requests, 0 failed, applied"
as admin --json action show N-2 --plan p1
expect_json 'j["rag"]' amber
as admin --json action history N-2 --plan p1
expect_json 'j[-1]["note"]' 'team "short" of staff'
as admin --json action history C-1 --plan p1
expect_json 'j[-1]["note"]' 'with escaped spaces'

# --- the same return submitted again with the same key: applied once ---
expect_ok as loc_north --idempotency-key north-2017-10 batch "$T/return.txt"
expect_out "line 2: OK N-1 version 2 (answered before with this key"
check "resubmission changed nothing" test "$(version N-1)" = 2

# --- per-line errors with line numbers (not atomic: good lines apply) ---
cat >"$T/mixed.txt" <<'B'
action update N-1 --plan p1 --note "fine"
action update S-1 --plan p1 --note "not my locality"
action update NOPE-9 --plan p1 --note "missing"
action update N-2 --plan p1 --if-version 1 --note "stale"
B
expect_rc 3 as loc_north batch "$T/mixed.txt"
expect_out "line 1: OK N-1 version 3"
expect_out "line 2: FORBIDDEN"
expect_out "line 3: NOT SENT"
expect_err "NOT_FOUND"
expect_out "line 4: CONFLICT"
expect_out "current version 2, based on 1"
expect_out "batch: 3 requests, 2 failed"
check "good line applied" test "$(version N-1)" = 3

# --- --atomic with one bad line changes nothing ---
cat >"$T/atomic.txt" <<'B'
action update N-1 --plan p1 --status completed --note "done"
action update N-2 --plan p1 --status completed --note "done"
action update N-2 --plan p1 --if-version 1 --note "stale line"
B
e0="$(events)"
expect_rc 5 as loc_north batch --atomic "$T/atomic.txt"
expect_out "line 1: OK N-1 version 4 (not applied: the batch was rolled back)"
expect_out "line 3: CONFLICT"
expect_out "nothing applied"
check "atomic: N-1 unchanged" test "$(version N-1)" = 3
check "atomic: N-2 unchanged" test "$(version N-2)" = 2
check "rolled-back batch recorded no event" test "$(events)" = "$e0"
as admin --json action history N-1 --plan p1
expect_json 'sum(1 for u in j if u.get("note") == "done")' 0
# and the same file without the bad line applies as one
head -2 "$T/atomic.txt" >"$T/atomic-ok.txt"
expect_ok as loc_north --json batch --atomic "$T/atomic-ok.txt"
expect_json 'j["batch"]["committed"]' True
expect_json '[r["line"] for r in j["results"]]' '[1, 2]'
check "atomic applied" test "$(version N-1)" = 4

# --- a line that is not a valid command: nothing is sent with --atomic ---
printf 'action update S-2 --plan p1 --note ok\naction frobnicate\naction list\nwatch\naction update S-2 --note "unterminated\n' >"$T/bad.txt"
expect_rc 1 as loc_south batch --atomic "$T/bad.txt"
expect_out "line 1: not sent (another line is invalid"
expect_out "line 2: NOT SENT"
expect_out "line 3: NOT SENT"
expect_err "line 3: 'action list' changes nothing"
expect_err "line 4: 'watch' cannot be used in a batch"
expect_err "line 5: unterminated \" quote"
check "nothing sent" test "$(version S-2)" = 1

# --- a dropped connection: the batch is sent again once, applied once ---
printf 'action update E-1 --plan p1 --note "drop a"\naction update E-2 --plan p1 --note "drop b"\n' >"$T/drop.txt"
OUT="$(XDG_CONFIG_HOME="$T/cfg-loc_east" PLANBOARD_TEST_DROP_AFTER_SEND=1 "$PLANBOARD" batch --atomic "$T/drop.txt" 2>"$T/stderr")"
RC=$?; ERR="$(cat "$T/stderr")"
check "batch after a dropped connection succeeds" test "$RC" -eq 0
expect_out "line 1: OK E-1 version 2 (answered before with this key"
expect_out "line 2: OK E-2 version 2 (answered before with this key"
check "E-1 applied once" test "$(version E-1)" = 2
check "E-2 applied once" test "$(version E-2)" = 2

# --- stdin ---
as_stdin loc_south 'action update S-2 --plan p1 --note "from stdin"' batch -
check "batch from stdin" test "$RC" -eq 0
check "stdin applied" test "$(version S-2)" = 2

server_alive; check "server still running" test $? -eq 0
finish
