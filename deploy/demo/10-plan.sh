# shellcheck shell=bash
# deploy/demo/10-plan.sh: the North Devon Improvement Plan of 2017, as the
# council's 2017 report to its Children's Scrutiny Committee describes it. Sourced by
# deploy/demo-load.sh, which provides pb, pb_at and demo_user.
#
# Localities: Devon's children's social care areas. Plan north-2017 with the
# five core issues of the report's section 1.7 as themes, and actions the
# report implies, with the progress it narrates from June to October 2017,
# each update recorded at the time it happened (--recorded-at).
#
# Demo users (passwords for a demo only):
#   perf    performance        Figures-Team-2017
#   north   locality (north)   Barnstaple-2017
#   viewer  viewer             Scrutiny-Panel-2017

pb locality add north "North Devon and Torridge"
pb locality add south "South and West Devon"
pb locality add east "East and Mid Devon"
pb locality add exeter "Exeter"

JUNE=2017-06-12T09:00:00Z
pb_at "$JUNE" plan add north-2017 "North Devon Improvement Plan" --locality north \
  --start 2017-06-01 --end 2018-03-31
pb_at "$JUNE" theme add --plan north-2017 leadership "Leadership and culture within the locality"
pb_at "$JUNE" theme add --plan north-2017 staffing "Staffing levels and caseloads"
pb_at "$JUNE" theme add --plan north-2017 oversight "Quality and quantity of management oversight and supervision"
pb_at "$JUNE" theme add --plan north-2017 practice "Adherence to core practice standards"
pb_at "$JUNE" theme add --plan north-2017 support \
  "Quality and relevance of input from support services, especially HR and management information"

# act THEME REF DUE OWNER TITLE [options]: an action, created in June 2017.
# North's own by default; service-wide ones pass --assign-to north (or
# nothing else, to stay with the county).
act() {
  local theme="$1" ref="$2" due="$3" owner="$4" title="$5"; shift 5
  pb_at "$JUNE" action add --plan north-2017 --theme "$theme" "$ref" "$title" \
    --owner "$owner" --due "$due" "$@"
}
# upd TIME REF OPTIONS...: a progress update recorded at TIME.
upd() { local at="$1" ref="$2"; shift 2; pb_at "$at" action update "$ref" --plan north-2017 "$@"; }

# 1. Leadership and culture.
act leadership N-1.1 2017-12-31 "Head of Children's Social Care" "Recruit a permanent Locality Director for North" --locality north
act leadership N-1.2 2017-09-30 "Head of Children's Social Care" "Appoint a permanent Area Manager for North" --locality north
act leadership N-1.3 2018-01-31 "Locality Director" "Recruit to the senior leader posts in North locality" --locality north
act leadership N-1.4 2017-09-30 "Area Manager" "Monthly all-staff meetings and visible leadership to rebuild morale" --locality north
# 2. Staffing levels and caseloads.
act staffing N-2.1 2017-09-30 "Area Manager" "Recruit additional social workers, agency and permanent" --locality north
act staffing N-2.2 2017-08-31 "Area Manager" "Add frontline management capacity: a full complement of permanent team managers" --locality north
act staffing N-2.3 2018-01-31 "Team Managers" "Reduce social worker caseloads to a manageable level (below 20)" --locality north
act staffing N-2.4 2017-09-30 "Team Managers" "Review children in need cases and close those that no longer need a service" --locality north
act staffing N-2.5 2018-03-31 "Head of Children's Social Care" "Re-profile the workforce to make the best use of all resources" --source service_wide --assign-to north
act staffing N-2.6 2018-03-31 "Head of Children's Social Care" "Devon recruitment and retention strategy for social workers" --source service_wide
# 3. Management oversight and supervision.
act oversight N-3.1 2017-08-31 "Team Managers" "Case tracking in every team: clear oversight of all open cases" --locality north
act oversight N-3.2 2017-10-31 "Team Managers" "Monthly recorded supervision for every social worker" --locality north
act oversight N-3.3 2017-12-31 "Area Manager" "Management oversight recorded on every case at key decision points" --locality north
# 4. Core practice standards.
act practice N-4.1 2017-12-31 "Area Manager" "Timely child protection visits: close the gap with the rest of the county" --locality north
act practice N-4.2 2017-12-31 "Team Managers" "Visits to children in care within timescales" --locality north
act practice N-4.3 2017-10-31 "Senior Manager - Safeguarding" "Audit compliance: 100% of required case audits, completed on time" --locality north
act practice N-4.4 2017-11-30 "Principal Social Worker" "Cross-county moderated audit of North cases; learning into the plan" --source service_wide --assign-to north
act practice N-4.5 2018-03-31 "Principal Social Worker" "Improve the quality of assessments and care plans" --locality north
# 5. Support services: HR and management information.
act support N-5.1 2017-09-30 "HR Business Partner" "Dedicated HR support for North recruitment campaigns" --source service_wide --assign-to north
act support N-5.2 2017-08-31 "Senior Manager - Performance" "Weekly management information on caseloads and visits for North team managers" --locality north
act support N-5.3 2018-03-31 "Senior Manager - Performance" "Improve data quality in the case management system" --source service_wide

