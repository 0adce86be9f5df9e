#!/usr/bin/env bash
# A comparison, a review criterion and the report read only the months they
# show (and the few before them they link to), not a metric's whole history
# (server/metrics.c, criteria_db.c, report_metrics.c). Through the real
# client: what they read back from before the window is still right —
# the first month's trend against a figure months earlier, its gap change
# against an even earlier month (the month between had no other locality),
# a locality that started reporting before the window counted, the same
# look-back as recorded at a past date, a criterion's months, and metrics
# the plan's locality does not report left out of the report.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
for l in north south east; do as admin locality add $l "$l"; done
as admin metric define cp "CP visits on time" --unit pct --better higher
as admin metric define unused "Reported by others only" --unit pct --better higher
as admin metric define late "Recorded late" --unit pct --better higher
sub() { expect_ok as admin --recorded-at "$1" metric submit "$2" --locality "$3" --period "$4" "$5"; }
# 2015-01: north 50, south 60 (gap -10). 2016-06: north alone, recorded in
# February 2017 (a value, no gap). 2016-12: east's first figure. Then the
# window, recorded in January 2017.
sub 2015-02-01T00:00:00Z cp north 2015-01 50
sub 2015-02-01T00:00:00Z cp south 2015-01 60
sub 2017-02-01T00:00:00Z cp north 2016-06 75
sub 2017-01-02T00:00:00Z cp east 2016-12 90
for m in 01 02 03; do
  sub 2017-01-10T00:00:00Z cp north 2017-$m 7${m#0}
  sub 2017-01-10T00:00:00Z cp south 2017-$m 75
  sub 2017-01-10T00:00:00Z cp east 2017-$m 80
  sub 2017-01-10T00:00:00Z unused south 2017-$m 40
done
sub 2017-05-01T00:00:00Z late north 2017-02 33
sub 2017-05-01T00:00:00Z late south 2017-02 44

# January 2017 against the rest (mean of 75 and 80 = 77.5): gap -6.5.
# Trend against June 2016 (75 -> 71: worsening); gap change against
# January 2015 (-10 -> -6.5: +3.5); all three localities had reported.
expect_ok as admin --json metric compare cp --locality north --from 2017-01
expect_json 'len(j["points"]), j["points"][0]["period"]' "(3, '2017-01')"
expect_json 'j["points"][0]["trend"], round(j["points"][0]["gap"], 3)' "('worsening', -6.5)"
expect_json 'round(j["points"][0]["gap_change"], 3)' 3.5
expect_json 'j["points"][0]["localities_total"], j["points"][0]["localities_missing"]' "(3, 0)"
# the same from the whole history
expect_ok as admin --json metric compare cp --locality north
expect_json '[(p["period"], p.get("trend"), round(p.get("gap_change", 0), 3)) for p in j["points"]][-3]' \
  "('2017-01', 'worsening', 3.5)"
# As recorded on 15 January 2017 the June 2016 figure did not exist yet:
# the trend is against January 2015 (50 -> 71: improving).
expect_ok as admin --json metric compare cp --locality north --from 2017-01 --as-recorded 2017-01-15
expect_json 'j["points"][0]["trend"], round(j["points"][0]["gap_change"], 3)' "('improving', 3.5)"
# As recorded on 5 January 2017 east had reported (2 January) and the
# window had not: no points, and nothing read from before fails.
expect_ok as admin --json metric compare cp --locality north --from 2017-01 --as-recorded 2017-01-05
expect_json 'len(j.get("points", []))' 0
# south's window: its previous figure and gap are both January 2015 (60,
# gap +10); in January 2017 75 against the mean of 71 and 80: gap -0.5.
expect_ok as admin --json metric compare cp --locality south --from 2017-01 --to 2017-01
expect_json 'j["points"][0]["trend"], round(j["points"][0]["gap_change"], 3)' "('improving', -10.5)"

# Criteria over the last months up to the report's as-of month.
as admin plan add north-p "North plan" --locality north --start 2017-01-01 --end 2017-12-31
as admin board review add --plan north-p --date 2017-06-01 "Half-year review"
ID="$(as admin --json board review list --plan north-p; json_get 'j[0]["id"]')"
expect_ok as admin board criterion add --review "$ID" "At least 70 for 3 months" --metric cp --at-least 70 --months 3
expect_ok as admin board criterion add --review "$ID" "At least 70 for 4 months" --metric cp --at-least 70 --months 4
expect_ok as admin --json report --plan north-p --as-of 2017-03-31 --format json
expect_json '[c["verdict"] for c in j["next_review"]["criteria"]]' "['met', 'not_enough_data']"
# the 3-month rule saw January to March, the 4-month one June 2016 too
expect_json '"January 2017: 71.0%" in j["next_review"]["criteria"][0]["evidence"]' True
expect_json '"June 2016" in j["next_review"]["criteria"][0]["evidence"]' False
expect_json '"June 2016: 75.0%" in j["next_review"]["criteria"][1]["evidence"]' True
expect_json '"not consecutive" in j["next_review"]["criteria"][1]["evidence"]' True

# The report: cp, and late (recorded in May); never unused (north has no
# figures for it). As recorded in April, late is not there yet.
expect_json '[m["code"] for m in j["metrics"]]' "['cp', 'late']"
expect_json '[m["series"][0]["trend"] for m in j["metrics"] if m["code"] == "cp"]' "['worsening']"
expect_ok as admin --json report --plan north-p --as-of 2017-03-31 --as-recorded 2017-04-01 --format json
expect_json '[m["code"] for m in j["metrics"]]' "['cp']"
check "server still alive" server_alive
finish
