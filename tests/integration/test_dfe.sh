#!/usr/bin/env bash
# The DfE workforce statistics: South West imported as a new admin would;
# the pooled county of its authorities must equal the regional rows the
# file itself publishes, and sums computed independently here from the
# published counts. Markers are skipped and counted, never stored.
. "$(dirname "$0")/lib.sh"
DFE="${PLANBOARD_DFE_CSV:-$(dirname "$0")/../../../shared/data/dfe-csww-indicators-2017-2025.csv}"
[ -r "$DFE" ] || DFE="$(dirname "$0")/../../../../shared/data/dfe-csww-indicators-2017-2025.csv"
if [ ! -r "$DFE" ]; then echo "DfE file not found: skipped"; exit 0; fi
start_server
login admin "$ADMIN_PW"

expect_ok as admin --json import "$DFE" --kind dfe-csww --region "South West" --dry-run
expect_json 'j["rows"], j["dry_run"]' "(1463, True)"
expect_ok as admin --json locality list
expect_json 'len(j)' 0
expect_ok as admin --json import "$DFE" --kind dfe-csww --region "south west"
echo "$OUT" >"$T/import.json"

# Independent computation from the published counts.
python3 - "$DFE" >"$T/expected.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
MARK = {"x", "z", "u", "c", "low"}
METRICS = {  # code: (published, numerator, denominator columns)
    "csww_caseload": ("caseload_fte", "cases", ["case_holders_fte"], 1),
    "csww_agency_rate_pct": ("agency_rate_fte", "agency_fte", ["agency_fte", "inpost_fte"], 100),
    "csww_vacancy_rate_pct": ("vacancy_rate_fte", "vacancy_fte", ["vacancy_fte", "inpost_fte"], 100),
    "csww_turnover_rate_pct": ("turnover_rate_fte", "leavers_fte", ["inpost_fte"], 100),
}
las = [r for r in rows if r["geographic_level"] == "Local authority" and r["region_name"] == "South West"]
out = {"las": len({r["la_name"] for r in las}), "rows": len(las), "markers": 0, "pooled": {}, "published": {}}
for code, (pub, num, dens, scale) in METRICS.items():
    for y in sorted({r["time_period"] for r in las}):
        n = d = 0.0
        for r in las:
            if r["time_period"] != y:
                continue
            cells = [r[pub], r[num]] + [r[c] for c in dens]
            if any(c.strip().lower() in MARK for c in cells):
                out["markers"] += 1
                continue
            den = sum(float(r[c]) for c in dens)
            if den > 0:
                n += float(r[num]); d += den
        out["pooled"][f"{code} {y}-09"] = [n, d]
        reg = [r for r in rows if r["geographic_level"] == "Regional" and r["region_name"] == "South West" and r["time_period"] == y][0]
        out["published"][f"{code} {y}-09"] = float(reg[pub])
json.dump(out, sys.stdout)
PY
check "expected figures computed" test -s "$T/expected.json"
expect_json "j['applied'], j['localities_created'], j['markers_skipped'], j['bad']" \
  "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print((e["rows"], e["las"], e["markers"], 0))' "$T/expected.json")"

for m in csww_caseload csww_agency_rate_pct csww_vacancy_rate_pct csww_turnover_rate_pct; do
  as admin --json metric compare $m --locality devon
  echo "$OUT" >"$T/$m.json"
  check "$m: 9 years" test "$(json_get 'len(j["points"])')" = 9
  check "$m: pooled county = independent sums = published regional rows" python3 - "$T/expected.json" "$T/$m.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1])); j = json.load(open(sys.argv[2]))
code = j["metric"]["code"]; ok = True
for p in j["points"]:
    key = f"{code} {p['period']}"
    n, d = e["pooled"][key]
    if p["county_method"] != "pooled" or abs(p["county_numerator"] - n) > 1e-6 or abs(p["county_denominator"] - d) > 1e-6:
        print("counts differ", key, p, n, d); ok = False
    # Published rates are rounded to one decimal from counts that are
    # themselves rounded to 0.1 FTE: agree to within 0.1.
    if abs(p["county"] - e["published"][key]) > 0.1:
        print("published differs", key, p["county"], e["published"][key]); ok = False
    if p["rest_method"] != "pooled" or p["rest_denominator"] >= p["county_denominator"]:
        print("rest not pooled without devon", key); ok = False
sys.exit(0 if ok else 1)
PY
done

# 2025 by hand: caseload 29278 cases / 1912.0 FTE = 15.31 (published 15.3);
# Devon agency 118 / (118 + 367.1) = 24.32% (published 24.3).
as admin --json metric compare csww_caseload --locality devon --from 2025-09
expect_json 'round(j["points"][0]["county"], 2), j["points"][0]["county_numerator"]' "(15.31, 29278.0)"
as admin --json metric compare csww_agency_rate_pct --locality devon --from 2025-09
expect_json 'round(j["points"][0]["value"], 2), j["points"][0]["denominator"]' "(24.32, 485.1)"
# Isles of Scilly 2025: turnover is 'z' (no staff in post): not stored, not zero
as admin --json metric series csww_turnover_rate_pct --locality isles-of-scilly --from 2025-09
expect_json 'len(j["measurements"])' 0
as admin --json metric series csww_agency_rate_pct --locality bristol-city-of --from 2025-09
expect_json 'j["measurements"][0]["value"] > 0' True

# Importing again changes nothing (no new versions, no new localities)
expect_ok as admin --json import "$DFE" --kind dfe-csww --region "South West"
expect_json 'j["localities_created"], j["measurements"], j["unchanged"] > 500' "(0, 0, True)"
as admin --json metric history csww_caseload --locality devon --period 2017-09
expect_json 'len(j)' 1

expect_rc 4 as admin import "$DFE" --kind dfe-csww --region "Atlantis"
printf 'metric,locality,period,value\ncp,north,2017-06,1\n' >"$T/not-dfe.csv"
expect_rc 6 as admin import "$T/not-dfe.csv" --kind dfe-csww
expect_err "no column 'time_period'"
# a value that is neither a number nor a marker is a bad row
python3 - "$DFE" "$T/broken.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
for i, l in enumerate(lines):
    if ",Devon," in l and l.startswith("2025"):
        f = l.split(","); f[10] = "many"; lines[i] = ",".join(f); bad = i + 1
open(sys.argv[2], "w").write("\n".join(lines) + "\n")

PY
bad_line=$(python3 -c 'import sys; ls=open(sys.argv[1]).read().splitlines(); print([i+1 for i,l in enumerate(ls) if ",Devon," in l and l.startswith("2025")][0])' "$T/broken.csv")
expect_rc 6 as admin import "$T/broken.csv" --kind dfe-csww --region "South West"
expect_err "line $bad_line: inpost_fte is 'many': neither a number nor a marker"

# The whole file, every region: timed
start=$(date +%s.%N)
expect_ok as admin --json import "$DFE" --kind dfe-csww
end=$(date +%s.%N)
echo "whole DfE file imported in $(python3 -c "print(round($end - $start, 3))") s: $OUT" | tr -d '\n'; echo
expect_json 'j["rows"], j["bad"], j["applied"]' "(1463, 0, 1355)"
server_alive; check "server alive" test $? -eq 0
finish
