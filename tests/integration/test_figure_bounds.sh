#!/usr/bin/env bash
# Figures, targets and tolerances are bounded (finite, |x| <= 1e12, a
# percentage within 0-100) on every way in (submit, define, import), and
# the HTML chart has a handful of gridlines whatever the magnitude.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
for l in north south; do as admin locality add $l "$l"; done
expect_ok as admin plan add n1 "North plan" --locality north --start 2017-06-01 --end 2017-09-30
expect_ok as admin metric define big "Big count" --unit count --better higher
expect_ok as admin metric define cp "CP visits" --unit pct --better higher

# --- a count of 50 million: the chart takes ~5 gridlines, not 50,000
expect_ok as admin metric submit big --locality north --period 2017-07 50000000
expect_ok as admin metric submit big --locality south --period 2017-07 1
expect_ok as admin report --plan n1 --as-of 2017-09-30 --format html -o "$T/r.html"
lines="$(grep -c '<line x1="60" x2="580" y1="[0-9.]*" y2="[0-9.]*" stroke="#ddd"' "$T/r.html")"
check "a handful of gridlines ($lines)" test "$lines" -ge 3 -a "$lines" -le 11
check "report stays small" test "$(stat -c %s "$T/r.html")" -lt 200000
check "axis starts at 0" grep -q 'text-anchor="end">0<' "$T/r.html"
check "gridline at 60 million" grep -q '>60000000<' "$T/r.html"

# --- submit: beyond 1e12, a percentage over 100
expect_ok as admin metric submit big --locality north --period 2017-08 1000000000000
expect_rc 6 as admin metric submit big --locality north --period 2017-08 10000000000000
expect_err "INVALID_ARGUMENT: figures must be at most 1e+12"
expect_rc 6 as admin metric submit big --locality north --period 2017-08 1e19
expect_ok as admin metric submit cp --locality north --period 2017-07 100
expect_rc 6 as admin metric submit cp --locality north --period 2017-07 100.5
expect_err "the value must be between 0 and 100"
expect_rc 6 as admin metric submit cp --locality north --period 2017-07 --num 3 --den 2
expect_rc 6 as admin metric submit cp --locality north --period 2017-07 --num 1e13 --den 2e13
expect_err "at most 1e+12"

# --- define: target and tolerance
expect_rc 6 as admin metric define big "Big count" --unit count --better higher --target 1e13
expect_err "target and tolerance must be at most 1e+12"
expect_rc 6 as admin metric define big "Big count" --unit count --better higher --target -1e300
expect_rc 6 as admin metric define big "Big count" --unit count --better higher --target 5 --tolerance 1e13
expect_rc 6 as admin metric define cp "CP visits" --unit pct --better higher --target 101
expect_err "a percentage target must be between 0 and 100"
expect_rc 6 as admin metric define cp "CP visits" --unit pct --better higher --target -1
expect_ok as admin metric define cp "CP visits" --unit pct --better higher --target 100 --tolerance 5
expect_ok as admin metric define big "Big count" --unit count --better higher --target 1e12

# --- import: the same checks per row
printf 'metric,locality,period,value,numerator,denominator\nbig,south,2017-08,2e12,,\ncp,south,2017-08,250,,\n' >"$T/bad.csv"
expect_rc 6 as admin import "$T/bad.csv" --kind measurements
expect_err "2 rows are bad"
expect_ok as admin --json metric series big --locality south
expect_json 'len(j["measurements"])' 1

# the report still renders with figures at the bound
expect_ok as admin report --plan n1 --as-of 2017-09-30 --format html -o "$T/r2.html"
lines="$(grep -c 'stroke="#ddd"' "$T/r2.html")"
check "a handful of gridlines at 1e12 ($lines)" test "$lines" -ge 3 -a "$lines" -le 22
finish
