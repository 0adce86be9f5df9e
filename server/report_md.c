/* report_md.c: the report as Markdown that reads well as plain text:
 * headings, short sentences, pipe tables. Everything comes from the
 * report document (report.c). */
#include "report.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S(o, k) json_string_value(json_object_get((o), (k)))
#define I(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

/* Table cell: no pipes or line breaks. */
static void cell(struct buf *b, const char *s)
{
	buf_append(b, "| ", 2);
	if (s == NULL || *s == '\0')
		s = "-";
	for (; *s; s++) {
		if (*s == '|')
			buf_append(b, "\\|", 2);
		else if (*s == '\n' || *s == '\r')
			buf_append(b, " ", 1);
		else
			buf_append(b, s, 1);
	}
	buf_append(b, " ", 1);
}

static void row(struct buf *b, int n, const char *const *cells)
{
	for (int i = 0; i < n; i++)
		cell(b, cells[i]);
	buf_append(b, "|\n", 2);
}

static void header(struct buf *b, int n, const char *const *cells)
{
	row(b, n, cells);
	for (int i = 0; i < n; i++)
		buf_append(b, "|---", 4);
	buf_append(b, "|\n", 2);
}

static const char *num(char *out, long long v)
{
	snprintf(out, 24, "%lld", v);
	return out;
}

static const char *fig(char *out, const json_t *v, const char *unit);
static const char *gap(char *out, const json_t *v);

/* One line per metric: the gap at the start and end of the period. */
static void key_figures(struct buf *b, const json_t *doc)
{
	const json_t *ms = json_object_get(doc, "metrics");
	const json_t *a = json_object_get(doc, "audits");
	const json_t *rounds = json_object_get(a, "rounds");
	if (json_array_size(rounds)) {
		const json_t *r = json_array_get(rounds, json_array_size(rounds) - 1);
		char f[32];
		buf_printf(b, "Audit compliance in %s: %s.\n", S(r, "month"),
			   fig(f, json_object_get(r, "compliance_pct"), "pct"));
	}
	if (json_array_size(ms) == 0)
		return;
	buf_printf(b, "\nKey figures, the locality against the rest of the county (gap = locality - rest):\n\n");
	static const char *const h[] = { "Metric", "From", "Gap then", "To", "Gap now", "Moved", "Better" };
	header(b, 7, h);
	size_t i;
	const json_t *m;
	char f[3][32];
	json_array_foreach(ms, i, m) {
		const json_t *st = json_object_get(m, "start"), *en = json_object_get(m, "end");
		const char *moved = S(m, "gap_moved") ? S(m, "gap_moved") : "-";
		const char *c[] = { S(m, "name"), S(st, "month"), gap(f[0], json_object_get(m, "gap_start")),
				    S(en, "month"), gap(f[1], json_object_get(m, "gap_end")), moved,
				    S(m, "better") };
		row(b, 7, c);
	}
}

static void summary(struct buf *b, const json_t *doc)
{
	const json_t *plan = json_object_get(doc, "plan"), *period = json_object_get(doc, "period");
	char d1[32], d2[32], d3[32];
	buf_printf(b, "# %s\n\nProgress report to the scrutiny committee.\n\n", S(plan, "title") ? S(plan, "title") : "Plan");
	buf_printf(b, "- Plan: %s%s%s%s\n", S(plan, "code"), S(plan, "locality_name") ? " (locality: " : "",
		   S(plan, "locality_name") ? S(plan, "locality_name") : "", S(plan, "locality_name") ? ")" : "");
	buf_printf(b, "- Period: %s to %s\n", date_words(S(period, "from"), d1, sizeof d1),
		   date_words(S(period, "to"), d2, sizeof d2));
	buf_printf(b, "- As at: %s\n", date_words(S(doc, "as_of"), d3, sizeof d3));
	if (S(doc, "as_recorded"))
		buf_printf(b, "- As recorded: what planboard knew at the end of %s\n",
			   date_words(S(doc, "as_recorded"), d1, sizeof d1));
	const json_t *board = json_object_get(doc, "board");
	if (S(board, "name") || S(board, "chair"))
		buf_printf(b, "- Board: %s%s%s\n", S(board, "name") ? S(board, "name") : "Improvement board",
			   S(board, "chair") ? ", chaired by " : "", S(board, "chair") ? S(board, "chair") : "");
	const json_t *t = json_object_get(doc, "totals");
	const json_t *st = json_object_get(t, "by_status"), *rag = json_object_get(t, "by_rag");
	buf_printf(b, "\n## Summary\n\n");
	if (I(t, "actions") == 0)
		buf_printf(b, "The plan has no actions recorded.\n");
	else
		buf_printf(b, "The plan has %lld actions: %lld completed, %lld in progress, %lld not started and "
			   "%lld blocked. %lld are overdue and %lld are rated red.\n", I(t, "actions"),
			   I(st, "completed"), I(st, "in_progress"), I(st, "not_started"), I(st, "blocked"),
			   I(t, "overdue"), I(rag, "red"));
	const json_t *att = json_object_get(doc, "attention");
	buf_printf(b, "%zu risks or issues, %zu actions and %zu metrics need the committee's attention.\n",
		   json_array_size(json_object_get(att, "risks")), json_array_size(json_object_get(att, "actions")),
		   json_array_size(json_object_get(att, "metrics")));
	key_figures(b, doc);
}

