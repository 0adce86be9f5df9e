#!/usr/bin/env bash
# Actions: add, list with every filter, overdue as of a date, show, update,
# version conflicts, --force, history; JSON and CSV output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixture.sh"
start_server
fixture_load

# add: duplicates, unknown references, bad values.
expect_rc 5 as admin action add --plan n1 --theme lead N-1 "Again"
expect_err "planboard: CONFLICT:"
expect_rc 4 as admin action add --plan nothere --theme lead X-1 "No plan"
expect_rc 4 as admin action add --plan n1 --theme nothere X-1 "No theme"
expect_rc 4 as admin action add --plan n1 --theme lead X-1 "No locality" --locality atlantis
expect_rc 4 as admin action add --plan n1 --theme lead X-1 "No locality" --assign-to atlantis
expect_rc 6 as admin action add --plan n1 --theme lead X-1 "Bad due" --due 2017-09-31
expect_rc 6 as admin action add --plan n1 --theme lead "X 1" "Bad ref"
expect_rc 6 as admin action add --plan n1 --theme lead X-1 "Blue not completed" --rag blue
expect_rc 6 as admin action add --plan n1 --theme lead X-1 ""
expect_rc 1 as admin action add --plan n1 --theme lead X-1 "Bad status" --status "done"
expect_rc 1 as admin action add --plan n1 --theme lead X-1 "Bad RAG" --rag purple
expect_rc 1 as admin action add --theme lead X-1 "No plan option"
expect_rc 1 as admin action add --plan n1 --theme lead X-1
expect_ok as admin --json action add --plan n1 --theme staff N-3 "Re-profile the workforce" --locality north --due 2017-11-30 --owner "HR Business Partner"
expect_json 'j["ref"]' N-3
expect_json 'j["version"]' 1
expect_json 'j["status"]' not_started
expect_json 'j["rag"]' green
expect_json 'j["locality"]' north
expect_json 'j["source"]' locality

# list: every filter, and combinations.
list_refs() { as admin --json action list "$@"; json_get 'sorted(a["ref"] for a in j)'; }
expect_refs() { local want="$1"; shift; local got; got="$(list_refs "$@")"
  if [ "$got" = "$want" ] && [ "$RC" -eq 0 ]; then pass; else fail "action list $*: expected $want, got $got"; fi; }
expect_refs "['C-1', 'C-2', 'N-1', 'N-2', 'N-3', 'S-1']"
expect_refs "['C-1', 'C-2', 'N-1', 'N-2', 'N-3', 'S-1']" --plan n1
expect_refs "['C-1', 'C-2', 'N-1']" --plan n1 --theme lead
expect_refs "['C-1', 'N-1', 'N-2', 'N-3']" --locality north
expect_refs "['S-1']" --locality south
expect_refs "[]" --locality east
expect_refs "['N-1']" --status in_progress
expect_refs "['C-2']" --status completed
expect_refs "['C-1', 'N-2', 'N-3', 'S-1']" --status not_started
expect_refs "['S-1']" --rag red
expect_refs "['N-1']" --rag amber
expect_refs "['C-1', 'N-2', 'N-3']" --rag green
expect_refs "['C-1', 'N-1']" --owner "Head of Service"
expect_refs "['N-2', 'N-3']" --locality north --status not_started --rag green --theme staff --plan n1
expect_refs "[]" --locality north --rag red
# Overdue: due before the as-of date and not completed (C-2 is completed).
expect_refs "['S-1']" --overdue --as-of 2017-09-01
expect_refs "['N-1', 'S-1']" --overdue --as-of 2017-10-01
expect_refs "['C-1', 'N-1', 'N-3', 'S-1']" --overdue --as-of 2018-01-15
expect_refs "['C-1', 'N-1', 'N-2', 'N-3', 'S-1']" --overdue --as-of 2018-03-01
expect_refs "[]" --overdue --as-of 2017-06-01
expect_refs "['N-1']" --overdue --as-of 2017-10-01 --locality north
expect_refs "['C-1', 'N-1', 'N-2', 'N-3', 'S-1']" --overdue
as admin --json action list --overdue --as-of 2017-10-01
expect_json '[a.get("overdue", False) for a in j]' "[True, True]"
as admin action list --overdue --as-of 2017-10-01
expect_out "2017-08-31!"
# CSV: the DUE column stays a plain date, without the '!' mark
as admin --csv action list --overdue --as-of 2017-10-01
expect_csv 'sorted(r[6] for r in rows[1:])' "['2017-08-31', '2017-09-30']"
expect_rc 1 as admin action list --as-of 1-10-2017 --overdue
expect_rc 1 as admin action list --status finished
expect_rc 1 as admin action list --rag pink
expect_rc 1 as admin action list stray
expect_rc 4 as admin action list --plan nothere
expect_rc 4 as admin action list --locality atlantis
expect_rc 4 as admin action list --plan n1 --theme nothere
expect_rc 6 as admin action list --theme lead
expect_ok as admin --csv action list --locality south
expect_csv 'rows[0]' "['PLAN', 'REF', 'THEME', 'TITLE', 'OWNER', 'LOCALITY', 'DUE', 'STATUS', 'RAG', 'VER']"
expect_csv 'rows[1][:3] + rows[1][7:9]' "['n1', 'S-1', 'staff', 'not_started', 'red']"
expect_csv 'len(rows)' 2
expect_ok as admin action list
expect_out "(north)"

