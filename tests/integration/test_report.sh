#!/usr/bin/env bash
# The committee report: sections and figures in all three formats, a plan
# with no data at all, well-formed HTML, and a past report reproduced
# exactly with --as-recorded after corrections made on later days.
. "$(dirname "$0")/lib.sh"
start_server
login admin "$ADMIN_PW"
add_user viewer1 viewer "View-Secret-2017"
login viewer1 "View-Secret-2017"
R() { as admin --recorded-at "$1" "${@:2}"; }
P=(--plan north-2017)

expect_ok as admin locality add north "North"
expect_ok R 2017-06-01T09:00:00Z plan add north-2017 "North Improvement Plan" --locality north --start 2017-06-01 --end 2017-12-31
expect_ok R 2017-06-01T09:00:00Z theme add "${P[@]}" leadership "Leadership and culture"
expect_ok R 2017-06-01T09:00:00Z theme add "${P[@]}" staffing "Staffing levels and caseloads"
expect_ok R 2017-06-01T09:00:00Z action add "${P[@]}" --theme leadership N-1.1 "Appoint permanent team managers" --owner "Head of Service" --due 2017-08-31
expect_ok R 2017-06-01T09:00:00Z action add "${P[@]}" --theme staffing N-2.1 "Recruit agency social workers" --owner "Area Manager" --due 2017-07-31
expect_ok R 2017-06-01T09:00:00Z action add "${P[@]}" --theme staffing N-2.2 "Close children in need cases" --owner "Team Managers | duty" --due 2017-12-31
expect_ok R 2017-08-10T09:00:00Z action update N-1.1 "${P[@]}" --status completed --rag blue --note "all in post"
expect_ok R 2017-08-10T09:00:00Z action update N-2.1 "${P[@]}" --status in_progress --rag red --note "summer"
expect_ok R 2017-06-05T10:00:00Z risk add "${P[@]}" R1 "Recruitment difficulties" --likelihood 4 --impact 4 --mitigation "Agency staff"
expect_ok R 2017-06-05T10:00:00Z risk add "${P[@]}" R2 "MI support" --likelihood 2 --impact 2
expect_ok R 2017-06-01T09:00:00Z board set "${P[@]}" --name "North Devon Improvement Board" --terms "Oversee & support <the plan>."
expect_ok R 2017-06-01T09:00:00Z board member add "${P[@]}" "Mark Gurrey" --role "Independent chair" --chair
expect_ok R 2017-06-20T17:00:00Z board meeting add "${P[@]}" --date 2017-06-20 --title "June meeting" --attendee "Mark Gurrey" --decision "Recruit agency staff" --action N-2.1
expect_ok R 2017-09-19T17:00:00Z board meeting add "${P[@]}" --date 2017-09-19 --title "September meeting"
expect_ok R 2017-06-20T17:00:00Z --json board review add "${P[@]}" --date 2017-12-15 "December review"
REVIEW="$(json_get 'j["id"]')"
expect_ok R 2017-06-20T17:00:00Z --json board criterion add --review "$REVIEW" "Leadership is robust"
CRIT="$(json_get 'j["id"]')"
expect_ok R 2017-09-30T12:00:00Z board criterion judge "$CRIT" --verdict not_met --evidence "Area Manager post vacant"

# ---- the JSON document: figures
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30 --format json
expect_json 'j["totals"]["actions"], j["totals"]["overdue"], j["totals"]["by_rag"]["red"], j["totals"]["by_status"]["completed"]' "(3, 1, 1, 1)"
expect_json '[(t["code"], t["actions"]) for t in j["themes"]]' "[('leadership', 1), ('staffing', 2)]"
expect_json '[(t["overdue"], t["red"]) for t in j["themes"]]' "[([], []), (['N-2.1'], ['N-2.1'])]"
expect_json '[a["ref"] for a in j["attention"]["actions"]]' "['N-2.1']"
expect_json '[r["ref"] for r in j["attention"]["risks"]]' "['R1']"
expect_json 'j["risk_summary"]["open_by_band"]' "{'low': 1, 'medium': 0, 'high': 1}"
expect_json 'j["board"]["chair"], len(j["meetings"]), j["next_review"]["title"]' "('Mark Gurrey', 2, 'December review')"
expect_json 'j["next_review"]["criteria"][0]["verdict"], j["next_review"]["criteria"][0]["judged_by"]' "('not_met', 'admin')"
expect_json 'j["period"]["from"], j["period"]["to"]' "('2017-06-01', '2017-09-30')"
expect_ok as viewer1 --json report "${P[@]}" --as-of 2017-07-01
expect_json 'len(j["meetings"]), j["totals"]["overdue"]' "(1, 0)"

