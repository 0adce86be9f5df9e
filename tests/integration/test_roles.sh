#!/usr/bin/env bash
# The role matrix for every command built so far: admin, performance,
# locality (own, other locality's, county-wide assigned and unassigned
# actions) and viewer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixture.sh"
start_server
fixture_load

forbidden() { expect_rc 3 "$@"; expect_err "planboard: FORBIDDEN:"; }

# A refusal names the request as the command is typed, and the roles it needs.
forbidden as perf user list
expect_err "planboard: FORBIDDEN: user list needs role admin; you are performance"

# whoami says who you are the way login does: name (role, locality)
expect_ok as north whoami
expect_out "north (locality, north)"
expect_ok as perf whoami
expect_out "perf (performance)"

# Everyone may read.
for u in admin perf north south viewer; do
  expect_ok as "$u" whoami
  expect_ok as "$u" status
  expect_ok as "$u" locality list
  expect_ok as "$u" plan list
  expect_ok as "$u" plan show n1
  expect_ok as "$u" theme list --plan n1
  expect_ok as "$u" --json action list
  expect_json 'len(j)' 5
  expect_ok as "$u" action list --locality south --overdue --as-of 2017-10-01
  expect_ok as "$u" action show S-1
  expect_ok as "$u" action history C-1
done
as perf --json whoami
expect_json '(j["name"], j["role"])' "('perf', 'performance')"
as north --json whoami
expect_json '(j["name"], j["role"], j["locality"])' "('north', 'locality', 'north')"

# Only admins define localities, plans, themes and actions.
n=0
for u in perf north viewer; do
  n=$((n + 1))
  forbidden as "$u" locality add "loc$n" "Locality $n"
  forbidden as "$u" plan add "plan$n" "Plan $n"
  forbidden as "$u" theme add --plan n1 "theme$n" "Theme $n"
  forbidden as "$u" action add --plan n1 --theme lead "X-$n" "Action $n"
done
expect_ok as admin --json locality list
expect_json 'len(j)' 3
expect_ok as admin --json plan show n1
expect_json '(j["plan"]["actions"], len(j["themes"]))' "(5, 2)"

# Action updates: performance and viewer never.
for u in perf viewer; do
  for a in N-1 S-1 C-1 C-2; do
    forbidden as "$u" action update "$a" --note "from $u"
    forbidden as "$u" action update "$a" --if-version 1 --rag red
  done
done
# A locality user: its own locality's actions and county-wide ones assigned to it.
expect_ok as north action update N-1 --rag green --note "own locality"
expect_ok as north action update C-1 --status in_progress --note "assigned to north"
forbidden as north action update S-1 --note "another locality's action"
expect_err "belongs to south"
forbidden as north action update C-2 --note "county-wide, not assigned"
forbidden as south action update N-1 --note "north's action"
forbidden as south action update C-1 --note "assigned to north, not south"
expect_ok as south action update S-1 --status in_progress --note "own locality"
# ... but may not reassign, even its own.
forbidden as north action update N-1 --assign-to south
forbidden as north action update C-1 --assign-to south
# Admins update anything, and reassign.
expect_ok as admin action update C-2 --note "admin"
expect_ok as admin action update C-2 --assign-to south
expect_ok as south action update C-2 --note "now assigned to south"
forbidden as north action update C-2 --note "no longer north's"
# Nothing forbidden was recorded.
as admin --json action history S-1
expect_json '[u["user"] for u in j]' "['admin', 'south']"
as admin --json action history C-1
expect_json '[u["user"] for u in j]' "['admin', 'north']"
as admin --json action show N-1
expect_json '(j["version"], j["rag"])' "(2, 'green')"

# Users: admin only, except one's own password.
for u in perf north viewer; do
  forbidden as_stdin "$u" "$USER_PW-x" user add "new$u" --role viewer
  forbidden as "$u" user list
  forbidden as "$u" user disable south
  forbidden as_stdin "$u" "Other-Pass-Word-9" user passwd south
done
expect_ok as_stdin viewer "Own-Secret-Word-9" user passwd
expect_ok as_stdin perf "Own-Secret-Word-8" user passwd perf
expect_ok as admin user list
# --recorded-at is for admins only.
forbidden as north --recorded-at 2017-08-01T09:00:00Z action update N-1 --note "backdated"

# Not logged in: unauthenticated for everything but login.
for cmd in "whoami" "locality list" "plan list" "action list" "action show N-1" "user list"; do
  # shellcheck disable=SC2086
  expect_rc 3 as stranger $cmd
  expect_err "planboard: UNAUTHENTICATED:"
done
finish
