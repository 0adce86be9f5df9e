#!/usr/bin/env bash
# CSV import and export: quoting, BOM, CRLF, blank lines; every kind of bad
# row reported with its line; all-or-nothing, --dry-run, --partial; 10,000
# rows; export that imports back unchanged; who may import what.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
for l in north south; do as admin locality add $l "$l"; done
as admin metric define cp "CP visits" --unit pct --better higher
as admin metric define closures "CIN closures" --unit count --better higher
add_user perf performance Quarterly-Review-71
add_user nina locality Coastal-Team-2017 north
login perf Quarterly-Review-71
login nina Coastal-Team-2017

count_cp() { as admin --json metric series cp --locality "$1"; json_get 'len(j["measurements"])'; }

# --- a good file with a BOM, CRLF endings, quoted fields and trailing blank lines
printf '\xef\xbb\xbfmetric,locality,period,value,numerator,denominator\r\n"cp",north,2017-06,,63,100\r\ncp,"north",2017-07,70,70,100\r\nclosures,south,2017-06,20,,\r\n\r\n\r\n' >"$T/good.csv"
expect_ok as perf --json import "$T/good.csv" --kind measurements
expect_json 'j["rows"], j["applied"], j["bad"]' "(3, 3, 0)"
check "2 cp figures stored" test "$(count_cp north)" = 2

# --- every kind of bad row, each with its line; nothing applied
cat >"$T/bad.csv" <<'CSV'
metric,locality,period,value,numerator,denominator
cp,north,2017-08,75,75,100
nope,north,2017-08,1,,
cp,atlantis,2017-08,1,,
cp,north,2017-13,1,,
cp,north,2017-08,abc,,
cp,north,2017-08,,5,
cp,north,2017-08,,5,0
cp,north,2017-08,90,5,10
closures,north,2017-08,2.5,,
cp,north,2017-08,x,,
cp,north,2017-08
"cp,north",north,2017-08,1,,

cp,south,2017-08,-3,,
CSV
expect_rc 6 as perf import "$T/bad.csv" --kind measurements
expect_err "13 rows are bad: nothing was imported"
for want in "line 3: no metric 'nope'" "line 4: no locality 'atlantis'" "line 5: period must be a month" \
            "line 6: value 'abc' is not a number" "line 7: numerator and denominator go together" \
            "line 8: numerator must be >= 0 and denominator > 0" "line 9: value 90 does not match" \
            "line 10: metric 'closures' is a count" "line 11: value is the statistical marker 'x'" \
            "line 12: has 3 fields, the header has 6" "line 13: metric must be" "line 15: value must not be negative"; do
  expect_err "$want"
done
check "line 2 (good) not applied: all or nothing" test "$(count_cp north)" = 2
expect_rc 6 as perf --json import "$T/bad.csv" --kind measurements
expect_json 'j["bad"], j["applied"], len(j["errors"]), j["errors"][0]["line"]' "(12, 1, 12, 3)"

# --dry-run: the same report, nothing stored
expect_rc 6 as perf import "$T/bad.csv" --kind measurements --dry-run
expect_err "nothing would be imported"
expect_ok as perf import "$T/bad.csv" --kind measurements --dry-run --partial
expect_out "Dry run: 13 rows read, 1 would apply, 12 bad"
check "dry run stores nothing" test "$(count_cp north)" = 2
# --partial applies the good row
expect_ok as perf import "$T/bad.csv" --kind measurements --partial
expect_out "1 applied, 12 bad"
check "partial applied the good row" test "$(count_cp north)" = 3

# one row: singular words, from the server and the client
printf 'metric,locality,period,value\ncp,north,2017-10,x\n' >"$T/one-bad.csv"
expect_rc 6 as perf import "$T/one-bad.csv" --kind measurements
expect_err "1 of 1 row is bad: nothing was imported"
printf 'metric,locality,period,value\ncp,north,2017-10,81\n' >"$T/one.csv"
expect_ok as perf import "$T/one.csv" --kind measurements --dry-run
expect_out "Dry run: 1 row read, 1 would apply, 0 bad, 1 figure to store"