# ---- Markdown
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30
expect_out "# North Improvement Plan"
expect_out "## Progress against the plan"
expect_out "| Staffing levels and caseloads | 2 |"
expect_out "| N-2.1 | Recruit agency social workers | Area Manager | 2017-07-31 | in progress | red | red, overdue |"
expect_out "## Risks and issues for the committee's attention"
expect_out "| R1 | risk | Recruitment difficulties |"
expect_out "| Mark Gurrey | Chair; Independent chair |"
expect_out "- 20 June 2017: June meeting (1 attending)"
expect_out "  - Decision: Recruit agency staff (action N-2.1)"
expect_out "15 December 2017: December review"
expect_out "   - State: not met (judged by admin on 2017-09-30)"

expect_ok as viewer1 report "${P[@]}" --as-of 2018-01-05
expect_out "| N-2.2 | Close children in need cases | Team Managers \\| duty | 2017-12-31 |"

# ---- HTML: well-formed, self-contained, to a file
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30 --format html -o "$T/report.html"
expect_err "Wrote $T/report.html"
check "html is well-formed XML" python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = {"h": "http://www.w3.org/1999/xhtml"}
assert root.tag == "{http://www.w3.org/1999/xhtml}html"
heads = [e.text for e in root.iter("{http://www.w3.org/1999/xhtml}h2")]
for want in ["Summary", "Progress against the plan", "Performance against the rest of the county",
             "Audit compliance and grades", "Risks and issues for the committee'"'"'s attention",
             "The improvement board", "Next review"]:
    assert want in heads, (want, heads)
