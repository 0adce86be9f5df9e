#!/usr/bin/env bash
# Risks, the board, meetings, reviews and criteria through the real client:
# versions and conflicts, roles, every user-reachable error, and as-recorded
# answers across corrections made on different days.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
add_user perf performance "Analyst-Secret-2017"
add_user viewer1 viewer "View-Secret-2017"
login perf "Analyst-Secret-2017"
login viewer1 "View-Secret-2017"

R() { as admin --recorded-at "$1" "${@:2}"; }
expect_ok as admin locality add north "North"
expect_ok R 2017-06-01T09:00:00Z plan add north-2017 "North Improvement Plan" --locality north --start 2017-06-01 --end 2017-12-31
expect_ok R 2017-06-01T09:00:00Z theme add --plan north-2017 staffing "Staffing levels and caseloads"
expect_ok R 2017-06-01T09:00:00Z action add --plan north-2017 --theme staffing N-2.1 "Recruit agency social workers" --owner "Area Manager" --due 2017-08-31

# ---- risks: add, scoring and banding
expect_ok R 2017-06-05T10:00:00Z risk add --plan north-2017 R1 "Recruitment difficulties" --likelihood 4 --impact 4 --owner "Head of Service" --mitigation "Agency staff; re-profiling" --action N-2.1
expect_out "score 16 (high)"
expect_ok R 2017-06-05T10:00:00Z --json risk add --plan north-2017 R2 "MI support" --likelihood 2 --impact 3 --kind issue
expect_json 'j["score"], j["band"], j["kind"], j["status"], j["version"]' "(6, 'medium', 'issue', 'open', 1)"
expect_ok as perf --json risk add --plan north-2017 R3 "Low one" --likelihood 1 --impact 4
expect_json 'j["band"]' low
expect_ok as viewer1 --json risk list --plan north-2017
expect_json '[r["ref"] for r in j]' "['R1', 'R2', 'R3']"
expect_json 'j[0]["actions"]' "['N-2.1']"
expect_ok as viewer1 --json risk list --plan north-2017 --band high
expect_json 'len(j)' 1

# ---- risk errors
expect_rc 3 as viewer1 risk add --plan north-2017 R9 "No" --likelihood 1 --impact 1
expect_err "FORBIDDEN"
expect_rc 1 as admin risk add --plan north-2017 R9 "No" --likelihood 6 --impact 1
expect_rc 1 as admin risk add --plan north-2017 R9 "No" --likelihood 2
expect_rc 1 as admin risk add R9 "No" --likelihood 2 --impact 2
expect_rc 5 as admin risk add --plan north-2017 R1 "Again" --likelihood 2 --impact 2
expect_rc 4 as admin risk add --plan nope R9 "No" --likelihood 2 --impact 2
expect_rc 4 as admin risk add --plan north-2017 R9 "No" --likelihood 2 --impact 2 --action N-9.9
expect_err "no action 'N-9.9'"
expect_rc 4 as admin risk show R404 --plan north-2017
expect_rc 1 as admin risk update R1 --plan north-2017
expect_rc 1 as admin risk list --band huge
expect_rc 6 as admin risk list --as-recorded yesterday

# ---- risk updates: versions, conflicts, force, history, as recorded
expect_ok R 2017-07-10T10:00:00Z risk update R1 --plan north-2017 --likelihood 5 --escalate --note "summer vacancies"
expect_out "version 2: score 20 (high), status open, escalated"
expect_rc 5 as perf risk update R1 --plan north-2017 --impact 3 --if-version 1
expect_err "CONFLICT"
expect_err "Changed since version 1:
  likelihood: 4 -> 5"
