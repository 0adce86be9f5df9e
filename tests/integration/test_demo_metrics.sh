#!/usr/bin/env bash
# deploy/demo/20-metrics.sh reproduces the seed report's figures, read
# back with --json: the CP-visit gap closing from 17 to 4 points, North's
# caseloads in the high 20s June-August then falling, its agency gap ending
# narrower than June's, 113 CIN closures,
# 100% audit compliance in August and September, children-in-care visits
# comparable with the county. Running it twice changes nothing.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
demo() {
  XDG_CONFIG_HOME="$T/cfg-admin" PLANBOARD_USER=admin PLANBOARD="$PLANBOARD" \
    bash "$(dirname "$0")/../../deploy/demo/20-metrics.sh" >"$T/demo.out" 2>&1
}
demo; RC=$?
check "demo script runs" test "$RC" -eq 0
[ "$RC" -eq 0 ] || cat "$T/demo.out" >&2

as admin --json metric compare cp_visits_timely_pct --locality north
expect_json '[p["period"] for p in j["points"]]' "['2017-06', '2017-07', '2017-08', '2017-09']"
expect_json 'round(j["points"][0]["gap"], 1), round(j["points"][3]["gap"], 1)' "(-17.0, -4.0)"
expect_json 'j["points"][0]["rest_method"], j["points"][0]["favourable"]' "('pooled', False)"
expect_json '[p["trend"] for p in j["points"][1:]]' "['improving', 'improving', 'improving']"
expect_json 'round(j["points"][3]["gap_change"], 1)' 6.0

as admin --json metric series caseload_fte --locality north
expect_json '[round(m["value"], 1) for m in j["measurements"]]' "[27.0, 28.0, 27.6, 25.0]"
as admin --json metric compare caseload_fte --locality north
expect_json 'j["points"][0]["gap"] > j["points"][3]["gap"] > 0' True

# Staffing: more FTE by September, agency workers among them, and North's
# agency gap to the county ends narrower than in June (it improved).
as admin --json metric series agency_rate_pct --locality north
expect_json '[(m["numerator"], m["denominator"]) for m in j["measurements"]]' "[(9.0, 40.0), (8.0, 40.0), (7.0, 41.0), (8.0, 42.0)]"
as admin --json metric compare agency_rate_pct --locality north
expect_json 'round(j["points"][3]["gap"], 1) < round(j["points"][0]["gap"], 1)' True
expect_json 'j["points"][3]["trend"]' worsening

as admin --json metric series cin_closures --locality north
expect_json 'sum(m["value"] for m in j["measurements"])' 113.0

as admin --json audit list --locality north --from 2017-08
expect_json '[a["compliance_pct"] for a in j]' "[100.0, 100.0]"
expect_json 'all(a["on_time"] * 2 > a["completed"] for a in j)' True
expect_json 'j[0]["moderated"]' True

as admin --json metric compare cic_visits_timely_pct --locality north
expect_json 'all(abs(p["gap"]) < 3 for p in j["points"])' True

# As recorded at the end of August, September's figures were not known yet.
as admin --json metric compare cp_visits_timely_pct --locality north --as-recorded 2017-08-31
expect_json 'len(j["points"])' 2

as admin --json metric list
expect_json 'len([m for m in j if not m["code"].startswith("csww_")])' 11

# Idempotent: a second run adds no versions.
demo; RC=$?
check "demo script runs twice" test "$RC" -eq 0
as admin --json metric history cp_visits_timely_pct --locality north --period 2017-06
expect_json 'len(j)' 1
finish