' "$T/report.html"
check "html has no external resources" bash -c "! grep -Eq '<script|<link|src=\"http' '$T/report.html'"
check "html escapes text" grep -q 'Oversee &amp; support &lt;the plan&gt;.' "$T/report.html"
check "html right-aligns figures, not dates or words" python3 -c '
import sys, re
h = open(sys.argv[1], encoding="utf-8").read()
nums = re.findall(r"<td class=\"n\">([^<]*)</td>", h)
assert nums and all(re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?%?", n) for n in nums), nums[:5]
assert "<td class=\"n\">2017-" not in h
assert "<th class=\"n\">Completed</th>" in h and "<th>Theme</th>" in h
assert re.search(r"@media print\{[^\n]*svg\{width:75%\}", h)  # two charts a printed page
assert re.search(r"@media print\{[^\n]*h2,h3\{page-break-after:avoid\}", h)  # no orphaned headings
assert "<td>in progress</td>" in h and ">in_progress<" not in h  # words, not codes
assert "<td class=\"verdict-not_met\">not met (judged by" in h
assert "<td>4\u00a0x\u00a04</td>" in h and "<th>L\u00a0x\u00a0I</th>" in h  # never wrapped' "$T/report.html"
# A locality with a long name: its legend label must not run into the next.
expect_ok as admin locality add bcp "Bournemouth, Christchurch and Poole"
expect_ok as admin locality add dorset "Dorset"
expect_ok as admin plan add bcp-2017 "BCP plan" --locality bcp --start 2017-06-01 --end 2017-12-31
expect_ok as admin metric define cp_pct "CP visits on time (%)" --unit pct --better higher --target 90
for l in bcp dorset; do
  expect_ok as admin metric submit cp_pct --locality $l --period 2017-06 70 --num 70 --den 100
  expect_ok as admin metric submit cp_pct --locality $l --period 2017-07 75 --num 75 --den 100
done
expect_ok as viewer1 report --plan bcp-2017 --as-of 2017-09-30 --format html -o "$T/bcp.html"
check "chart legend entries do not overlap" python3 -c '
import sys, re
h = open(sys.argv[1]).read()
for g in re.findall(r"<g transform=\"translate\(60,240\)\">(.*?)</g>", h):
    texts = [(float(x), t) for x, t in re.findall(r"<text x=\"([0-9.]+)\" y=\"0\">([^<]*)</text>", g)]
    swatches = [float(x) for x in re.findall(r"<line x1=\"([0-9.]+)\"", g)]
    assert len(texts) >= 2 and len(swatches) == len(texts), g
    for (x, t), nxt in zip(texts, swatches[1:]):
        assert nxt >= x + 6 * len(t), (t, x, nxt)' "$T/bcp.html"
check "html also parses with html.parser" python3 -c '
import sys
from html.parser import HTMLParser
HTMLParser().feed(open(sys.argv[1]).read())' "$T/report.html"

# -o reports the size of the file it wrote (pretty JSON is larger than sent)
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30 --format json -o "$T/report.json"
expect_err "Wrote $T/report.json ($(stat -c %s "$T/report.json") bytes)"

# ---- a plan with no data at all, in every format
expect_ok as admin plan add empty-2017 "Empty plan"
for fmt in md html json; do
  expect_ok as viewer1 report --plan empty-2017 --as-of 2017-09-30 --format $fmt -o "$T/empty.$fmt"
done
check "empty md says so" grep -q "The plan has no actions recorded." "$T/empty.md"
check "empty md has no board" grep -q "No board members are recorded." "$T/empty.md"
check "empty md: no locality to compare" grep -q "The plan has no locality, so there is no comparison" "$T/empty.md"
check "empty html is well-formed" python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$T/empty.html"
check "empty json" python3 -c '
import sys, json
j = json.load(open(sys.argv[1]))
assert j["totals"]["actions"] == 0 and j["risks"] == [] and j["next_review"] is None and j["metrics"] == []' "$T/empty.json"

# ---- errors
expect_rc 1 as viewer1 report
expect_rc 4 as viewer1 report --plan nope
expect_rc 1 as viewer1 report "${P[@]}" --format pdf
expect_rc 1 as viewer1 report "${P[@]}" --as-of 30/09/2017
expect_rc 6 as viewer1 report "${P[@]}" --as-recorded soon
expect_rc 6 as viewer1 report "${P[@]}" -o /nonexistent/dir/report.md
expect_rc 3 as nobody report "${P[@]}"

# ---- as recorded: the report written on 1 October reproduced after corrections
as viewer1 report "${P[@]}" --as-of 2017-09-30 --format json --as-recorded 2017-10-01; BEFORE_REC="$OUT"
as viewer1 report "${P[@]}" --as-of 2017-09-30 --format json; BEFORE_NOW="$OUT"
as viewer1 report "${P[@]}" --as-of 2017-09-30 --as-recorded 2017-10-01; BEFORE_MD="$OUT"
as viewer1 report "${P[@]}" --as-of 2017-09-30 --as-recorded 2017-10-01 --format html; BEFORE_HTML="$OUT"
# corrections on three later days
expect_ok R 2017-10-05T09:00:00Z action update N-2.1 "${P[@]}" --rag amber --note "correction: agency staff started"
expect_ok R 2017-10-06T09:00:00Z risk update R2 "${P[@]}" --likelihood 5 --impact 4 --escalate
expect_ok R 2017-10-09T09:00:00Z board criterion judge "$CRIT" --verdict met --evidence "correction"
expect_ok R 2017-10-09T09:00:00Z board meeting add "${P[@]}" --date 2017-09-26 --title "Late-entered meeting"
expect_ok R 2017-10-10T09:00:00Z action update N-2.2 "${P[@]}" --status blocked --rag red
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30 --format json --as-recorded 2017-10-01
check "as-recorded JSON identical after corrections" test "$OUT" = "$BEFORE_REC"
check "as-recorded JSON equals the report written before (but for as_recorded)" python3 -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
a.pop("as_recorded"); b.pop("as_recorded")
assert a == b' "$OUT" "$BEFORE_NOW"
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30 --as-recorded 2017-10-01
check "as-recorded Markdown identical" test "$OUT" = "$BEFORE_MD"
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30 --as-recorded 2017-10-01 --format html
check "as-recorded HTML identical" test "$OUT" = "$BEFORE_HTML"
# ... and the corrections show now, and part of them as recorded in between
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30 --format json
expect_json '[(a["ref"], a["rag"]) for a in j["attention"]["actions"]]' "[('N-2.1', 'amber'), ('N-2.2', 'red')]"
expect_json '[r["ref"] for r in j["attention"]["risks"]]' "['R2', 'R1']"
expect_json 'j["next_review"]["criteria"][0]["verdict"], len(j["meetings"])' "('met', 3)"
expect_ok as viewer1 report "${P[@]}" --as-of 2017-09-30 --format json --as-recorded 2017-10-07
expect_json '[a["ref"] for a in j["attention"]["actions"]], [r["ref"] for r in j["attention"]["risks"]]' "(['N-2.1'], ['R2', 'R1'])"
expect_json 'j["next_review"]["criteria"][0]["verdict"], len(j["meetings"])' "('not_met', 2)"
expect_ok as viewer1 --json action list "${P[@]}" --as-recorded 2017-10-07
expect_json '[(a["ref"], a["rag"]) for a in j]' "[('N-1.1', 'blue'), ('N-2.1', 'amber'), ('N-2.2', 'green')]"
finish