static void action_rows(struct buf *b, const json_t *list)
{
	size_t i;
	const json_t *a;
	json_array_foreach(list, i, a) {
		const char *why = json_is_true(json_object_get(a, "overdue"))
					  ? (strcmp(S(a, "rag"), "red") == 0 ? "red, overdue" : "overdue")
					  : "red";
		char st[32];
		const char *c[] = { S(a, "ref"), S(a, "title"), S(a, "owner"), S(a, "due_date"),
				    code_words(S(a, "status"), st), S(a, "rag"), why };
		row(b, 7, c);
	}
}

static void progress(struct buf *b, const json_t *doc)
{
	buf_printf(b, "\n## Progress against the plan\n\n");
	const json_t *themes = json_object_get(doc, "themes");
	if (json_array_size(themes) == 0) {
		buf_printf(b, "The plan has no themes.\n");
		return;
	}
	static const char *const h[] = { "Theme", "Actions", "Not started", "In progress", "Completed", "Blocked",
					 "Red", "Amber", "Green", "Blue", "Overdue" };
	header(b, 11, h);
	size_t i;
	const json_t *t;
	char n[11][24];
	json_array_foreach(themes, i, t) {
		const json_t *st = json_object_get(t, "by_status"), *rag = json_object_get(t, "by_rag");
		const char *c[] = { S(t, "title"), num(n[0], I(t, "actions")), num(n[1], I(st, "not_started")),
				    num(n[2], I(st, "in_progress")), num(n[3], I(st, "completed")),
				    num(n[4], I(st, "blocked")), num(n[5], I(rag, "red")), num(n[6], I(rag, "amber")),
				    num(n[7], I(rag, "green")), num(n[8], I(rag, "blue")),
				    num(n[9], (long long)json_array_size(json_object_get(t, "overdue"))) };
		row(b, 11, c);
	}
	const json_t *acts = json_object_get(json_object_get(doc, "attention"), "actions");
	buf_printf(b, "\n### Overdue and red actions\n\n");
	if (json_array_size(acts) == 0) {
		buf_printf(b, "None.\n");
		return;
	}
	static const char *const ah[] = { "Ref", "Action", "Owner", "Due", "Status", "RAG", "Why" };
	header(b, 7, ah);
	action_rows(b, acts);
}

static const char *fig(char *out, const json_t *v, const char *unit)
{
	if (!json_is_number(v))
		return "-";
	double x = json_number_value(v);
	snprintf(out, 32, "%.1f%s", fabs(x) < 0.05 ? 0.0 : x, unit && strcmp(unit, "pct") == 0 ? "%" : "");
	return out;
}

/* A gap, always signed (+5.9, -17.0, 0.0) as in 'metric compare' and the
 * attention list: a reader sees which side of the county it is on. */
static const char *gap(char *out, const json_t *v)
{
	if (!json_is_number(v))
		return "-";
	double x = json_number_value(v);
	if (fabs(x) < 0.05)
		return "0.0";
	snprintf(out, 32, "%+.1f", x);
	return out;
}

