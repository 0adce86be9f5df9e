#!/usr/bin/env bash
# deploy/demo/30-governance.sh: the seed report's governance
# (seed/north-improvement-plan-report.txt): the North Devon Improvement
# Board (chair, core members and terms of reference, Appendix 1), its
# monthly meetings June-September 2017, the risks and issues the report
# names, and the December 2017 review with the two conditions of section
# 1.5. Run after 10-plan.sh and 20-metrics.sh: sourced by
# deploy/demo-load.sh (which has logged in as admin), or on its own with
# the client logged in as admin. Everything carries its 2017 recording time
# (--recorded-at), so
#   planboard report --plan north-2017 --as-of 2017-09-30 --as-recorded 2017-10-31
# is the report as it could have been written in October 2017.
#
# The body runs in a subshell so that, sourced, it changes nothing of the
# loader's (variables, traps, options).
governance_demo() (
set -euo pipefail
if [ -n "${DEMO_CFG:-}" ] && declare -F pb >/dev/null; then
  export XDG_CONFIG_HOME="$DEMO_CFG"   # the loader's admin session
  PB="${PB:?}"
else
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  PB="${PLANBOARD:-planboard}"
  command -v "$PB" >/dev/null 2>&1 || PB="$here/../../build/planboard"
fi
PLAN="${PLANBOARD_DEMO_PLAN:-north-2017}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

at() { local t="$1"; shift; "$PB" --recorded-at "$t" "$@" >/dev/null; }
# A command that may fail only with CONFLICT (exit 5): it exists already.
exists_ok() { "$PB" "$@" >/dev/null 2>"$tmp/err" || { rc=$?; [ $rc -eq 5 ] || { cat "$tmp/err" >&2; exit $rc; }; }; }
# Link to an action only if the plan has it (10-plan.sh decides the refs).
has_action() { "$PB" action show "$1" --plan "$PLAN" >/dev/null 2>&1; }
link() { local out=(); for r in "$@"; do has_action "$r" && out+=(--action "$r"); done; echo "${out[@]}"; }

# The plan, if 10-plan.sh has not made it (the core issues of section 1.7).
if ! "$PB" plan show "$PLAN" >/dev/null 2>&1; then
  exists_ok locality add north "North Devon"
  at 2017-06-01T09:00:00Z plan add "$PLAN" "Children's Social Care North Improvement Plan" --locality north --start 2017-06-01 --end 2017-12-31
  for t in "leadership:Leadership and culture within the locality" "staffing:Staffing levels and caseloads" \
           "oversight:Quality and quantity of management oversight and supervision" \
           "practice:Adherence to core practice standards" \
           "support:Quality and relevance of input from support services, especially HR and management information"; do
    at 2017-06-01T09:00:00Z theme add --plan "$PLAN" "${t%%:*}" "${t#*:}"
  done
fi

# ---- the board (Appendix 1)
terms="Background: Devon County Council Children's Services commissioned a review of its social work service in May 2017. This identified that services were weaker in the North Devon teams than other areas; a deep dive audit confirmed significant inconsistencies in leadership and management of core operational processes, in the supervision and support of staff and in assessment and care planning. Overall purpose: to oversee and provide time limited support to the implementation of a North Devon improvement plan, incorporating key actions from the service wide improvement plan and locality specific improvement priorities, with the aim of quickly improving the effectiveness of social care services to vulnerable children, young people and their families. Chair: Mark Gurrey, Independent Chair of the LSCB. Reporting: progress is reported to the Chief Officer Children's Services; the impact of the plan is evaluated by the Board in September 2017. North Team Managers are invited to join Board meetings. The board meets monthly June to September 2017."
at 2017-06-01T09:00:00Z board set --plan "$PLAN" --name "North Devon Improvement Board" --terms "$terms"
member() { exists_ok --recorded-at 2017-06-01T09:00:00Z board member add --plan "$PLAN" "$@"; }
member "Mark Gurrey" --role "Independent Chair of Devon Safeguarding Children's Board" --chair
member "Mark Lines" --role "Head of Children's Social Care"
member "Marian Martin" --role "Locality Director"
member "Jean Kelly" --role "Senior manager - safeguarding"
member "Valerie Cannon" --role "Principal Social Worker"
member "Jme May" --role "Senior manager - performance"
member "North Team Managers" --role "Invited to join Board meetings"

# ---- risks and issues (sections 2.2-2.7)
risk() { exists_ok --recorded-at "$1" risk add --plan "$PLAN" "${@:2}"; }
risk 2017-06-20T17:00:00Z R1 "Recruitment difficulties" --likelihood 4 --impact 4 --owner "Mark Lines" \
  --description "Recruitment to social work posts is challenging nationally and more so in the summer months." \
  --mitigation "Recruitment and retention a Devon priority; re-profiling the workforce; experienced agency social workers" \
  $(link N-2.1 N-2.6)
risk 2017-06-20T17:00:00Z R2 "Caseloads too high to meet practice standards" --likelihood 4 --impact 4 --owner "Marian Martin" \
  --description "Caseloads in the high 20s for most social workers." \
  --mitigation "Additional social workers and frontline management capacity; case closures where work is done" $(link N-2.3 N-2.4)
risk 2017-07-18T17:00:00Z R3 "Reliance on agency social workers" --likelihood 3 --impact 3 --owner "Mark Lines" \
  --mitigation "Convert agency posts to permanent; retention offer" $(link N-2.5)
risk 2017-07-18T17:00:00Z R4 "Management information support" --kind issue --likelihood 3 --impact 3 --owner "Jme May" \
  --description "Input from support services, especially HR and management information, is not consistently relevant." \
  --mitigation "Monthly locality performance pack for the Board" $(link N-5.2 N-5.3)
risk 2017-08-15T17:00:00Z R5 "Senior leadership posts vacant" --likelihood 3 --impact 4 --owner "Marian Martin" \
  --description "A new Area Manager and a new Locality Director are being recruited to." \
  --mitigation "Interim cover; secure the new management arrangements before the Board steps back" --escalate \
  $(link N-1.1 N-1.3)
risk 2017-09-19T17:00:00Z R6 "Moderated audit findings not yet available" --kind issue --likelihood 2 --impact 3 --owner "Jean Kelly" \
  --mitigation "Inadequate practice followed up immediately; learning built into the plan" $(link N-4.4)
# the register moves with the months (versions with their recording times)
ver() { "$PB" --json risk show "$1" --plan "$PLAN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])'; }
if [ "$(ver R1)" = 1 ]; then
  at 2017-07-18T17:00:00Z risk update R1 --plan "$PLAN" --likelihood 5 --escalate --status mitigating --if-version 1 \
    --note "Summer: posts unfilled; escalated to the Chief Officer"
  at 2017-09-19T17:00:00Z risk update R1 --plan "$PLAN" --likelihood 4 --if-version 2 \
    --note "Workforce more stable; additional agency social workers recruited"
fi
if [ "$(ver R2)" = 1 ]; then
  at 2017-08-15T17:00:00Z risk update R2 --plan "$PLAN" --status mitigating --if-version 1 --note "High 20s in July and August"
  at 2017-09-19T17:00:00Z risk update R2 --plan "$PLAN" --likelihood 3 --if-version 2 \
    --note "Caseloads slowly reducing since the start of September: 113 CIN closures and more staff"
fi

# ---- monthly meetings, June to September 2017
core=(--attendee "Mark Gurrey" --attendee "Mark Lines" --attendee "Marian Martin" --attendee "Jean Kelly"
      --attendee "Valerie Cannon" --attendee "Jme May")
n_meetings="$("$PB" --json board meeting list --plan "$PLAN" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
if [ "$n_meetings" = 0 ]; then
  d1=(--decision "Recruit additional social workers and frontline managers" $(link N-2.1))
  at 2017-06-20T17:00:00Z board meeting add --plan "$PLAN" --date 2017-06-20 --title "Inaugural meeting" "${core[@]}" \
    --notes "Terms of reference agreed. Deep dive audit findings presented; the plan's core issues confirmed." \
    "${d1[@]}" --decision "Monthly performance figures for North against the rest of the county to every meeting"
  at 2017-07-18T17:00:00Z board meeting add --plan "$PLAN" --date 2017-07-18 --title "July meeting" "${core[@]}" \
    --attendee "North Team Managers" \
    --notes "Caseloads remain in the high 20s. Recruitment hampered over the summer." \
    --decision "Escalate recruitment difficulties to the Chief Officer" --decision "Target case closures where work is complete" $(link N-2.4)
  at 2017-08-15T17:00:00Z board meeting add --plan "$PLAN" --date 2017-08-15 --title "August meeting" "${core[@]}" \
    --notes "North cases audited by managers across the County; moderation under way. CP visit gap narrowing." \
    --decision "Audit compliance to be reported monthly" $(link N-4.3)
  # a decision that creates an action (section 1.8), unless the plan has it
  exit_decision=(--decision "Decide the longer-term need for the Board once the new management arrangements are secure")
  has_action N-1.5 || exit_decision+=(--new-action N-1.5 --theme leadership --owner "Chief Officer Children's Services" --due 2017-12-14)
  at 2017-09-19T17:00:00Z board meeting add --plan "$PLAN" --date 2017-09-19 --title "September meeting" "${core[@]}" \
    --attendee "North Team Managers" \
    --notes "Workforce more stable and morale improving; full complement of permanent team managers. 100% audit compliance in August." \
    --decision "Report progress to the Children's Scrutiny Committee" --decision "Formal review of progress in December 2017" \
    "${exit_decision[@]}"
fi

# ---- the December 2017 review and its two conditions (section 1.5)
n_reviews="$("$PB" --json board review list --plan "$PLAN" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
if [ "$n_reviews" = 0 ]; then
  review="$("$PB" --recorded-at 2017-09-19T17:00:00Z --json board review add --plan "$PLAN" --date 2017-12-14 \
    "Formal review of progress by the Improvement Board" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  at 2017-09-19T17:00:00Z board criterion add --review "$review" \
    "Improved performance is sustainable: timely child protection visits in North within 5 points of the rest of the county for 3 consecutive months" \
    --metric cp_visits_timely_pct --gap-within 5 --months 3 --locality north
  crit="$("$PB" --recorded-at 2017-09-19T17:00:00Z --json board criterion add --review "$review" \
    "Leadership and management in the north are robust enough to drive continuous improvement in practice and performance" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  at 2017-09-19T17:00:00Z board criterion judge "$crit" --verdict not_met \
    --evidence "Near-permanent team manager cadre in place, but a new Area Manager and Locality Director are still being recruited to (report 1.8)"
fi
echo "governance demo loaded into plan $PLAN"
)
governance_demo
