/* report_html.c: the report as one self-contained HTML file — inline CSS
 * that prints well, inline SVG trend charts, no scripts, no external
 * resources. It is also well-formed XML (every element closed, all text
 * escaped) so it can be checked with an XML parser. Everything comes from
 * the report document (report.c). */
#include "report.h"
#include "util.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S(o, k) json_string_value(json_object_get((o), (k)))
#define I(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

static void esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': buf_append(b, "&amp;", 5); break;
		case '<': buf_append(b, "&lt;", 4); break;
		case '>': buf_append(b, "&gt;", 4); break;
		case '"': buf_append(b, "&quot;", 6); break;
		case '\'': buf_append(b, "&#39;", 5); break;
		default: buf_append(b, s, 1);
		}
	}
}

/* <tag>escaped text</tag>; NULL text prints a dash. */
static void el(struct buf *b, const char *tag, const char *text)
{
	buf_printf(b, "<%s>", tag);
	esc(b, text ? text : "-");
	const char *sp = strchr(tag, ' ');
	buf_printf(b, "</%.*s>", sp ? (int)(sp - tag) : (int)strlen(tag), tag);
}

/* A figure such as 12, -4.0, +3.3 or 28.6%: right-aligned in its cell so
 * the units and decimal points of a column line up. */
static bool is_figure(const char *s)
{
	if (s == NULL)
		return false;
	if (*s == '-' || *s == '+')
		s++;
	size_t digits = strspn(s, "0123456789");
	if (digits == 0)
		return false;
	s += digits;
	if (*s == '.') {
		size_t frac = strspn(s + 1, "0123456789");
		if (frac == 0)
			return false;
		s += 1 + frac;
	}
	if (*s == '%')
		s++;
	return *s == '\0';
}

static void row(struct buf *b, int n, const char *const *cells)
{
	buf_printf(b, "<tr>");
	for (int i = 0; i < n; i++)
		el(b, is_figure(cells[i]) ? "td class=\"n\"" : "td", cells[i]);
	buf_printf(b, "</tr>\n");
}

/* align: one letter a column, 'r' for a column of figures (its heading
 * right-aligned like the figures under it, see row()), or NULL. */
static void header(struct buf *b, int n, const char *const *cells, const char *align)
{
	buf_printf(b, "<table>\n<thead><tr>");
	for (int i = 0; i < n; i++)
		el(b, align && align[i] == 'r' ? "th class=\"n\"" : "th", cells[i]);
	buf_printf(b, "</tr></thead>\n<tbody>\n");
}

static void footer(struct buf *b) { buf_printf(b, "</tbody>\n</table>\n"); }

