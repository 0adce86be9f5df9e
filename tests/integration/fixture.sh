# shellcheck shell=bash
# tests/integration/fixture.sh: a small plan and one user per role, for the
# tests that need data. Source after lib.sh and start_server:
#
#   localities north, south, east; plan n1 (north, 2017-06-01..2018-03-31)
#   with themes lead, staff; actions
#     N-1  north's own            due 2017-09-30  in_progress amber
#     N-2  north's own            due 2018-02-28  not_started green
#     S-1  south's own            due 2017-08-31  not_started red
#     C-1  county-wide, assigned to north   due 2017-12-31
#     C-2  county-wide, unassigned          due 2017-07-31  completed blue
#   users perf (performance), north and south (locality), viewer (viewer),
#   all logged in. Passwords: $USER_PW.
USER_PW="Secure-Plan-2017"

fixture_load() {
  login admin "$ADMIN_PW"
  as admin locality add north "North Devon"
  as admin locality add south "South and West Devon"
  as admin locality add east "East and Mid Devon"
  as admin plan add n1 "North plan" --locality north --start 2017-06-01 --end 2018-03-31
  as admin theme add --plan n1 lead "Leadership and culture"
  as admin theme add --plan n1 staff "Staffing levels and caseloads"
  as admin action add --plan n1 --theme lead N-1 "Recruit a locality director" --locality north \
    --owner "Head of Service" --due 2017-09-30 --status in_progress --rag amber
  as admin action add --plan n1 --theme staff N-2 "Reduce caseloads to 20" --locality north \
    --owner "Area Manager" --due 2018-02-28
  as admin action add --plan n1 --theme staff S-1 "South recruitment drive" --locality south \
    --owner "South Area Manager" --due 2017-08-31 --rag red
  as admin action add --plan n1 --theme lead C-1 "Case tracking system" --assign-to north \
    --owner "Head of Service" --due 2017-12-31
  as admin action add --plan n1 --theme lead C-2 "Service-wide audit tool" \
    --owner "Principal Social Worker" --due 2017-07-31 --status completed --rag blue
  check "fixture loaded" test "$RC" -eq 0
  add_user perf performance "$USER_PW"
  add_user north locality "$USER_PW" north
  add_user south locality "$USER_PW" south
  add_user viewer viewer "$USER_PW"
  for u in perf north south viewer; do login "$u" "$USER_PW"; done
}

# csv_get EXPR: evaluate a Python expression on the last stdout parsed as
# CSV (`rows`, a list of lists, the header first).
csv_get() { python3 -c 'import csv,io,sys; rows=list(csv.reader(io.StringIO(sys.stdin.read()))); print(eval(sys.argv[1]))' "$1" <<<"$OUT"; }
# expect_csv EXPR VALUE: csv_get EXPR prints VALUE.
expect_csv() {
  local got
  got="$(csv_get "$1" 2>&1)"
  if [ "$got" = "$2" ]; then pass; else fail "csv $1: expected '$2', got '$got'"; fi
}