expect_ok as perf --json risk show R1 --plan north-2017
expect_json 'j["version"]' 2
expect_ok R 2017-09-20T10:00:00Z risk update R1 --plan north-2017 --likelihood 3 --status mitigating --if-version 1 --force
expect_ok as admin --json risk show R1 --plan north-2017
expect_json 'j["version"], j["score"], j["history"][2]["forced"]' "(3, 12, True)"
expect_rc 5 as admin risk update R1 --plan north-2017 --impact 1 --if-version 9 --force
expect_ok as admin risk show R1 --plan north-2017
expect_out "note: summer vacancies"
expect_ok as admin --json risk list --plan north-2017 --as-recorded 2017-06-30
expect_json '[(r["ref"], r["score"], r["escalated"]) for r in j]' "[('R1', 16, False), ('R2', 6, False)]"
expect_ok as admin --json risk list --plan north-2017 --as-recorded 2017-08-01
expect_json '[(r["ref"], r["score"], r["escalated"]) for r in j]' "[('R1', 20, True), ('R2', 6, False)]"
expect_ok as admin --json risk show R1 --plan north-2017 --as-recorded 2017-08-01
expect_json 'j["version"], len(j["history"])' "(2, 2)"
expect_rc 4 as admin risk show R3 --plan north-2017 --as-recorded 2017-06-01
expect_ok as admin --json risk update R2 --plan north-2017 --link N-2.1 --escalate
expect_json 'j["actions"], j["escalated"]' "(['N-2.1'], True)"
expect_ok as admin --json risk update R2 --plan north-2017 --unlink N-2.1 --no-escalate
expect_json 'j.get("actions", []), j["escalated"]' "([], False)"
expect_rc 4 as admin risk update R2 --plan north-2017 --unlink N-2.1
expect_rc 3 as viewer1 risk update R2 --plan north-2017 --impact 1
# locality users read the register but do not write it
add_user northlead locality "Barnstaple-2017" north
login northlead "Barnstaple-2017"
expect_ok as northlead --json risk list --plan north-2017
expect_rc 3 as northlead risk update R2 --plan north-2017 --impact 1 --if-version 1
expect_rc 3 as northlead risk add --plan north-2017 R7 "Mine" --likelihood 1 --impact 1
expect_rc 3 as northlead board member add --plan north-2017 "Someone"

# ---- the board
expect_ok R 2017-06-01T09:00:00Z board set --plan north-2017 --name "North Devon Improvement Board" --terms "Oversee the North improvement plan."
expect_ok R 2017-06-01T09:00:00Z board member add --plan north-2017 "Mark Gurrey" --role "Independent chair of the LSCB" --chair
expect_ok R 2017-06-01T09:00:00Z board member add --plan north-2017 "Mark Lines" --role "Head of Children's Social Care"
expect_ok as viewer1 --json board show --plan north-2017
expect_json 'j["name"], [m["name"] for m in j["members"]], j["members"][0]["chair"]' "('North Devon Improvement Board', ['Mark Gurrey', 'Mark Lines'], True)"
expect_ok as viewer1 board show --plan north-2017
expect_out "Chair        Mark Gurrey"
expect_rc 5 as admin board member add --plan north-2017 "Mark Lines"
expect_rc 1 as admin board set --plan north-2017
expect_rc 3 as viewer1 board set --plan north-2017 --name X
expect_rc 4 as admin board show --plan nope
expect_rc 1 as admin board show

# ---- meetings
expect_ok R 2017-06-20T17:00:00Z board meeting add --plan north-2017 --date 2017-06-20 --title "First meeting" --attendee "Mark Gurrey" --attendee "Mark Lines" --notes "Terms agreed" --decision "Recruit agency staff" --action N-2.1 --decision "Monthly figures to each meeting"
expect_out "Decision: Recruit agency staff (action N-2.1)"
expect_ok as viewer1 --json board meeting list --plan north-2017
expect_json 'len(j), j[0]["attendees"], j[0]["decisions"][0]["action_ref"]' "(1, ['Mark Gurrey', 'Mark Lines'], 'N-2.1')"
expect_rc 4 as admin board meeting add --plan north-2017 --date 2017-07-20 --decision "x" --action N-404
expect_rc 1 as admin board meeting add --plan north-2017 --date 2017-07-20 --action N-2.1
expect_rc 1 as admin board meeting add --plan north-2017 --date 20-07-2017
expect_rc 1 as admin board meeting add --plan north-2017
# a decision that creates an action (admins), atomically with the meeting
expect_ok R 2017-07-18T17:00:00Z --json board meeting add --plan north-2017 --date 2017-07-18 --decision "Run a children-in-need closure drive" --new-action N-2.9 --theme staffing --owner "Team Managers" --due 2017-09-30
expect_json 'j["decisions"][0]["action_ref"]' N-2.9
expect_ok as viewer1 --json action show N-2.9 --plan north-2017
expect_json 'j["title"], j["owner"], j["due_date"], j["created_at"]' "('Run a children-in-need closure drive', 'Team Managers', '2017-09-30', '2017-07-18T17:00:00Z')"
expect_rc 3 as perf board meeting add --plan north-2017 --date 2017-08-15 --decision "x" --new-action N-3.1 --theme staffing
expect_err "only admins may create actions"
expect_rc 5 as admin board meeting add --plan north-2017 --date 2017-08-15 --decision "x" --new-action N-2.9 --theme staffing
expect_rc 4 as admin board meeting add --plan north-2017 --date 2017-08-15 --decision "x" --new-action N-3.1 --theme nosuch
expect_rc 1 as admin board meeting add --plan north-2017 --date 2017-08-15 --decision "x" --new-action N-3.1
expect_rc 1 as admin board meeting add --plan north-2017 --date 2017-08-15 --decision "x" --theme staffing
expect_rc 1 as admin board meeting add --plan north-2017 --date 2017-08-15 --decision "x" --action N-2.1 --new-action N-3.1 --theme staffing
expect_ok as viewer1 --json board meeting list --plan north-2017
expect_json 'len(j)' 2
expect_rc 4 as viewer1 action show N-3.1 --plan north-2017