# --- file-level problems
printf 'metric,locality,period,value\ncp,north,2017-09,"80\n' >"$T/unclosed.csv"
expect_rc 6 as perf import "$T/unclosed.csv" --kind measurements
expect_err "line 2:"
printf 'metric,locality,value\ncp,north,5\n' >"$T/nocol.csv"
expect_rc 6 as perf import "$T/nocol.csv" --kind measurements
expect_err "the column 'period' is missing"
printf 'metric,locality,period,value,colour\ncp,north,2017-09,5,red\n' >"$T/extra.csv"
expect_rc 6 as perf import "$T/extra.csv" --kind measurements
expect_err "unknown column 'colour'"
printf 'metric,locality,period\ncp,north,2017-09\n' >"$T/novalue.csv"
expect_rc 6 as perf import "$T/novalue.csv" --kind measurements
printf '' >"$T/empty.csv"
expect_rc 6 as perf import "$T/empty.csv" --kind measurements
expect_rc 1 as perf import "$T/missing-file.csv" --kind measurements
expect_rc 1 as perf import "$T/good.csv"
expect_rc 1 as perf import "$T/good.csv" --kind everything
expect_rc 6 as perf import "$T/good.csv" --kind measurements --region "South West"
head -c 1100000 /dev/zero | tr '\0' 'a' >"$T/huge.csv"
expect_rc 6 as perf import "$T/huge.csv" --kind measurements
expect_err "larger than"
expect_ok as perf import --help
expect_out "dfe-csww"

# --- permissions
expect_rc 3 as nina import "$T/good.csv" --kind measurements
printf 'plan,ref,theme,title\n' >"$T/actions-empty.csv"
expect_rc 3 as perf import "$T/actions-empty.csv" --kind actions
expect_err "only admins may import actions"
expect_rc 3 as perf import "$T/good.csv" --kind dfe-csww

# --- 10,000 rows, one transaction
python3 - "$T/big.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("metric,locality,period,numerator,denominator\n")
    for i in range(10000):
        y, m = 1900 + i // 12, i % 12 + 1
        f.write(f"cp,south,{y:04d}-{m:02d},{i % 97},{100 + i % 13}\n")
PY
expect_ok as perf import "$T/big.csv" --kind measurements --dry-run
expect_out "10000 rows read, 10000 would apply, 0 bad"
check "dry run of 10k stored nothing" test "$(count_cp south)" = 0
expect_ok as perf import "$T/big.csv" --kind measurements
expect_out "10000 rows read, 10000 applied"
check "10k stored" test "$(count_cp south)" = 10000
# 10,000 bad rows: every one listed with its line
sed 's/^cp,south/nope,south/' "$T/big.csv" >"$T/bigbad.csv"
expect_rc 6 as perf --json import "$T/bigbad.csv" --kind measurements
expect_json 'j["bad"], len(j["errors"]), j["errors"][-1]["line"], "errors_omitted" in j' "(10000, 10000, 10001, False)"
# reasons too long to list all in one reply: counted, the rest omitted
python3 - "$T/longbad.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("metric,locality,period,value\n")
    for i in range(4500):
        f.write("cp,south,2017-01," + "9" * 190 + "x\n")
PY
expect_rc 6 as perf --json import "$T/longbad.csv" --kind measurements
expect_json 'j["bad"], len(j["errors"]) + j["errors_omitted"], j["errors_omitted"] > 0' "(4500, 4500, True)"
expect_rc 6 as perf import "$T/longbad.csv" --kind measurements
expect_err "more bad rows (too many to list)"

# --- export round-trips: export, import into a fresh server, export again
expect_ok as admin export --kind measurements --locality north -o "$T/export.csv"
expect_ok as admin export --kind measurements --locality north
expect_out '"cp","north","2017-06","63","63","100"'
check "export -o writes what stdout shows" test "$OUT" = "$(cat "$T/export.csv")"
stop_server
DB="$T/second.db"
start_server
login admin "$ADMIN_PW"
for l in north south; do as admin locality add $l "$l"; done
as admin metric define cp "CP visits" --unit pct --better higher
as admin metric define closures "CIN closures" --unit count --better higher
expect_ok as admin import "$T/export.csv" --kind measurements
expect_ok as admin export --kind measurements --locality north -o "$T/export2.csv"
check "measurements round-trip" cmp "$T/export.csv" "$T/export2.csv"
expect_ok as admin import "$T/export.csv" --kind measurements
expect_ok as admin --json metric history cp --locality north --period 2017-06
expect_json 'len(j)' 1
expect_rc 6 as admin export --kind dfe-csww
expect_rc 1 as admin export
expect_rc 4 as admin export --kind measurements --metric nope
server_alive; check "server alive" test $? -eq 0
finish
