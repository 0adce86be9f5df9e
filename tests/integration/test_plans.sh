#!/usr/bin/env bash
# Localities, plans and themes: add, list, show; duplicates, bad codes and
# dates, unknown references; JSON and CSV output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixture.sh"
start_server
login admin "$ADMIN_PW"

# Localities.
expect_ok as admin locality add north "North Devon"
expect_out "Added locality north"
expect_ok as admin locality add south "South and West Devon"
expect_rc 5 as admin locality add north "Again"
expect_err "planboard: CONFLICT:"
expect_rc 6 as admin locality add "North Devon" "Bad code"
expect_err "planboard: INVALID_ARGUMENT:"
expect_rc 6 as admin locality add NORTH "Upper case"
expect_rc 6 as admin locality add east ""
expect_rc 1 as admin locality add east
expect_rc 1 as admin locality add east "East" extra
expect_ok as admin locality list
expect_out "South and West Devon"
expect_ok as admin --json locality list
expect_json 'len(j)' 2
expect_json 'sorted(x["code"] for x in j)' "['north', 'south']"
expect_json '[x["name"] for x in j if x["code"] == "north"][0]' "North Devon"
expect_ok as admin --csv locality list
expect_csv 'rows[0]' "['CODE', 'NAME']"
expect_csv 'rows[2]' "['south', 'South and West Devon']"
expect_ok as admin --json locality add exeter "Exeter"
expect_json 'j["code"]' exeter

# Plans.
expect_ok as admin plan add n1 "North plan" --locality north --start 2017-06-01 --end 2018-03-31
expect_out "Added plan n1"
expect_ok as admin plan add county "County plan"
expect_rc 5 as admin plan add n1 "Again"
expect_rc 6 as admin plan add "N 1" "Bad code"
expect_rc 6 as admin plan add n2 "Bad date" --start 2017-02-30 --end 2018-01-01
expect_rc 6 as admin plan add n2 "Bad date" --start 2017-06-01 --end 31/03/2018
expect_rc 6 as admin plan add n2 "Ends before it starts" --start 2018-06-01 --end 2017-06-01
expect_rc 4 as admin plan add n2 "Unknown locality" --locality atlantis
expect_err "planboard: NOT_FOUND:"
expect_rc 1 as admin plan add n2
expect_rc 1 as admin plan add n2 "T" --colour red
expect_ok as admin plan list
expect_out "North plan"
expect_ok as admin --json plan list
expect_json 'len(j)' 2
expect_json '[p["locality"] for p in j if p["code"] == "n1"][0]' north
expect_json '[p["start_date"] for p in j if p["code"] == "n1"][0]' 2017-06-01
expect_json '[p["end_date"] for p in j if p["code"] == "n1"][0]' 2018-03-31
expect_ok as admin --csv plan list
expect_csv 'rows[0]' "['CODE', 'TITLE', 'LOCALITY', 'START', 'END', 'THEMES', 'ACTIONS']"
expect_csv 'rows[2][:5]' "['n1', 'North plan', 'north', '2017-06-01', '2018-03-31']"
expect_rc 4 as admin plan show nothere
expect_rc 1 as admin plan show
expect_rc 1 as admin plan show a b

# Themes.
expect_ok as admin theme add --plan n1 lead "Leadership and culture"
expect_ok as admin theme add --plan n1 staff "Staffing levels and caseloads" --position 2
expect_rc 5 as admin theme add --plan n1 lead "Again"
expect_rc 4 as admin theme add --plan nothere lead "No plan"
expect_rc 6 as admin theme add --plan n1 "Lead Ship" "Bad code"
expect_rc 1 as admin theme add lead "No plan option"
expect_rc 1 as admin theme add --plan n1 lead
expect_rc 1 as admin theme add --plan n1 x "X" --position minus-one
expect_ok as admin theme list --plan n1
expect_out "Staffing levels"
expect_ok as admin --json theme list --plan n1
expect_json '[t["code"] for t in j]' "['lead', 'staff']"
expect_rc 4 as admin theme list --plan nothere
expect_rc 1 as admin theme list
expect_ok as admin --csv theme list --plan n1
expect_csv '[r[1] for r in rows]' "['CODE', 'lead', 'staff']"

expect_ok as admin plan show n1
expect_out "Leadership and culture"
expect_out "2017-06-01 to 2018-03-31"
expect_ok as admin --json plan show n1
expect_json 'j["plan"]["code"]' n1
expect_json 'j["plan"]["title"]' "North plan"
expect_json '[t["code"] for t in j["themes"]]' "['lead', 'staff']"
expect_ok as admin action add --plan n1 --theme lead N-1 "An action"
expect_ok as admin --json plan list
expect_json '[(p["themes"], p["actions"]) for p in j if p["code"] == "n1"][0]' "(2, 1)"
finish