static const char *num(char *out, long long v)
{
	snprintf(out, 24, "%lld", v);
	return out;
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

static const char css[] =
	"body{font-family:Georgia,'Times New Roman',serif;max-width:60em;margin:2em auto;padding:0 1em;"
	"color:#111;line-height:1.4}\n"
	"h1{font-size:1.7em;border-bottom:3px solid #1b4f72;padding-bottom:.2em}\n"
	"h2{font-size:1.3em;color:#1b4f72;border-bottom:1px solid #aab;margin-top:1.6em}\n"
	"h3{font-size:1.05em;margin-bottom:.3em}\n"
	"table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em;width:100%}\n"
	"th,td{border:1px solid #bbb;padding:.25em .45em;text-align:left;vertical-align:top}\n"
	"th{background:#e8eef4}\n"
	"td.n,th.n{text-align:right}\n"
	".meta{color:#333}.meta dt{font-weight:bold;float:left;width:9em}.meta dd{margin-left:9.5em}\n"
	".rag-red{background:#f5b7b1}.rag-amber{background:#fad7a0}.rag-green{background:#abebc6}"
	".rag-blue{background:#aed6f1}\n"
	".verdict-met{color:#145a32;font-weight:bold}.verdict-not_met{color:#922b21;font-weight:bold}\n"
	".verdict-not_enough_data,.verdict-not_judged{color:#7d6608;font-weight:bold}\n"
	".none{color:#555;font-style:italic}\n"
	"svg{display:block;margin:.5em 0;max-width:100%;height:auto}\n"
	/* printed, a full-width chart made each metric a little over half a page:
	 * one metric a page, 16 pages for the demo; at 75% two fit (10 pages).
	 * Headings stay with what follows them (no "Risk register" alone at a
	 * page's foot). */
	"@media print{body{margin:0;max-width:none;font-size:10.5pt}svg{width:75%}h2,h3{page-break-after:avoid}"
	"table,svg,.metric{page-break-inside:avoid}th{background:#eee !important;"
	"-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static void dd(struct buf *b, const char *term, const char *value)
{
	el(b, "dt", term);
	el(b, "dd", value);
	buf_printf(b, "\n");
}

static void header(struct buf *b, int n, const char *const *cells, const char *align);
static void row(struct buf *b, int n, const char *const *cells);
static void footer(struct buf *b);
static const char *fig(char *out, const json_t *v, const char *unit);
static const char *gap(char *out, const json_t *v);

/* One line per metric: the gap at the start and end of the period. */
static void key_figures(struct buf *b, const json_t *doc)
{
	const json_t *ms = json_object_get(doc, "metrics");
	const json_t *rounds = json_object_get(json_object_get(doc, "audits"), "rounds");
	char f[3][32], text[256];
	if (json_array_size(rounds)) {
		const json_t *r = json_array_get(rounds, json_array_size(rounds) - 1);
		snprintf(text, sizeof text, "Audit compliance in %s: %s.", S(r, "month"),
			 fig(f[0], json_object_get(r, "compliance_pct"), "pct"));
		el(b, "p", text);
	}
	if (json_array_size(ms) == 0)
		return;
	el(b, "p", "Key figures, the locality against the rest of the county (gap = locality - rest):");
	static const char *const h[] = { "Metric", "From", "Gap then", "To", "Gap now", "Moved", "Better" };
	header(b, 7, h, "llrlrll");
	size_t i;
	const json_t *m;
	json_array_foreach(ms, i, m) {
		const json_t *st = json_object_get(m, "start"), *en = json_object_get(m, "end");
		const char *moved = S(m, "gap_moved") ? S(m, "gap_moved") : "-";
		const char *c[] = { S(m, "name"), S(st, "month"), gap(f[0], json_object_get(m, "gap_start")),
				    S(en, "month"), gap(f[1], json_object_get(m, "gap_end")), moved,
				    S(m, "better") };
		row(b, 7, c);
	}
	footer(b);
}

static void summary(struct buf *b, const json_t *doc)
{
	const json_t *plan = json_object_get(doc, "plan"), *period = json_object_get(doc, "period");
	const json_t *board = json_object_get(doc, "board");
	char d1[32], d2[32], tmp[512];
	el(b, "h1", S(plan, "title") ? S(plan, "title") : "Improvement plan");
	buf_printf(b, "<p>Progress report to the scrutiny committee.</p>\n<dl class=\"meta\">\n");
	snprintf(tmp, sizeof tmp, "%s%s%s%s", S(plan, "code"), S(plan, "locality_name") ? " (locality: " : "",
		 S(plan, "locality_name") ? S(plan, "locality_name") : "", S(plan, "locality_name") ? ")" : "");
	dd(b, "Plan", tmp);
	snprintf(tmp, sizeof tmp, "%s to %s", date_words(S(period, "from"), d1, sizeof d1),
		 date_words(S(period, "to"), d2, sizeof d2));
	dd(b, "Period", tmp);
	dd(b, "As at", date_words(S(doc, "as_of"), d1, sizeof d1));
	if (S(doc, "as_recorded")) {
		snprintf(tmp, sizeof tmp, "what planboard knew at the end of %s",
			 date_words(S(doc, "as_recorded"), d1, sizeof d1));
		dd(b, "As recorded", tmp);
	}
	if (S(board, "name") || S(board, "chair")) {
		snprintf(tmp, sizeof tmp, "%s%s%s", S(board, "name") ? S(board, "name") : "Improvement board",
			 S(board, "chair") ? ", chaired by " : "", S(board, "chair") ? S(board, "chair") : "");
		dd(b, "Board", tmp);
	}
	buf_printf(b, "</dl>\n<h2>Summary</h2>\n");
	const json_t *t = json_object_get(doc, "totals");
	const json_t *st = json_object_get(t, "by_status"), *rag = json_object_get(t, "by_rag");
	char text[1024];
	if (I(t, "actions") == 0)
		snprintf(text, sizeof text, "The plan has no actions recorded.");
	else
		snprintf(text, sizeof text, "The plan has %lld actions: %lld completed, %lld in progress, %lld not "
			 "started and %lld blocked. %lld are overdue and %lld are rated red.", I(t, "actions"),
			 I(st, "completed"), I(st, "in_progress"), I(st, "not_started"), I(st, "blocked"),
			 I(t, "overdue"), I(rag, "red"));
	el(b, "p", text);
	const json_t *att = json_object_get(doc, "attention");
	snprintf(text, sizeof text, "%zu risks or issues, %zu actions and %zu metrics need the committee's attention.",
		 json_array_size(json_object_get(att, "risks")), json_array_size(json_object_get(att, "actions")),
		 json_array_size(json_object_get(att, "metrics")));
	el(b, "p", text);
	key_figures(b, doc);
}

static void action_table(struct buf *b, const json_t *list)
{
	static const char *const h[] = { "Ref", "Action", "Owner", "Due", "Status", "RAG", "Why" };
	header(b, 7, h, NULL);
	size_t i;
	const json_t *a;
	json_array_foreach(list, i, a) {
		bool overdue = json_is_true(json_object_get(a, "overdue"));
		const char *why = overdue ? (strcmp(S(a, "rag"), "red") == 0 ? "red, overdue" : "overdue") : "red";
		buf_printf(b, "<tr>");
		el(b, "td", S(a, "ref"));
		el(b, "td", S(a, "title"));
		el(b, "td", S(a, "owner"));
		el(b, "td", S(a, "due_date"));
		char st[32];
		el(b, "td", code_words(S(a, "status"), st));
		buf_printf(b, "<td class=\"rag-");
		esc(b, S(a, "rag"));
		buf_printf(b, "\">");
		esc(b, S(a, "rag"));
		buf_printf(b, "</td>");
		el(b, "td", why);
		buf_printf(b, "</tr>\n");
	}
	footer(b);
}

static void none(struct buf *b, const char *text) { el(b, "p class=\"none\"", text); }

static void progress(struct buf *b, const json_t *doc)
{
	buf_printf(b, "<h2>Progress against the plan</h2>\n");
	const json_t *themes = json_object_get(doc, "themes");
	if (json_array_size(themes) == 0) {
		none(b, "The plan has no themes.");
		return;
	}
	static const char *const h[] = { "Theme", "Actions", "Not started", "In progress", "Completed", "Blocked",
					 "Red", "Amber", "Green", "Blue", "Overdue" };
	header(b, 11, h, "lrrrrrrrrrr");
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
	footer(b);
	buf_printf(b, "<h3>Overdue and red actions</h3>\n");
	const json_t *acts = json_object_get(json_object_get(doc, "attention"), "actions");
	if (json_array_size(acts) == 0)
		none(b, "None.");
	else
		action_table(b, acts);
}

/* ---------------------------------------------------------------- chart */

struct scale {
	double lo, hi, step;
	size_t n;
};

static double sx(const struct scale *s, size_t i) { return 60 + (s->n > 1 ? 520.0 * (double)i / (double)(s->n - 1) : 260); }
static double sy(const struct scale *s, double v) { return 200 - 170 * (v - s->lo) / (s->hi - s->lo); }

static void polyline(struct buf *b, const struct scale *sc, const json_t *series, const char *key,
		     const char *colour, const char *dash)
{
	buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"%s%s%s points=\"", colour,
		   dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	size_t i;
	const json_t *p;
	json_array_foreach(series, i, p) {
		const json_t *v = json_object_get(p, key);
		if (json_is_number(v))
			buf_printf(b, "%.1f,%.1f ", sx(sc, i), sy(sc, json_number_value(v)));
	}
	buf_printf(b, "\"/>\n");
	/* the latest figure, written beside the line's end */
	for (size_t k = json_array_size(series); k-- > 0;) {
		const json_t *v = json_object_get(json_array_get(series, k), key);
		if (json_is_number(v)) {
			buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%.1f</text>\n", sx(sc, k) + 7,
				   sy(sc, json_number_value(v)) + 4, colour, json_number_value(v));
			break;
		}
	}
	json_array_foreach(series, i, p) {
		const json_t *v = json_object_get(p, key);
		if (json_is_number(v) && sc->n <= 24)
			buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", sx(sc, i),
				   sy(sc, json_number_value(v)), colour);
	}
}

