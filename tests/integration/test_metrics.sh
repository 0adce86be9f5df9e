#!/usr/bin/env bash
# Metrics: define, submit, resubmit with history, series, compare (pooled,
# not averaged), as-recorded, permissions and every user-reachable error.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
for l in north south east exeter; do as admin locality add $l "$l"; done
add_user perf performance Quarterly-Review-71
add_user nina locality Coastal-Team-2017 north
add_user vic viewer Scrutiny-Seat-88
login perf Quarterly-Review-71
login nina Coastal-Team-2017
login vic Scrutiny-Seat-88

# --- define
expect_ok as perf metric define cp "CP visits on time" --unit pct --better higher --target 90 --tolerance 5
expect_ok as admin metric define closures "CIN closures" --unit count --better lower
expect_ok as admin metric define caseload "Caseload" --unit ratio --better lower --target 18
expect_rc 3 as nina metric define x "X" --unit pct --better higher
expect_rc 3 as vic metric define x "X" --unit pct --better higher
expect_rc 1 as admin metric define x "X" --unit pct
expect_rc 1 as admin metric define x "X" --unit percent --better higher
expect_rc 1 as admin metric define x "X" --unit pct --better higher --target lots
expect_rc 6 as admin metric define "Bad Code" "X" --unit pct --better higher
expect_rc 6 as admin metric define x "X" --unit pct --better higher --tolerance 3
expect_rc 6 as admin metric define x "X" --unit pct --better higher --target 5 --tolerance -1
expect_ok as vic --json metric list
expect_json 'len(j)' 3
expect_json '[m for m in j if m["code"]=="cp"][0]["better"]' higher
expect_json '[m for m in j if m["code"]=="cp"][0]["tolerance"]' 5.0

# --- submit: locality users only for their own locality
expect_ok as nina metric submit cp --locality north --period 2017-06 --num 63 --den 100
expect_out "Recorded cp north 2017-06: 63.0"
expect_rc 3 as nina metric submit cp --locality south --period 2017-06 --num 80 --den 100
expect_err "FORBIDDEN"
expect_rc 3 as vic metric submit cp --locality north --period 2017-06 --num 1 --den 2
expect_ok as perf metric submit cp --locality south --period 2017-06 --num 80 --den 100
expect_ok as perf metric submit cp --locality east --period 2017-06 --num 150 --den 200
# value given with num/den must agree to one decimal place
expect_rc 6 as perf metric submit cp --locality exeter --period 2017-06 95 --num 9 --den 10
expect_err "does not match"
expect_ok as perf metric submit cp --locality exeter --period 2017-07 90.04 --num 9 --den 10
expect_ok as perf metric submit cp --locality north --period 2017-07 --num 70 --den 100
expect_ok as perf metric submit cp --locality south --period 2017-07 --num 40 --den 50

# errors
expect_rc 4 as perf metric submit nope --locality north --period 2017-06 5
expect_rc 4 as perf metric submit cp --locality atlantis --period 2017-06 5
expect_rc 6 as perf metric submit cp --locality north --period 2017-13 5
expect_rc 6 as perf metric submit cp --locality north --period June 5
expect_rc 6 as perf metric submit cp --locality north --period 2017-06 --num 5
expect_rc 6 as perf metric submit cp --locality north --period 2017-06 --num 5 --den 0
expect_rc 6 as perf metric submit cp --locality north --period 2017-06 -- -5
expect_rc 6 as perf metric submit closures --locality north --period 2017-06 --num 1 --den 2
expect_rc 6 as perf metric submit closures --locality north --period 2017-06 2.5
expect_rc 1 as perf metric submit cp --locality north --period 2017-06 lots
expect_rc 1 as perf metric submit cp --locality north --period 2017-06 nan
expect_rc 1 as perf metric submit cp --period 2017-06 5
expect_rc 1 as perf metric submit cp --locality north --period 2017-06
expect_ok as perf metric submit --help
expect_out "Usage: planboard metric submit"

# --- compare, hand-computed:
# June: north 63/100; rest (80+150)/(100+200) = 76.667; county 293/400 = 73.25;
#   gap -13.667; exeter reports from July only: 0 of 3 missing (July: east, 1 of 4).
# July: north 70; rest (40+9)/(50+10) = 81.667; gap -11.667; change +2.0.
expect_ok as vic --json metric compare cp --locality north
expect_json 'len(j["points"])' 2
expect_json 'round(j["points"][0]["rest"],3)' 76.667
expect_json 'j["points"][0]["rest_method"]' pooled
expect_json 'j["points"][0]["rest_numerator"], j["points"][0]["rest_denominator"]' "(230.0, 300.0)"
expect_json 'round(j["points"][0]["county"],3)' 73.25
expect_json 'round(j["points"][0]["gap"],3)' -13.667
expect_json 'j["points"][0]["favourable"]' False
expect_json 'j["points"][0]["trend"]' unknown
expect_json 'j["points"][0]["rag"]' red
# exeter reports from July: not counted (nor missing) in June
expect_json 'j["points"][0]["localities_missing"], j["points"][0]["localities_total"]' "(0, 3)"
expect_json 'j["points"][1]["localities_missing"], j["points"][1]["localities_total"]' "(1, 4)"
expect_json 'round(j["points"][1]["rest"],3)' 81.667
expect_json 'round(j["points"][1]["gap_change"],3)' 2.0
expect_json 'j["points"][1]["trend"]' improving
expect_ok as vic metric compare cp --locality north --from 2017-07
expect_out "2017-07"
expect_no_out "2017-06"
# the first month in range still has its trend and gap change against June
expect_ok as vic --json metric compare cp --locality north --from 2017-07
expect_json 'j["points"][0]["trend"], round(j["points"][0]["gap_change"], 3)' "('improving', 2.0)"
# --csv: the table alone, its header first (no title line for people)
expect_ok as vic --csv metric compare cp --locality north --from 2017-07
check "compare --csv: header first" test "$(head -1 <<<"$OUT" | tr -d "\r")" = '"PERIOD","VALUE","REST","COUNTY","GAP","CHANGE","FAV","TREND","RAG","MISSING"'
check "compare --csv: then July" grep -q '^"2017-07",' <<<"$OUT"
expect_rc 6 as vic metric compare cp --locality north --from 2017-08 --to 2017-07
expect_rc 6 as vic metric compare cp --locality north --as-recorded yesterday
expect_rc 4 as vic metric compare nope --locality north
expect_rc 4 as vic metric compare cp --locality atlantis
expect_rc 1 as vic metric compare cp