static void metrics(struct buf *b, const json_t *doc)
{
	buf_printf(b, "\n## Performance against the rest of the county\n\n");
	const json_t *ms = json_object_get(doc, "metrics");
	if (json_array_size(ms) == 0) {
		buf_printf(b, "%s\n", S(doc, "metrics_note") ? S(doc, "metrics_note") : "No performance figures are recorded for this plan's locality in the period.");
		return;
	}
	size_t i;
	const json_t *m;
	json_array_foreach(ms, i, m) {
		buf_printf(b, "\n### %s\n\n%s\n\n", S(m, "name"), S(m, "words") ? S(m, "words") : "");
		static const char *const h[] = { "Month", "Locality", "Rest of county", "Gap", "Target" };
		header(b, 5, h);
		size_t j;
		const json_t *p;
		char f[4][32];
		json_array_foreach(json_object_get(m, "series"), j, p) {
			const char *c[] = { S(p, "month"), fig(f[0], json_object_get(p, "value"), S(m, "unit")),
					    fig(f[1], json_object_get(p, "rest"), S(m, "unit")),
					    gap(f[2], json_object_get(p, "gap")),
					    fig(f[3], json_object_get(m, "target"), S(m, "unit")) };
			row(b, 5, c);
		}
	}
}

static void audits(struct buf *b, const json_t *doc)
{
	buf_printf(b, "\n## Audit compliance and grades\n\n");
	const json_t *a = json_object_get(doc, "audits");
	if (!json_is_object(a) || json_array_size(json_object_get(a, "rounds")) == 0) {
		buf_printf(b, "No audit rounds are recorded for this plan's locality in the period.\n");
		return;
	}
	buf_printf(b, "%s\n\n", S(a, "words") ? S(a, "words") : "");
	static const char *const h[] = { "Month", "Required", "Completed", "On time", "Compliance", "Outstanding",
					 "Good", "Requires improvement", "Inadequate", "Moderated" };
	header(b, 10, h);
	size_t i;
	const json_t *r;
	char n[9][32];
	json_array_foreach(json_object_get(a, "rounds"), i, r) {
		const char *c[] = { S(r, "month"), num(n[0], I(r, "required")), num(n[1], I(r, "completed")),
				    num(n[2], I(r, "on_time")), fig(n[3], json_object_get(r, "compliance_pct"), "pct"),
				    num(n[4], I(r, "outstanding")), num(n[5], I(r, "good")),
				    num(n[6], I(r, "requires_improvement")), num(n[7], I(r, "inadequate")),
				    json_is_true(json_object_get(r, "moderated")) ? "yes" : "not yet" };
		row(b, 10, c);
	}
}

static void risk_rows(struct buf *b, const json_t *list)
{
	static const char *const h[] = { "Ref", "Kind", "Title", "Owner", "L x I", "Score", "Band", "Status",
					 "Escalated", "Mitigation" };
	header(b, 10, h);
	size_t i;
	const json_t *r;
	char n[2][32];
	json_array_foreach(list, i, r) {
		snprintf(n[0], 32, "%lld x %lld", I(r, "likelihood"), I(r, "impact"));
		const char *c[] = { S(r, "ref"), S(r, "kind"), S(r, "title"), S(r, "owner"), n[0],
				    num(n[1], I(r, "score")), S(r, "band"), S(r, "status"),
				    json_is_true(json_object_get(r, "escalated")) ? "yes" : "no", S(r, "mitigation") };
		row(b, 10, c);
	}
}

static void attention(struct buf *b, const json_t *doc)
{
	const json_t *att = json_object_get(doc, "attention");
	buf_printf(b, "\n## Risks and issues for the committee's attention\n\n");
	const json_t *risks = json_object_get(att, "risks");
	buf_printf(b, "### High or escalated risks\n\n");
	if (json_array_size(risks) == 0)
		buf_printf(b, "None.\n");
	else
		risk_rows(b, risks);
	buf_printf(b, "\n### Red or overdue actions\n\n");
	const json_t *acts = json_object_get(att, "actions");
	if (json_array_size(acts) == 0) {
		buf_printf(b, "None.\n");
	} else {
		static const char *const ah[] = { "Ref", "Action", "Owner", "Due", "Status", "RAG", "Why" };
		header(b, 7, ah);
		action_rows(b, acts);
	}
	buf_printf(b, "\n### Metrics moving the wrong way\n\n");
	const json_t *ms = json_object_get(att, "metrics");
	if (json_array_size(ms) == 0)
		buf_printf(b, "None.\n");
	size_t i;
	const json_t *m;
	json_array_foreach(ms, i, m)
		buf_printf(b, "- %s: %s\n", S(m, "name"), S(m, "reason"));
	buf_printf(b, "\n### Risk register\n\n");
	if (json_array_size(json_object_get(doc, "risks")) == 0)
		buf_printf(b, "No risks are recorded.\n");
	else
		risk_rows(b, json_object_get(doc, "risks"));
}