static void extend(struct scale *s, const json_t *v)
{
	if (!json_is_number(v))
		return;
	double x = json_number_value(v);
	if (x < s->lo)
		s->lo = x;
	if (x > s->hi)
		s->hi = x;
}

/* A step of 1, 2, 2.5 or 5 times a power of ten, at least raw: the
 * gridlines fall on numbers people read easily. */
static double nice_step(double raw)
{
	static const double mult[] = { 1, 2, 2.5, 5, 10 };
	if (!(raw > 0) || !isfinite(raw))
		return 1;
	double mag = pow(10, floor(log10(raw)));
	for (size_t i = 0; i < ARRAY_LEN(mult); i++)
		if (mult[i] * mag >= raw * (1 - 1e-9))
			return mult[i] * mag;
	return 10 * mag;
}

/* Round the axis to a step taken from the span (about 5 intervals, at
 * most 10 gridlines whatever the magnitude of the figures); a percentage
 * axis stays within 0-100. */
static void nice_scale(struct scale *s, bool pct)
{
	/* a little headroom, so no line sits on the frame */
	bool nonneg = s->lo >= 0;
	double span = s->hi - s->lo;
	s->hi += span > 0 ? span * 0.02 : 0.5;
	s->lo -= span > 0 ? span * 0.02 : 0.5;
	double step = nice_step((s->hi - s->lo) / 5);
	s->lo = floor(s->lo / step) * step;
	s->hi = ceil(s->hi / step) * step;
	if (!(s->hi > s->lo))
		s->hi = s->lo + step;
	if ((pct || nonneg) && s->lo < 0)
		s->lo = 0;   /* figures are never negative: no axis below 0 */
	if (pct && s->hi > 100)
		s->hi = 100;
	s->step = step;
}

