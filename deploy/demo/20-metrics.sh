#!/usr/bin/env bash
# deploy/demo/20-metrics.sh: the performance figures of the seed report
# (seed/north-improvement-plan-report.txt), run after 10-plan.sh with the
# client logged in as admin (PLANBOARD_HOST/PORT set, or the defaults).
#
# - defines the standard children's social care metrics;
# - imports June-September 2017 monthly figures for north, south, east and
#   exeter, each month recorded a few days after it ended, chosen so that
#     metric compare cp_visits_timely_pct --locality north
#   shows North 17 points below the rest of the county in June and 4 in
#   September; North's caseloads are in the high 20s June-August and fall
#   from September; North's staffing grows slightly with experienced agency
#   social workers while its agency rate ends below June's; North closes 113 children-in-need cases; North's visits
#   to children in care are comparable with the county's;
# - records audit rounds: North 100% compliant in August and September;
# - imports the DfE workforce statistics for the South West region (Devon
#   and its neighbours), from $PLANBOARD_DFE_CSV or ../shared/data/ beside
#   the checkout; skipped with a message if the file is not there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -n "${DEMO_CFG:-}" ] && declare -F pb >/dev/null; then
  export XDG_CONFIG_HOME="$DEMO_CFG"   # sourced by demo-load.sh: its admin session and client
else
  PB="${PLANBOARD:-planboard}"
  command -v "$PB" >/dev/null 2>&1 || PB="$here/../../build/planboard"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# A command that may fail only with CONFLICT (exit 5): it exists already.
exists_ok() { "$PB" "$@" >/dev/null 2>"$tmp/err" || { rc=$?; [ $rc -eq 5 ] || { cat "$tmp/err" >&2; exit $rc; }; }; }

for l in "north:North Devon" "south:South Devon" "east:East Devon" "exeter:Exeter"; do
  exists_ok locality add "${l%%:*}" "${l#*:}"
done

define() { "$PB" metric define "$@" >/dev/null; }
define caseload_fte "Caseload per case-holding FTE" --unit ratio --better lower --target 18 --tolerance 4
define cp_visits_timely_pct "Child protection visits on time (%)" --unit pct --better higher --target 90 --tolerance 5
define cic_visits_timely_pct "Children in care visits on time (%)" --unit pct --better higher --target 90 --tolerance 5
define assessments_45d_pct "Assessments within 45 working days (%)" --unit pct --better higher --target 85 --tolerance 5
define rereferrals_12m_pct "Re-referrals within 12 months (%)" --unit pct --better lower --target 22 --tolerance 3
define audits_on_time_pct "Audits completed on time (%)" --unit pct --better higher --target 80 --tolerance 10
define audits_good_pct "Audits graded good or better (%)" --unit pct --better higher --target 60 --tolerance 10
define cin_closures "Children in need case closures" --unit count --better higher
define agency_rate_pct "Agency worker rate (%)" --unit pct --better lower --target 10 --tolerance 5
define vacancy_rate_pct "Vacancy rate (%)" --unit pct --better lower --target 10 --tolerance 5
define turnover_rate_pct "Turnover rate (%)" --unit pct --better lower --target 15 --tolerance 5

# month RECORDED-AT: import stdin (metric,locality,value,numerator,denominator
# without the period) as that month's figures.
month() {
  local period="$1" recorded="$2"
  { echo "metric,locality,period,value,numerator,denominator"
    sed -e '/^#/d' -e '/^$/d' | while IFS=, read -r m l v n d; do echo "$m,$l,$period,$v,$n,$d"; done
  } >"$tmp/$period.csv"
  "$PB" --recorded-at "$recorded" import "$tmp/$period.csv" --kind measurements >/dev/null
}