static void board(struct buf *b, const json_t *doc)
{
	const json_t *bd = json_object_get(doc, "board");
	buf_printf(b, "\n## The improvement board\n\n");
	const json_t *members = json_object_get(bd, "members");
	if (json_array_size(members) == 0) {
		buf_printf(b, "No board members are recorded.\n");
	} else {
		static const char *const h[] = { "Member", "Role" };
		header(b, 2, h);
		size_t i;
		const json_t *m;
		json_array_foreach(members, i, m) {
			const char *role = S(m, "role");
			char r[256];
			if (json_is_true(json_object_get(m, "chair")))
				snprintf(r, sizeof r, "Chair%s%s", role ? "; " : "", role ? role : "");
			const char *c[] = { S(m, "name"), json_is_true(json_object_get(m, "chair")) ? r : role };
			row(b, 2, c);
		}
	}
	if (S(bd, "terms_of_reference"))
		buf_printf(b, "\nTerms of reference: %s\n", S(bd, "terms_of_reference"));
	buf_printf(b, "\n### Meetings held\n\n");
	const json_t *ms = json_object_get(doc, "meetings");
	if (json_array_size(ms) == 0)
		buf_printf(b, "No meetings are recorded.\n");
	size_t i;
	const json_t *m;
	char d[32];
	json_array_foreach(ms, i, m) {
		buf_printf(b, "- %s: %s (%zu attending)\n", date_words(S(m, "date"), d, sizeof d),
			   S(m, "title") ? S(m, "title") : "Board meeting", json_array_size(json_object_get(m, "attendees")));
		size_t j;
		const json_t *dec;
		json_array_foreach(json_object_get(m, "decisions"), j, dec)
			buf_printf(b, "  - Decision: %s%s%s%s\n", S(dec, "text"), S(dec, "action_ref") ? " (action " : "",
				   S(dec, "action_ref") ? S(dec, "action_ref") : "", S(dec, "action_ref") ? ")" : "");
	}
}

static void review(struct buf *b, const json_t *doc)
{
	const json_t *r = json_object_get(doc, "next_review");
	buf_printf(b, "\n## Next review\n\n");
	if (!json_is_object(r)) {
		buf_printf(b, "No review is scheduled.\n");
		return;
	}
	char d[32];
	buf_printf(b, "%s: %s\n\n", date_words(S(r, "date"), d, sizeof d), S(r, "title"));
	const json_t *cs = json_object_get(r, "criteria");
	if (json_array_size(cs) == 0)
		buf_printf(b, "No success criteria are recorded.\n");
	size_t i;
	const json_t *c;
	json_array_foreach(cs, i, c) {
		const char *v = S(c, "verdict") ? S(c, "verdict") : "not_judged";
		char w[32];
		buf_printf(b, "%zu. %s\n   - State: %s", i + 1, S(c, "text"), code_words(v, w));
		if (S(c, "judged_by"))
			buf_printf(b, " (judged by %s on %.10s)", S(c, "judged_by"), S(c, "judged_at"));
		buf_printf(b, "\n");
		if (S(c, "evidence"))
			buf_printf(b, "   - Evidence: %s\n", S(c, "evidence"));
	}
}

char *report_markdown(const json_t *doc)
{
	struct buf b = { 0 };
	summary(&b, doc);
	progress(&b, doc);
	metrics(&b, doc);
	audits(&b, doc);
	attention(&b, doc);
	board(&b, doc);
	review(&b, doc);
	buf_append(&b, "", 1);
	return (char *)b.data;
}