/* One legend entry: a swatch of the line's style and its label; returns
 * where the next entry starts. SVG text cannot be measured here, so the
 * label's width is estimated generously (7 px a character at 12 px) and
 * a long locality name pushes the next entries along instead of running
 * into them. */
static double legend_entry(struct buf *b, double x, const char *colour, const char *width, const char *dash,
			   const char *label)
{
	buf_printf(b, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"-4\" y2=\"-4\" stroke=\"%s\" stroke-width=\"%s\"%s%s%s/>"
		      "<text x=\"%.0f\" y=\"0\">", x, x + 24, colour, width, dash ? " stroke-dasharray=\"" : "",
		   dash ? dash : "", dash ? "\"" : "", x + 30);
	esc(b, label);
	buf_printf(b, "</text>");
	return x + 30 + 7.0 * (double)utf8_chars(label ? label : "") + 24;
}

static void legend(struct buf *b, const json_t *m, bool target)
{
	buf_printf(b, "<g transform=\"translate(60,240)\">");
	const char *name = S(m, "locality_name") ? S(m, "locality_name") : S(m, "locality");
	double x = legend_entry(b, 0, "#1b4f72", "2.5", NULL, name);
	x = legend_entry(b, x, "#7f8c8d", "2.5", "3 3", "Rest of the county");
	if (target)
		legend_entry(b, x, "#1e8449", "1.5", "6 4", "Target");
	buf_printf(b, "</g>\n");
}

