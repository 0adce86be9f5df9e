#!/usr/bin/env bash
# The demo data (20-metrics.sh, 30-governance.sh) and the report the
# committee reads: the seed's figures — the CP-visit gap closing from 17 to
# 4 points, 113 children-in-need closures, 100% audit compliance — in all
# three formats, the review's criteria evaluated, and the report as
# recorded in October 2017 unchanged by a later correction.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
demo() { XDG_CONFIG_HOME="$T/cfg-admin" PLANBOARD_USER=admin PLANBOARD="$PLANBOARD" bash "$@" >"$T/demo.out" 2>&1; }
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
check "20-metrics.sh" demo "$ROOT/deploy/demo/20-metrics.sh"
check "30-governance.sh" demo "$ROOT/deploy/demo/30-governance.sh"
# again, sourced the way deploy/demo-load.sh does it (idempotent; the
# loader's variables and traps survive)
sourced() {
  DEMO_CFG="$T/cfg-admin" PB="$PLANBOARD" bash -c '
    set -euo pipefail
    pb() { XDG_CONFIG_HOME="$DEMO_CFG" "$PB" "$@" >/dev/null; }
    trap "echo loader-trap-kept" EXIT
    here=loader
    . "$1"
    [ "$here" = loader ] && echo loader-vars-kept' _ "$1" >"$T/demo.out" 2>&1
}
check "30-governance.sh sourced by the loader (idempotent)" sourced "$ROOT/deploy/demo/30-governance.sh"
check "sourcing keeps the loader's variables and trap" grep -q "loader-vars-kept" "$T/demo.out"
check "sourcing keeps the loader's trap" grep -q "loader-trap-kept" "$T/demo.out"
[ "$FAILED" -eq 0 ] || cat "$T/demo.out" >&2
P=(--plan north-2017 --as-of 2017-09-30 --as-recorded 2017-10-31)

expect_ok as admin report "${P[@]}" --format json
printf '%s' "$OUT" >"$T/oct.json"
expect_json '[m["code"] for m in j["metrics"] if m["code"] == "cp_visits_timely_pct"][0]' cp_visits_timely_pct
expect_json '[(m["gap_start"], m["gap_end"], m["gap_change"], m["gap_moved"]) for m in j["metrics"] if m["code"] == "cp_visits_timely_pct"][0]' "(-17.0, -4.0, 13.0, 'favourably')"
expect_json '[m["total"] for m in j["metrics"] if m["code"] == "cin_closures"][0]' "113.0"
expect_json 'j["audits"]["rounds"][-1]["compliance_pct"], j["audits"]["rounds"][-1]["month"]' "(100.0, 'September 2017')"
expect_json 'j["board"]["chair"], len(j["board"]["members"]), len(j["meetings"])' "('Mark Gurrey', 7, 4)"
expect_json '[d.get("action_ref") for d in j["meetings"][3]["decisions"]]' "[None, None, 'N-1.5']"
expect_json 'len(j["risks"]), [len(r["actions"]) if "actions" in r else 0 for r in j["risks"]]' "(6, [0, 0, 0, 0, 0, 0])"
expect_json '[c["verdict"] for c in j["next_review"]["criteria"]]' "['not_met', 'not_met']"
expect_json 'j["next_review"]["date"]' "2017-12-14"
expect_json '[r["ref"] for r in j["attention"]["risks"]]' "['R1', 'R5']"

expect_ok as admin report "${P[@]}"
expect_out "In June 2017, North Devon was 17.0 points below the rest of the county; by September 2017 the gap was 4.0 points"
expect_out "North Devon recorded 113 in total"
expect_out "| Child protection visits on time (%) | June 2017 | -17.0 | September 2017 | -4.0 | favourably | higher |"
# gaps are signed on both sides of the county, as in metric compare
expect_out "| Caseload per case-holding FTE | June 2017 | +8.9 | September 2017 | +7.1 | favourably | lower |"
expect_out "| September 2017 | 25.0 | 17.9 | +7.1 | 18.0 |"
expect_out "Audit compliance in September 2017: 100.0%."
expect_out "(100% compliance)"
expect_out "Other localities that month: East Devon 100%, Exeter 100%, South Devon 100%."
expect_out "| Mark Gurrey | Chair; Independent Chair of Devon Safeguarding Children's Board |"
expect_out "Improved performance is sustainable"
expect_out "   - State: not met (judged by admin on 2017-09-19)"

expect_ok as admin report "${P[@]}" --format html -o "$T/oct.html"
check "demo html: signed gaps" grep -q '<td class="n">+7.1</td>' "$T/oct.html"
check "demo html well-formed, with one chart per metric" python3 -c '
import sys, json, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
svgs = list(root.iter("{http://www.w3.org/2000/svg}svg"))
metrics = json.load(open(sys.argv[2]))["metrics"]
assert len(svgs) == len(metrics) > 0, (len(svgs), len(metrics))
text = "".join(root.itertext())
assert "17.0 points below the rest of the county" in text and "113 in total" in text and "100% compliance" in text
' "$T/oct.html" "$T/oct.json"

# the metric-bound criterion shows its figures; as of December it would be met
expect_ok as admin --json board review list --plan north-2017 --as-of 2017-09-30
expect_json 'j[0]["criteria"][0]["evidence"].startswith("July 2017")' True
# a correction recorded in November does not change October's report
expect_ok as admin --recorded-at 2017-11-02T09:00:00Z metric submit cp_visits_timely_pct --locality north --period 2017-09 70 --num 70 --den 100
expect_ok as admin report "${P[@]}" --format json
check "October's report unchanged after the November correction" test "$OUT" = "$(cat "$T/oct.json")"
expect_ok as admin report --plan north-2017 --as-of 2017-09-30 --format json
expect_json '[m["gap_end"] for m in j["metrics"] if m["code"] == "cp_visits_timely_pct"][0]' "-14.0"
finish
