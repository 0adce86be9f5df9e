#!/usr/bin/env bash
# Audit rounds: submit, resubmit, list with derived percentages,
# as-recorded, permissions and errors; audit and action CSV import/export.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
for l in north south; do as admin locality add $l "$l"; done
add_user nina locality Coastal-Team-2017 north
add_user vic viewer Scrutiny-Seat-88
login nina Coastal-Team-2017
login vic Scrutiny-Seat-88

# 20 required, 16 completed (80%), 12 on time (75% of completed),
# grades 1/7/6/2: good or better 8 of 16 = 50%.
expect_ok as nina audit submit --locality north --period 2017-07 --required 20 --completed 16 --on-time 12 --grades 1,7,6,2
expect_out "16 of 20 completed (80.0%)"
expect_ok as vic --json audit list --locality north
expect_json 'j[0]["compliance_pct"], j[0]["on_time_pct"], j[0]["good_or_better_pct"], j[0]["moderated"]' "(80.0, 75.0, 50.0, False)"
expect_rc 3 as nina audit submit --locality south --period 2017-07 --required 1 --completed 1 --on-time 1
expect_rc 3 as vic audit submit --locality north --period 2017-07 --required 1 --completed 1 --on-time 1
expect_rc 6 as admin audit submit --locality north --period 2017-08 --required 10 --completed 11 --on-time 1
expect_err "completed (11) exceeds required (10)"
expect_rc 6 as admin audit submit --locality north --period 2017-08 --required 10 --completed 5 --on-time 6
expect_rc 6 as admin audit submit --locality north --period 2017-08 --required 10 --completed 5 --on-time 5 --grades 2,2,2,0
expect_err "6 audits graded but only 5 completed"
expect_rc 6 as admin audit submit --locality north --period 08-2017 --required 1 --completed 1 --on-time 1
expect_rc 4 as admin audit submit --locality atlantis --period 2017-08 --required 1 --completed 1 --on-time 1
expect_rc 1 as admin audit submit --locality north --period 2017-08 --required 1 --completed 1
expect_rc 1 as admin audit submit --locality north --period 2017-08 --required -1 --completed 1 --on-time 1
expect_rc 1 as admin audit submit --locality north --period 2017-08 --required 1 --completed 1 --on-time 1 --grades 1,2
expect_rc 4 as vic audit list --locality atlantis
expect_rc 6 as vic audit list --from 2017

# resubmission: a new version; as-recorded sees the old one
expect_ok as admin --recorded-at 2017-09-03T10:00:00Z audit submit --locality north --period 2017-08 --required 22 --completed 18 --on-time 15
expect_ok as admin --recorded-at 2017-09-20T10:00:00Z audit submit --locality north --period 2017-08 --required 22 --completed 22 --on-time 18 --grades 1,9,10,2 --moderated
expect_ok as vic --json audit list --locality north --from 2017-08
expect_json 'j[0]["compliance_pct"], j[0]["moderated"], j[0]["recorded_at"]' "(100.0, True, '2017-09-20T10:00:00Z')"
expect_ok as vic --json audit list --locality north --from 2017-08 --as-recorded 2017-09-10
expect_json 'j[0]["completed"]' 18
expect_ok as vic audit list
expect_out "north"
expect_ok as vic audit list --help

# --- audit CSV: bad rows, then a good import and a round trip
cat >"$T/audits.csv" <<'CSV'
locality,period,required,completed,on_time,outstanding,good,requires_improvement,inadequate,moderated
south,2017-07,10,10,9,1,5,4,0,no
south,2017-08,10,11,9,,,,,
south,2017-09,ten,10,9,,,,,
south,2017-10,10,10,9,,,,,maybe
south,2017-11,10,10,9.5,,,,,
CSV
expect_rc 6 as admin import "$T/audits.csv" --kind audits
expect_err "line 3: completed (11) exceeds required (10)"
expect_err "line 4: required 'ten' is not a number"
expect_err "line 5: moderated 'maybe' is not yes or no"
expect_err "line 6: on_time '9.5' is not a whole number"
expect_ok as vic --json audit list --locality south
expect_json 'len(j)' 0
head -2 "$T/audits.csv" >"$T/audits-good.csv"
expect_ok as admin import "$T/audits-good.csv" --kind audits
expect_ok as admin export --kind audits -o "$T/audits-export.csv"
expect_ok as admin import "$T/audits-export.csv" --kind audits
expect_out "3 rows read, 3 applied"
expect_ok as admin export --kind audits -o "$T/audits-export2.csv"
check "audits round-trip unchanged" cmp "$T/audits-export.csv" "$T/audits-export2.csv"

# --- actions CSV (admin): added through the same checks as 'action add'
as admin plan add north-2017 "North improvement plan" --locality north
as admin theme add --plan north-2017 leadership "Leadership and management"
cat >"$T/actions.csv" <<'CSV'
plan,ref,theme,title,description,owner,locality,source,due_date,status,rag
north-2017,N-1.1,leadership,"Recruit permanent managers, North","Two posts; ""urgent""
second line",Head of Service,north,locality,2017-09-30,in_progress,amber
north-2017,N-1.2,leadership,Weekly supervision audit,,,,,2017-10-31,,
north-2017,N-1.3,nope,Bad theme,,,,,,,
north-2017,N-1.4,leadership,Bad status,,,,,,finished,
north-2017,N-1.5,leadership,Bad date,,,,,2017-02-30,,
CSV
expect_rc 6 as admin import "$T/actions.csv" --kind actions
# the quoted description spans two lines, so the bad rows are on lines 5-7
expect_err "line 5: no theme 'nope'"
expect_err "line 6: status 'finished' is not one of"
expect_err "line 7: due"
expect_ok as admin import "$T/actions.csv" --kind actions --partial
expect_out "2 applied, 3 bad"
expect_ok as admin --json action show N-1.1 --plan north-2017
expect_json 'j["description"]' 'Two posts; "urgent"
second line'
expect_json 'j["status"], j["rag"]' "('in_progress', 'amber')"
expect_ok as admin export --kind actions --plan north-2017 -o "$T/actions-export.csv"
expect_rc 6 as admin import "$T/actions-export.csv" --kind actions
expect_err "already exists"
server_alive; check "server alive" test $? -eq 0
finish