/* Locality against the rest of the county, with the target as a dashed
 * line: an SVG with its own title and legend. */
static void chart(struct buf *b, const json_t *m)
{
	const json_t *series = json_object_get(m, "series");
	struct scale sc = { 1e300, -1e300, 1, json_array_size(series) };
	if (sc.n == 0)
		return;
	size_t i;
	const json_t *p;
	json_array_foreach(series, i, p) {
		extend(&sc, json_object_get(p, "value"));
		extend(&sc, json_object_get(p, "rest"));
	}
	extend(&sc, json_object_get(m, "target"));
	if (sc.lo > sc.hi)
		return;
	nice_scale(&sc, S(m, "unit") && strcmp(S(m, "unit"), "pct") == 0);
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"260\" viewBox=\"0 0 640 260\" "
		      "role=\"img\" font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\">\n<title>");
	esc(b, S(m, "name"));
	buf_printf(b, ": locality against the rest of the county</title>\n");
	buf_printf(b, "<rect x=\"60\" y=\"30\" width=\"520\" height=\"170\" fill=\"#fbfbfb\" stroke=\"#999\"/>\n");
	/* bounded by a count, not by v <= hi: with huge figures v += step
	 * may not move v at all */
	for (int k = 0; k <= 10; k++) {
		double v = sc.lo + k * sc.step;
		if (v > sc.hi + sc.step * 1e-9)
			break;
		buf_printf(b, "<line x1=\"60\" x2=\"580\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			      "<text x=\"54\" y=\"%.1f\" text-anchor=\"end\">%.10g</text>\n", sy(&sc, v), sy(&sc, v),
			   sy(&sc, v) + 4, v);
	}
	/* at most 12 month labels; with more months, every k-th as YYYY-MM */
	size_t every = (sc.n + 11) / 12;
	json_array_foreach(series, i, p) {
		if (i % every != 0)
			continue;
		buf_printf(b, "<text x=\"%.1f\" y=\"218\" text-anchor=\"middle\">", sx(&sc, i));
		esc(b, sc.n <= 12 && S(p, "label") ? S(p, "label") : S(p, "period"));
		buf_printf(b, "</text>\n");
	}
	const json_t *target = json_object_get(m, "target");
	if (json_is_number(target))
		buf_printf(b, "<line x1=\"60\" x2=\"580\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#1e8449\" stroke-width=\"1.5\" "
			      "stroke-dasharray=\"6 4\"/>\n", sy(&sc, json_number_value(target)), sy(&sc, json_number_value(target)));
	polyline(b, &sc, series, "rest", "#7f8c8d", "3 3");
	polyline(b, &sc, series, "value", "#1b4f72", NULL);
	legend(b, m, json_is_number(target));
	buf_printf(b, "</svg>\n");
}

static void metrics(struct buf *b, const json_t *doc)
{
	buf_printf(b, "<h2>Performance against the rest of the county</h2>\n");
	const json_t *ms = json_object_get(doc, "metrics");
	if (json_array_size(ms) == 0) {
		none(b, S(doc, "metrics_note") ? S(doc, "metrics_note") : "No performance figures are recorded for this plan's locality in the period.");
		return;
	}
	size_t i;
	const json_t *m;
	json_array_foreach(ms, i, m) {
		buf_printf(b, "<div class=\"metric\">\n");
		el(b, "h3", S(m, "name"));
		el(b, "p", S(m, "words"));
		chart(b, m);
		static const char *const h[] = { "Month", "Locality", "Rest of county", "Gap", "Target" };
		header(b, 5, h, "lrrrr");
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
		footer(b);
		buf_printf(b, "</div>\n");
	}
}

