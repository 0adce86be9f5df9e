#!/usr/bin/env bash
# The server keeps "action show" answers in memory (server/action_cache.c),
# and updates keep the row they wrote (server/action_rows.c): every way an
# action changes must show at once. Shows and updates come first each time
# so that a kept answer or row exists to go stale.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixture.sh"
start_server
fixture_load

show_version() { as admin --json action show "$@"; json_get 'j["version"]'; }

# Shown twice (the second from memory), then updated: the new state.
v1="$(show_version N-1 --plan n1)"
check "the same answer twice" test "$(show_version N-1 --plan n1)" = "$v1"
show_version N-1 >/dev/null
expect_ok as admin action update N-1 --plan n1 --note "kept answers go" --rag red
check "update shows with the plan" test "$(show_version N-1 --plan n1)" = "$((v1 + 1))"
check "update shows without the plan" test "$(show_version N-1)" = "$((v1 + 1))"
as admin --json action show N-1
expect_json 'j["rag"]' red
expect_json 'j["updates"][-1]["note"]' "kept answers go"

# A dry run and a failed atomic batch change nothing, and show so.
cat >"$T/dry.txt" <<'B'
action update N-1 --plan n1 --rag green --note "dry"
B
expect_ok as admin batch --dry-run "$T/dry.txt"
check "dry run: same version" test "$(show_version N-1 --plan n1)" = "$((v1 + 1))"
cat >"$T/atomic.txt" <<'B'
action update N-1 --plan n1 --rag green --note "undone"
action update Z-9 --plan n1 --note "no such action"
B
expect_rc 4 as admin batch --atomic "$T/atomic.txt"
check "atomic failure: same version" test "$(show_version N-1 --plan n1)" = "$((v1 + 1))"
as admin --json action show N-1 --plan n1
expect_json 'j["rag"]' red
# The next update starts from the state kept, not the batch's undone one.
expect_ok as admin action update N-1 --plan n1 --if-version "$((v1 + 1))" --note "after the undone batch"
check "update after the batch: one version on" test "$(show_version N-1 --plan n1)" = "$((v1 + 2))"
as admin --json action show N-1 --plan n1
expect_json 'j["rag"]' red
expect_json 'j["updates"][-1]["note"]' "after the undone batch"
# Updated without its plan too: that row is kept under the ref alone.
expect_ok as admin action update N-1 --if-version "$((v1 + 2))" --note "no plan given"
check "update without the plan" test "$(show_version N-1 --plan n1)" = "$((v1 + 3))"

# The same ref added in another plan: asked without the plan, ambiguous.
show_version N-1 >/dev/null
expect_ok as admin plan add n2 "Second plan" --locality north --start 2018-04-01 --end 2019-03-31
expect_ok as admin theme add --plan n2 lead "Leadership"
expect_ok as admin action add --plan n2 --theme lead N-1 "Same ref, other plan"
expect_rc 6 as admin action show N-1
expect_err "several plans"
expect_rc 6 as admin action update N-1 --if-version "$((v1 + 3))" --note "which one?"
expect_err "several plans"
check "n2's own N-1" test "$(show_version N-1 --plan n2)" = 1
check "n1's N-1 unchanged" test "$(show_version N-1 --plan n1)" = "$((v1 + 3))"
finish