# Staffing (agency, vacancy rates: of 40 FTE in June, 42 in September): over
# the summer interim team managers give way to a permanent cadre (agency 9,
# 8, 7); in September additional experienced agency social workers start
# (agency 8 of 42), the seed's "slight increase in staffing", so the rate
# ticks up that month but ends below June's and vacancies fall.
# Caseloads are already high (27) in June and "remain in the high 20s".
# CP visits: rest of county = (south+east+exeter) pooled: June 351/450 = 78%,
# July 80%, August 82%, September 84%; North 61, 66, 72, 80: gaps -17 ... -4.
month 2017-06 2017-07-05T09:00:00Z <<'CSV'
cp_visits_timely_pct,north,,61,100
cp_visits_timely_pct,south,,156,200
cp_visits_timely_pct,east,,117,150
cp_visits_timely_pct,exeter,,78,100
caseload_fte,north,,864,32
caseload_fte,south,,720,40
caseload_fte,east,,570,30
caseload_fte,exeter,,408,24
cic_visits_timely_pct,north,,86,100
cic_visits_timely_pct,south,,176,200
cic_visits_timely_pct,east,,133,150
cic_visits_timely_pct,exeter,,88,100
assessments_45d_pct,north,,70,100
assessments_45d_pct,south,,170,200
assessments_45d_pct,east,,126,150
assessments_45d_pct,exeter,,84,100
rereferrals_12m_pct,north,,27,100
rereferrals_12m_pct,south,,42,200
rereferrals_12m_pct,east,,33,150
rereferrals_12m_pct,exeter,,21,100
audits_on_time_pct,north,,10,14
audits_on_time_pct,south,,16,20
audits_on_time_pct,east,,14,15
audits_on_time_pct,exeter,,9,10
audits_good_pct,north,,5,14
audits_good_pct,south,,12,20
audits_good_pct,east,,9,15
audits_good_pct,exeter,,6,10
cin_closures,north,20,,
cin_closures,south,22,,
cin_closures,east,18,,
cin_closures,exeter,15,,
agency_rate_pct,north,,9,40
agency_rate_pct,south,,5,48
agency_rate_pct,east,,4,36
agency_rate_pct,exeter,,3,29
vacancy_rate_pct,north,,8,40
vacancy_rate_pct,south,,5,48
vacancy_rate_pct,east,,4,36
vacancy_rate_pct,exeter,,3,29
turnover_rate_pct,north,,2,32
turnover_rate_pct,south,,1,43
turnover_rate_pct,east,,1,32
turnover_rate_pct,exeter,,1,26
CSV

month 2017-07 2017-08-04T09:00:00Z <<'CSV'
cp_visits_timely_pct,north,,66,100
cp_visits_timely_pct,south,,160,200
cp_visits_timely_pct,east,,120,150
cp_visits_timely_pct,exeter,,80,100
caseload_fte,north,,896,32
caseload_fte,south,,728,40
caseload_fte,east,,564,30
caseload_fte,exeter,,410,24
cic_visits_timely_pct,north,,88,100
cic_visits_timely_pct,south,,178,200
cic_visits_timely_pct,east,,134,150
cic_visits_timely_pct,exeter,,89,100
assessments_45d_pct,north,,74,100
assessments_45d_pct,south,,172,200
assessments_45d_pct,east,,127,150
assessments_45d_pct,exeter,,85,100
rereferrals_12m_pct,north,,26,100
rereferrals_12m_pct,south,,41,200
rereferrals_12m_pct,east,,32,150
rereferrals_12m_pct,exeter,,20,100
audits_on_time_pct,north,,12,16
audits_on_time_pct,south,,17,20
audits_on_time_pct,east,,14,15
audits_on_time_pct,exeter,,9,10
audits_good_pct,north,,7,16
audits_good_pct,south,,12,20
audits_good_pct,east,,9,15
audits_good_pct,exeter,,6,10
cin_closures,north,25,,
cin_closures,south,21,,
cin_closures,east,19,,
cin_closures,exeter,14,,
agency_rate_pct,north,,8,40
agency_rate_pct,south,,5,48
agency_rate_pct,east,,4,36
agency_rate_pct,exeter,,3,29
vacancy_rate_pct,north,,8,40
vacancy_rate_pct,south,,5,48
vacancy_rate_pct,east,,4,36
vacancy_rate_pct,exeter,,3,29
turnover_rate_pct,north,,2,32
turnover_rate_pct,south,,1,43
turnover_rate_pct,east,,0,32
turnover_rate_pct,exeter,,1,26
CSV

month 2017-08 2017-09-05T09:00:00Z <<'CSV'
cp_visits_timely_pct,north,,72,100
cp_visits_timely_pct,south,,164,200
cp_visits_timely_pct,east,,123,150
cp_visits_timely_pct,exeter,,82,100
caseload_fte,north,,910,33
caseload_fte,south,,724,40
caseload_fte,east,,561,30
caseload_fte,exeter,,406,24
cic_visits_timely_pct,north,,89,100
cic_visits_timely_pct,south,,180,200
cic_visits_timely_pct,east,,135,150
cic_visits_timely_pct,exeter,,90,100
assessments_45d_pct,north,,78,100
assessments_45d_pct,south,,172,200
assessments_45d_pct,east,,128,150
assessments_45d_pct,exeter,,85,100
rereferrals_12m_pct,north,,25,100
rereferrals_12m_pct,south,,41,200
rereferrals_12m_pct,east,,31,150
rereferrals_12m_pct,exeter,,20,100
audits_on_time_pct,north,,18,22
audits_on_time_pct,south,,18,20
audits_on_time_pct,east,,14,15
audits_on_time_pct,exeter,,9,10
audits_good_pct,north,,10,22
audits_good_pct,south,,13,20
audits_good_pct,east,,9,15
audits_good_pct,exeter,,6,10
cin_closures,north,30,,
cin_closures,south,20,,
cin_closures,east,18,,
cin_closures,exeter,15,,
agency_rate_pct,north,,7,41
agency_rate_pct,south,,5,48
agency_rate_pct,east,,4,36
agency_rate_pct,exeter,,3,29
vacancy_rate_pct,north,,7,41
vacancy_rate_pct,south,,5,48
vacancy_rate_pct,east,,4,36
vacancy_rate_pct,exeter,,3,29
turnover_rate_pct,north,,1,33
turnover_rate_pct,south,,1,43
turnover_rate_pct,east,,1,32
turnover_rate_pct,exeter,,0,26
CSV