static void audits(struct buf *b, const json_t *doc)
{
	buf_printf(b, "<h2>Audit compliance and grades</h2>\n");
	const json_t *a = json_object_get(doc, "audits");
	if (!json_is_object(a) || json_array_size(json_object_get(a, "rounds")) == 0) {
		none(b, "No audit rounds are recorded for this plan's locality in the period.");
		return;
	}
	el(b, "p", S(a, "words"));
	static const char *const h[] = { "Month", "Required", "Completed", "On time", "Compliance", "Outstanding",
					 "Good", "Requires improvement", "Inadequate", "Moderated" };
	header(b, 10, h, "lrrrrrrrrl");
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
	footer(b);
}

static void risk_table(struct buf *b, const json_t *list)
{
	static const char *const h[] = { "Ref", "Kind", "Title", "Owner", "L\u00a0x\u00a0I", "Score", "Band", "Status",
					 "Escalated", "Mitigation" };
	header(b, 10, h, "lllllrllll");
	size_t i;
	const json_t *r;
	char n[3][32];
	json_array_foreach(list, i, r) {
		/* no-break spaces: a narrow column must not wrap "4 x 4" over two lines */
		snprintf(n[0], 32, "%lld\u00a0x\u00a0%lld", I(r, "likelihood"), I(r, "impact"));
		const char *c[] = { S(r, "ref"), S(r, "kind"), S(r, "title"), S(r, "owner"), n[0],
				    num(n[1], I(r, "score")), S(r, "band"), code_words(S(r, "status"), n[2]),
				    json_is_true(json_object_get(r, "escalated")) ? "yes" : "no", S(r, "mitigation") };
		row(b, 10, c);
	}
	footer(b);
}

static void attention(struct buf *b, const json_t *doc)
{
	const json_t *att = json_object_get(doc, "attention");
	buf_printf(b, "<h2>Risks and issues for the committee's attention</h2>\n<h3>High or escalated risks</h3>\n");
	if (json_array_size(json_object_get(att, "risks")) == 0)
		none(b, "None.");
	else
		risk_table(b, json_object_get(att, "risks"));
	buf_printf(b, "<h3>Red or overdue actions</h3>\n");
	if (json_array_size(json_object_get(att, "actions")) == 0)
		none(b, "None.");
	else
		action_table(b, json_object_get(att, "actions"));
	buf_printf(b, "<h3>Metrics moving the wrong way</h3>\n");
	const json_t *ms = json_object_get(att, "metrics");
	if (json_array_size(ms) == 0) {
		none(b, "None.");
	} else {
		buf_printf(b, "<ul>\n");
		size_t i;
		const json_t *m;
		json_array_foreach(ms, i, m) {
			buf_printf(b, "<li><strong>");
			esc(b, S(m, "name"));
			buf_printf(b, "</strong>: ");
			esc(b, S(m, "reason"));
			buf_printf(b, "</li>\n");
		}
		buf_printf(b, "</ul>\n");
	}
	buf_printf(b, "<h3>Risk register</h3>\n");
	if (json_array_size(json_object_get(doc, "risks")) == 0)
		none(b, "No risks are recorded.");
	else
		risk_table(b, json_object_get(doc, "risks"));
}