# show.
expect_ok as admin action show N-1
expect_out "Recruit a locality director"
expect_out "Head of Service"
expect_ok as admin --json action show C-1
expect_json 'j["assigned_to"]' north
expect_json '"locality" in j' False
expect_json 'j["source"]' service_wide
expect_json 'j["due_date"]' 2017-12-31
expect_json 'len(j["updates"])' 1
expect_rc 4 as admin action show Z-9
expect_err "planboard: NOT_FOUND:"
expect_rc 4 as admin action show N-1 --plan nothere
expect_rc 1 as admin action show
expect_rc 1 as admin action show N-1 N-2

# update: each field; blue needs completed.
expect_ok as north action update N-1 --status in_progress --rag red --note "Interim in post; advert out"
expect_out "version 2"
expect_ok as north action update N-1 --evidence "Advert ref DCC-1234"
expect_ok as admin action update N-1 --owner "Chief Officer" --due 2017-12-15
expect_ok as admin action update N-1 --title "Recruit a permanent locality director"
expect_rc 6 as north action update N-1 --rag blue
expect_err "completed"
expect_rc 6 as north action update N-1 --due 2017-13-01
expect_rc 1 as north action update N-1
expect_err "nothing to update"
expect_rc 1 as north action update N-1 --status "done"
expect_rc 1 as north action update N-1 --if-version zero --note x
expect_rc 4 as north action update Z-9 --note x
expect_ok as north action update N-1 --status completed --rag blue --note "Appointed; starts January"
expect_ok as admin --json action show N-1
expect_json 'j["version"]' 6
expect_json 'j["status"]' completed
expect_json 'j["rag"]' blue
expect_json 'j["owner"]' "Chief Officer"
expect_json 'j["due_date"]' 2017-12-15
expect_json 'j["title"]' "Recruit a permanent locality director"
expect_json 'j["updated_by"]' north

# --if-version: a stale version is refused with the current state.
expect_ok as north action update N-2 --if-version 1 --rag amber --note "first"
expect_rc 5 as admin action update N-2 --if-version 1 --rag red --note "stale"
expect_err "planboard: CONFLICT:"
expect_err "Current version 2"
expect_err "Changed since version 1:
  rag: green -> amber"
expect_rc 5 as admin --json action update N-2 --if-version 1 --status blocked
ERR_JSON="$(sed 1d <<<"$ERR")"
check "conflict detail is JSON" python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["current_version"] == 2 and d["based_on_version"] == 1' "$ERR_JSON"
expect_ok as admin --json action show N-2
expect_json 'j["version"]' 2
expect_json 'j["rag"]' amber
# --force applies it anyway and says so in the history.
expect_ok as admin action update N-2 --if-version 1 --force --rag red --note "overridden by the board"
expect_ok as admin --json action show N-2
expect_json 'j["version"]' 3
expect_json 'j["rag"]' red
expect_ok as admin action update N-2 --if-version 3 --status in_progress
expect_out "version 4"

# history: who, when, what changed, the note.
expect_ok as viewer action history N-1
expect_out "north"
expect_out "Interim in post; advert out"
expect_out "status: in_progress -> completed"
expect_out "evidence: Advert ref DCC-1234"
expect_ok as viewer --json action history N-1
expect_json 'len(j)' 6
expect_json '[u["version"] for u in j]' "[1, 2, 3, 4, 5, 6]"
expect_json '[u["user"] for u in j]' "['admin', 'north', 'north', 'admin', 'admin', 'north']"
expect_json 'j[1]["note"]' "Interim in post; advert out"
expect_json 'sorted((c["field"], c.get("old_value"), c.get("new_value")) for c in j[1]["changes"])' "[('rag', 'amber', 'red')]"
expect_json 'all(u["time"].endswith("Z") for u in j)' True
expect_json 'sorted(c["field"] for c in j[3]["changes"])' "['due_date', 'owner']"
as viewer --json action history N-2
expect_json '[u.get("forced", False) for u in j]' "[False, False, True, False]"
as viewer action history N-2
expect_out "(forced)"
expect_rc 4 as viewer action history Z-9
expect_rc 1 as viewer action history
expect_ok as viewer --csv action history N-1
expect_csv 'rows[0]' "['VER', 'TIME', 'USER', 'CHANGES', 'NOTE']"
expect_csv 'len(rows)' 7

# --recorded-at: admins loading history; nobody else.
expect_ok as admin --recorded-at 2017-07-15T10:00:00Z action update N-3 --status in_progress --note "Workforce review started"
as admin --json action history N-3
expect_json 'j[-1]["time"]' 2017-07-15T10:00:00Z
expect_rc 3 as north --recorded-at 2017-07-15T10:00:00Z action update N-3 --note "backdated"
expect_rc 6 as admin --recorded-at "last July" action update N-3 --note "x"
finish