# ---- reviews and criteria
expect_ok R 2017-06-20T17:00:00Z --json board review add --plan north-2017 --date 2017-12-15 "December review"
REVIEW="$(json_get 'j["id"]')"
expect_ok R 2017-06-20T17:00:00Z --json board criterion add --review "$REVIEW" "Leadership and management are robust"
CRIT="$(json_get 'j["id"]')"
expect_json 'j["kind"], j["verdict"]' "('manual', 'not_judged')"
expect_ok R 2017-06-20T17:00:00Z --json board criterion add --review "$REVIEW" "CP visits gap within 5 points for 3 months" --metric cp_visits_timely_pct --gap-within 5 --months 3
MCRIT="$(json_get 'j["id"]')"
expect_json 'j["kind"], j["locality"], j["months"], j["threshold"]' "('gap_within', 'north', 3, 5.0)"
expect_rc 1 as admin board criterion add --review "$REVIEW" "x" --metric m
expect_rc 1 as admin board criterion add --review "$REVIEW" "x" --gap-within 5
expect_rc 1 as admin board criterion add --review "$REVIEW" "x" --metric m --gap-within 5 --at-most 3
expect_rc 4 as admin board criterion add --review 999 "x"
expect_rc 4 as admin board criterion add --review "$REVIEW" "x" --metric m --gap-within 5 --locality nowhere
expect_ok R 2017-09-30T12:00:00Z --json board criterion judge "$CRIT" --verdict not_met --evidence "Area Manager post still vacant"
expect_json 'j["verdict"], j["judged_by"], j["judged_at"]' "('not_met', 'admin', '2017-09-30T12:00:00Z')"
expect_ok as perf --json board criterion judge "$CRIT" --verdict met --evidence "New Area Manager in post"
expect_json 'j["verdict"], j["judged_by"]' "('met', 'perf')"
expect_rc 6 as admin board criterion judge "$MCRIT" --verdict met
expect_err "evaluated from metric"
expect_rc 4 as admin board criterion judge 999 --verdict met
expect_rc 1 as admin board criterion judge "$CRIT" --verdict maybe
expect_rc 1 as admin board criterion judge "$CRIT"
expect_rc 3 as viewer1 board criterion judge "$CRIT" --verdict met
expect_ok as viewer1 --json board review list --plan north-2017 --as-of 2017-12-01
expect_json 'j[0]["criteria"][0]["verdict"], j[0]["criteria"][1]["verdict"]' "('met', 'not_enough_data')"
expect_ok as viewer1 board review list --plan north-2017
expect_out "December review"

# ---- more usage and argument errors
expect_rc 1 as viewer1 board review list --plan north-2017 --as-of 1/12/2017
expect_rc 1 as viewer1 board review list
expect_rc 4 as viewer1 board review list --plan nope
expect_rc 1 as admin board review add --plan north-2017 --date 2017-13-01 "Bad date"
expect_rc 1 as admin board review add --plan north-2017 --date 2017-12-01
expect_rc 3 as viewer1 board review add --plan north-2017 --date 2017-12-01 "No"
expect_rc 1 as viewer1 board meeting list
expect_rc 4 as viewer1 board meeting list --plan nope
expect_rc 1 as viewer1 risk show R1
expect_rc 1 as admin board criterion add --review x "Text"
expect_rc 1 as admin board criterion add --review "$REVIEW" "x" --months 3
expect_rc 1 as admin board criterion add --review "$REVIEW" "x" --metric m --gap-within five
expect_rc 1 as admin risk update R1 --plan north-2017 --impact 2 --if-version zero
expect_rc 1 as admin board frobnicate
expect_rc 1 as admin risk frobnicate

# ---- help on every command
for c in "risk" "risk list" "risk show" "risk add" "risk update" "board" "board show" "board set" \
         "board member add" "board meeting add" "board meeting list" "board review add" \
         "board review list" "board criterion add" "board criterion judge" "report"; do
  expect_ok as viewer1 $c --help
done
finish