static void board(struct buf *b, const json_t *doc)
{
	const json_t *bd = json_object_get(doc, "board");
	buf_printf(b, "<h2>The improvement board</h2>\n");
	const json_t *members = json_object_get(bd, "members");
	if (json_array_size(members) == 0) {
		none(b, "No board members are recorded.");
	} else {
		static const char *const h[] = { "Member", "Role" };
		header(b, 2, h, NULL);
		size_t i;
		const json_t *m;
		json_array_foreach(members, i, m) {
			char r[256];
			const char *role = S(m, "role");
			if (json_is_true(json_object_get(m, "chair"))) {
				snprintf(r, sizeof r, "Chair%s%s", role ? "; " : "", role ? role : "");
				role = r;
			}
			const char *c[] = { S(m, "name"), role };
			row(b, 2, c);
		}
		footer(b);
	}
	if (S(bd, "terms_of_reference")) {
		buf_printf(b, "<h3>Terms of reference</h3>\n");
		el(b, "p", S(bd, "terms_of_reference"));
	}
	buf_printf(b, "<h3>Meetings held</h3>\n");
	const json_t *ms = json_object_get(doc, "meetings");
	if (json_array_size(ms) == 0) {
		none(b, "No meetings are recorded.");
		return;
	}
	buf_printf(b, "<ul>\n");
	size_t i;
	const json_t *m;
	char d[32], t[512];
	json_array_foreach(ms, i, m) {
		snprintf(t, sizeof t, "%s: %s (%zu attending)", date_words(S(m, "date"), d, sizeof d),
			 S(m, "title") ? S(m, "title") : "Board meeting", json_array_size(json_object_get(m, "attendees")));
		buf_printf(b, "<li>");
		esc(b, t);
		const json_t *decs = json_object_get(m, "decisions");
		if (json_array_size(decs)) {
			buf_printf(b, "<ul>");
			size_t j;
			const json_t *dec;
			json_array_foreach(decs, j, dec) {
				buf_printf(b, "<li>Decision: ");
				esc(b, S(dec, "text"));
				if (S(dec, "action_ref")) {
					buf_printf(b, " (action ");
					esc(b, S(dec, "action_ref"));
					buf_printf(b, ")");
				}
				buf_printf(b, "</li>");
			}
			buf_printf(b, "</ul>");
		}
		buf_printf(b, "</li>\n");
	}
	buf_printf(b, "</ul>\n");
}

static void review(struct buf *b, const json_t *doc)
{
	const json_t *r = json_object_get(doc, "next_review");
	buf_printf(b, "<h2>Next review</h2>\n");
	if (!json_is_object(r)) {
		none(b, "No review is scheduled.");
		return;
	}
	char d[32], t[512];
	snprintf(t, sizeof t, "%s: %s", date_words(S(r, "date"), d, sizeof d), S(r, "title"));
	el(b, "p", t);
	const json_t *cs = json_object_get(r, "criteria");
	if (json_array_size(cs) == 0) {
		none(b, "No success criteria are recorded.");
		return;
	}
	static const char *const h[] = { "Criterion", "State", "Evidence" };
	header(b, 3, h, NULL);
	size_t i;
	const json_t *c;
	json_array_foreach(cs, i, c) {
		const char *v = S(c, "verdict") ? S(c, "verdict") : "not_judged";
		buf_printf(b, "<tr>");
		el(b, "td", S(c, "text"));
		buf_printf(b, "<td class=\"verdict-");
		esc(b, v);
		buf_printf(b, "\">");
		char w[32];
		esc(b, code_words(v, w));
		if (S(c, "judged_by")) {
			snprintf(t, sizeof t, " (judged by %s on %.10s)", S(c, "judged_by"), S(c, "judged_at"));
			esc(b, t);
		}
		buf_printf(b, "</td>");
		el(b, "td", S(c, "evidence"));
		buf_printf(b, "</tr>\n");
	}
	footer(b);
}

char *report_html(const json_t *doc)
{
	struct buf b = { 0 };
	buf_printf(&b, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
		       "<meta charset=\"utf-8\"/>\n<title>");
	esc(&b, S(json_object_get(doc, "plan"), "title"));
	buf_printf(&b, " — progress report</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	summary(&b, doc);
	progress(&b, doc);
	metrics(&b, doc);
	audits(&b, doc);
	attention(&b, doc);
	board(&b, doc);
	review(&b, doc);
	buf_printf(&b, "</body>\n</html>\n");
	buf_append(&b, "", 1);
	return (char *)b.data;
}