# Progress, as the report tells it (July to October 2017).
upd 2017-07-14T16:00:00Z N-2.1 --status in_progress --rag amber --note "Adverts out; recruitment over the summer is difficult nationally"
upd 2017-07-14T16:10:00Z N-1.2 --status in_progress --rag amber --note "Interviews arranged"
upd 2017-07-21T11:00:00Z N-3.1 --status in_progress --rag amber --note "Case tracking meetings started in two teams"
upd 2017-07-28T10:00:00Z N-2.3 --status in_progress --rag red --note "Caseloads remain in the high 20s for most social workers"
upd 2017-07-28T10:05:00Z N-4.1 --status in_progress --rag red --note "June: timely CP visits 17% lower than the rest of the county"
upd 2017-07-28T10:10:00Z N-4.2 --status in_progress --rag green --note "Visits to children in care comparable with the rest of the county"
upd 2017-07-31T15:00:00Z N-5.2 --status in_progress --rag amber --note "First weekly caseload report issued"
upd 2017-08-11T09:30:00Z N-2.2 --status completed --rag blue --note "Full complement of permanent team managers in post" --evidence "Establishment list, 11 Aug 2017"
upd 2017-08-18T14:00:00Z N-1.4 --status in_progress --rag green --note "Monthly meetings running; staff survey planned"
upd 2017-08-25T12:00:00Z N-3.1 --status completed --rag blue --note "Case tracking in place across all North teams" --evidence "Tracking spreadsheet and minutes"
upd 2017-08-30T16:00:00Z N-4.4 --status in_progress --rag amber --note "North cases audited by managers across the county in August"
upd 2017-08-31T17:00:00Z N-5.2 --status completed --rag blue --note "Weekly MI pack in use by every team manager"
upd 2017-08-31T17:30:00Z N-4.3 --status in_progress --rag amber --note "August: big improvement in audit compliance"
upd 2017-09-08T10:00:00Z N-2.5 --status in_progress --rag amber --note "Workforce re-profiling under way service-wide"
upd 2017-09-08T10:30:00Z N-2.6 --status in_progress --rag amber --note "Recruitment and retention made a Devon priority"
upd 2017-09-15T11:00:00Z N-2.1 --rag red --note "Progress hampered by recruitment difficulties; some experienced agency social workers recruited"
upd 2017-09-15T11:30:00Z N-5.1 --status in_progress --rag red --note "HR support not yet matched to the recruitment need"
upd 2017-09-22T09:00:00Z N-1.2 --status completed --rag blue --note "New Area Manager in post"
upd 2017-09-22T09:15:00Z N-1.1 --status in_progress --rag amber --note "Locality Director post advertised"
upd 2017-09-22T09:20:00Z N-1.3 --status in_progress --rag amber --note "Work under way to recruit to senior leader posts"
upd 2017-09-29T15:00:00Z N-2.4 --status completed --rag blue --note "113 children in need cases closed after review" --evidence "Closure audit sample"
upd 2017-09-29T15:30:00Z N-1.4 --status completed --rag blue --note "Workforce more stable and settled; morale improving"
upd 2017-09-29T16:00:00Z N-3.2 --status in_progress --rag amber --note "Supervision recorded for most staff; not yet all monthly"
upd 2017-10-06T10:00:00Z N-2.3 --rag amber --note "Since September caseloads slowly reducing across the teams"
upd 2017-10-06T10:30:00Z N-4.1 --rag green --note "Gap with the rest of the county closed to 4%"
upd 2017-10-06T11:00:00Z N-4.3 --status completed --rag blue --note "North in line with other localities: 100% compliance, most on time"
upd 2017-10-13T14:00:00Z N-4.4 --note "Moderated findings not yet available; inadequate practice followed up at once"
upd 2017-10-13T14:30:00Z N-3.3 --status in_progress --rag amber --note "Oversight recorded by the full team manager cadre"
upd 2017-10-13T15:00:00Z N-5.3 --status in_progress --rag green --note "Data quality checks added to the weekly MI"
upd 2017-10-20T09:00:00Z N-4.5 --status in_progress --rag amber --note "Audit learning built into practice workshops"

# Demo users: one per role, and the North locality user.
demo_user perf performance "Figures-Team-2017"
demo_user north locality "Barnstaple-2017" north
demo_user viewer viewer "Scrutiny-Panel-2017"