month 2017-09 2017-10-04T09:00:00Z <<'CSV'
cp_visits_timely_pct,north,,80,100
cp_visits_timely_pct,south,,168,200
cp_visits_timely_pct,east,,126,150
cp_visits_timely_pct,exeter,,84,100
caseload_fte,north,,850,34
caseload_fte,south,,720,40
caseload_fte,east,,558,30
caseload_fte,exeter,,404,24
cic_visits_timely_pct,north,,90,100
cic_visits_timely_pct,south,,181,200
cic_visits_timely_pct,east,,136,150
cic_visits_timely_pct,exeter,,90,100
assessments_45d_pct,north,,81,100
assessments_45d_pct,south,,173,200
assessments_45d_pct,east,,129,150
assessments_45d_pct,exeter,,86,100
rereferrals_12m_pct,north,,24,100
rereferrals_12m_pct,south,,40,200
rereferrals_12m_pct,east,,31,150
rereferrals_12m_pct,exeter,,20,100
audits_on_time_pct,north,,15,20
audits_on_time_pct,south,,18,20
audits_on_time_pct,east,,14,15
audits_on_time_pct,exeter,,9,10
audits_good_pct,north,,10,20
audits_good_pct,south,,13,20
audits_good_pct,east,,10,15
audits_good_pct,exeter,,6,10
cin_closures,north,38,,
cin_closures,south,22,,
cin_closures,east,17,,
cin_closures,exeter,16,,
agency_rate_pct,north,,8,42
agency_rate_pct,south,,5,48
agency_rate_pct,east,,4,36
agency_rate_pct,exeter,,3,29
vacancy_rate_pct,north,,6,42
vacancy_rate_pct,south,,5,48
vacancy_rate_pct,east,,4,36
vacancy_rate_pct,exeter,,3,29
turnover_rate_pct,north,,1,34
turnover_rate_pct,south,,1,43
turnover_rate_pct,east,,1,32
turnover_rate_pct,exeter,,1,26
CSV

# Audit rounds: North reaches 100% compliance in August (moderated: its
# cases were audited by managers across the county) and September.
cat >"$tmp/audits.csv" <<'CSV'
locality,period,required,completed,on_time,outstanding,good,requires_improvement,inadequate,moderated
north,2017-06,20,14,10,0,5,7,2,no
north,2017-07,20,16,12,0,7,7,2,no
north,2017-08,22,22,18,1,9,10,2,yes
north,2017-09,20,20,15,1,9,9,1,no
south,2017-06,20,20,16,2,10,7,1,no
south,2017-07,20,20,17,2,10,7,1,no
south,2017-08,20,20,18,2,11,6,1,no
south,2017-09,20,20,18,2,11,6,1,no
east,2017-06,15,15,14,1,8,5,1,no
east,2017-07,15,15,14,1,8,5,1,no
east,2017-08,15,15,14,1,8,5,1,no
east,2017-09,15,15,14,1,9,4,1,no
exeter,2017-06,10,10,9,1,5,4,0,no
exeter,2017-07,10,10,9,1,5,4,0,no
exeter,2017-08,10,10,9,1,5,4,0,no
exeter,2017-09,10,10,9,1,5,4,0,no
CSV
"$PB" --recorded-at 2017-10-04T09:00:00Z import "$tmp/audits.csv" --kind audits >/dev/null

# Real benchmark data: the DfE workforce statistics, South West region.
# ../shared/data beside the checkout (or beside the folder of worktrees).
dfe="${PLANBOARD_DFE_CSV:-}"
for d in "$here/../../../shared/data" "$here/../../../../shared/data"; do
  [ -z "$dfe" ] && [ -r "$d/dfe-csww-indicators-2017-2025.csv" ] && dfe="$d/dfe-csww-indicators-2017-2025.csv"
done
if [ -n "$dfe" ] && [ -r "$dfe" ]; then
  "$PB" import "$dfe" --kind dfe-csww --region "South West"
else
  echo "20-metrics: DfE workforce file not found beside the checkout (set PLANBOARD_DFE_CSV); skipped" >&2
fi
echo "20-metrics: metrics, June-September 2017 figures and audits loaded"
