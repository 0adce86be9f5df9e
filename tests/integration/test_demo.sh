#!/usr/bin/env bash
# The demo data (deploy/demo-load.sh) loads through the real client and
# tells the report's story; the demo users can log in with the documented
# passwords and have their roles.
. "$(dirname "$0")/lib.sh"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
start_server
mkdir -p "$T/tmp"
TMPDIR="$T/tmp" PLANBOARD_ADMIN_PASSWORD="$ADMIN_PW" bash "$ROOT/deploy/demo-load.sh" "$PLANBOARD" >"$T/load.out" 2>&1
RC=$?; OUT="$(cat "$T/load.out")"; ERR=""
check "demo-load succeeded" test "$RC" -eq 0
expect_out "demo-load: done"
check "demo-load left no admin session behind" test -z "$(ls -A "$T/tmp")"

login admin "$ADMIN_PW"
login perf "Figures-Team-2017"
login north "Barnstaple-2017"
login viewer "Scrutiny-Panel-2017"
as admin --json user list
expect_json '[(u["name"], u["role"], u.get("locality")) for u in j]' \
  "[('admin', 'admin', None), ('north', 'locality', 'north'), ('perf', 'performance', None), ('viewer', 'viewer', None)]"

as viewer --json locality list
# The county's four localities (20-metrics.sh adds the South West authorities too).
expect_json '{"east", "exeter", "north", "south"} <= {l["code"] for l in j}' True
as viewer --json plan show north-2017
expect_json 'j["plan"]["title"]' "North Devon Improvement Plan"
expect_json '(j["plan"]["locality"], j["plan"]["start_date"], j["plan"]["end_date"])' "('north', '2017-06-01', '2018-03-31')"
expect_json '[t["code"] for t in j["themes"]]' "['leadership', 'staffing', 'oversight', 'practice', 'support']"
as viewer --json action list --plan north-2017
expect_json '15 <= len(j) <= 25' True
expect_json 'all(a["ref"].startswith("N-") for a in j)' True
expect_json 'all(a.get("owner") and a.get("due_date", "").startswith(("2017", "2018")) for a in j)' True
expect_json 'sorted(a["ref"] for a in j if a.get("assigned_to") == "north")' "['N-2.5', 'N-4.4', 'N-5.1']"
expect_json 'all(a["rag"] == "blue" for a in j if a["status"] == "completed")' True
expect_json 'set(a["status"] for a in j) >= {"completed", "in_progress"}' True
expect_json 'set(a["rag"] for a in j) == {"red", "amber", "green", "blue"}' True
# As of the report (October 2017), the overdue actions.
as viewer --json action list --plan north-2017 --overdue --as-of 2017-10-16
expect_json 'sorted(a["ref"] for a in j)' "['N-2.1', 'N-5.1']"
# History carries 2017 recording times and the report's notes.
as viewer --json action history N-4.1 --plan north-2017
expect_json '[u["time"][:7] for u in j]' "['2017-06', '2017-07', '2017-10']"
expect_json 'j[-1]["note"]' "Gap with the rest of the county closed to 4%"
as viewer action list --locality north --rag red
expect_out "N-2.1"

# The demo roles behave as documented.
expect_ok as north action update N-2.3 --plan north-2017 --note "November: caseloads down to 22"
expect_ok as north action update N-2.5 --plan north-2017 --note "assigned to north"
expect_rc 3 as north action update N-2.6 --plan north-2017 --note "county-wide, not assigned"
expect_rc 3 as perf action update N-2.3 --plan north-2017 --note "performance reads only"
expect_rc 3 as viewer action update N-2.3 --plan north-2017 --note "viewer reads only"
finish