# counts have no denominators: the rest is a mean of values, and says so
expect_ok as perf metric submit closures --locality north --period 2017-06 20
expect_ok as perf metric submit closures --locality south --period 2017-06 30
expect_ok as perf metric submit closures --locality east --period 2017-06 16
expect_ok as vic metric compare closures --locality north
expect_out "23.0*"
expect_out "mean of the localities' values"
expect_ok as vic --json metric compare closures --locality north
expect_json 'j["points"][0]["rest_method"]' mean
expect_json 'j["points"][0]["rest"]' 23.0
expect_json 'j["points"][0]["favourable"]' True   # fewer closures is better here (lower)

# --- resubmission replaces, keeps history, and as-recorded sees the old one
expect_ok as admin --recorded-at 2017-07-05T09:00:00Z metric submit caseload --locality north --period 2017-06 --num 760 --den 32
expect_ok as admin --recorded-at 2017-08-02T09:00:00Z metric submit caseload --locality north --period 2017-06 --num 800 --den 32
expect_out "Replaced caseload north 2017-06: 23.8 -> 25.0 (version 2)"
expect_ok as admin --json metric history caseload --locality north --period 2017-06
expect_json 'len(j)' 2
expect_json 'j[0]["value"], j[1]["value"]' "(23.75, 25.0)"
expect_json 'j[0]["recorded_by"], j[1]["recorded_at"]' "('admin', '2017-08-02T09:00:00Z')"
expect_ok as admin --json metric series caseload --locality north --as-recorded 2017-07-31
expect_json 'j["measurements"][0]["value"]' 23.75
expect_ok as admin --json metric series caseload --locality north
expect_json 'j["measurements"][0]["value"], j["measurements"][0]["version"]' "(25.0, 2)"
# for people: a title naming the metric and locality; for CSV: the table alone
expect_ok as admin metric series caseload --locality north
check "series: title first" grep -q '^Caseload (ratio, lower is better) — north$' <<<"$(head -1 <<<"$OUT")"
expect_ok as admin --csv metric series caseload --locality north
check "series --csv: header first" grep -q '^"PERIOD","VALUE"' <<<"$(head -1 <<<"$OUT")"
expect_ok as admin --json metric series caseload --locality north --as-recorded 2017-07-01
expect_json 'len(j["measurements"])' 0
# the same figure again changes nothing
expect_ok as admin metric submit caseload --locality north --period 2017-06 --num 800 --den 32
expect_out "Unchanged"
expect_ok as admin --json metric history caseload --locality north --period 2017-06
expect_json 'len(j)' 2
expect_rc 4 as admin metric history caseload --locality north --period 2017-09
expect_rc 3 as perf --recorded-at 2017-08-02T09:00:00Z metric submit caseload --locality north --period 2017-06 5

# --- redefinition: target may change; unit may not once there are figures
expect_ok as admin metric define cp "CP visits on time" --unit pct --better higher --target 95
expect_rc 5 as admin metric define cp "CP visits" --unit ratio --better higher

expect_ok as vic metric --help
expect_out "compare"
for sub in list define submit series compare history; do
  expect_ok as vic metric $sub --help
  expect_out "Usage: planboard metric $sub"
done
for c in "audit submit" "audit list" "import" "export"; do
  expect_ok as vic $c --help
  expect_out "Usage: planboard $c"
done
expect_rc 1 as vic metric
expect_rc 1 as vic metric frobnicate
expect_rc 1 as vic metric list extra
expect_rc 1 as vic metric history cp
expect_rc 1 as vic metric history cp --locality north
expect_rc 1 as vic metric series cp --locality north --bogus
expect_rc 6 as vic metric series cp --locality north --as-recorded 2017-02-30
expect_rc 6 as vic metric series cp --locality north --to 2017-00
expect_rc 6 as vic audit list --as-recorded never
expect_rc 4 as vic export --kind audits --locality atlantis
expect_rc 4 as vic export --kind actions --plan nope
# --json: exactly one JSON value, proto field names as keys
expect_ok as perf --json metric submit cp --locality east --period 2017-07 --num 3 --den 4
expect_json 'j["measurement"]["value"], j["replaced"], j["measurement"]["recorded_by"]' "(75.0, False, 'perf')"
server_alive; check "server alive" test $? -eq 0
finish
