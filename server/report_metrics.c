/* report_metrics.c: the report's metric and audit sections. For each
 * metric with figures for the plan's locality in the period: the series
 * against the rest of the county, the gap at the start and the end and
 * its change, in words and figures; the metrics moving the wrong way; and
 * the locality's audit rounds with compliance and grades. */
#include "enums.h"
#include "governance.h"
#include "hutil.h"
#include "metrics.h"
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A value in the metric's unit, for sentences. */
static const char *val(struct arena *a, int unit, double v)
{
	switch (unit) {
	case PB__UNIT__UNIT_PCT: return arena_printf(a, "%.1f%%", v);
	case PB__UNIT__UNIT_COUNT: return arena_printf(a, "%.0f", v);
	case PB__UNIT__UNIT_DAYS: return arena_printf(a, "%.1f days", v);
	default: return arena_printf(a, "%.1f", v);
	}
}

/* A gap's size in words: "17.0 points below". */
static const char *gap_words(struct arena *a, int unit, double gap)
{
	const char *u = unit == PB__UNIT__UNIT_PCT ? " points" : unit == PB__UNIT__UNIT_DAYS ? " days" : "";
	if (fabs(gap) < 0.05)
		return "level with";
	return arena_printf(a, "%.1f%s %s", fabs(gap), u, gap < 0 ? "below" : "above");
}

/* How far the locality is worse than the rest (positive = worse). */
static double shortfall(int better, double gap)
{
	return better == PB__BETTER__BETTER_LOWER ? gap : -gap;
}

/* Rounded to 3 decimals, and never "-0". */
static json_t *num_or_null(bool has, double v)
{
	double r = round(v * 1000) / 1000;
	return has ? json_real(r == 0 ? 0 : r) : json_null();
}

static json_t *point_json(struct arena *a, const Pb__ComparePoint *p)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	json_t *o = json_object();
	int idx = period_index(p->period);
	json_object_set_new(o, "period", json_string(p->period));
	json_object_set_new(o, "month", json_string(period_name(a, p->period)));
	json_object_set_new(o, "label", json_string(idx >= 0 ? mon[idx % 12] : p->period));
	json_object_set_new(o, "value", num_or_null(p->has_value, p->value));
	json_object_set_new(o, "rest", num_or_null(p->has_rest, p->rest));
	json_object_set_new(o, "county", num_or_null(p->has_county, p->county));
	json_object_set_new(o, "gap", num_or_null(p->has_gap, p->gap));
	json_object_set_new(o, "rest_method", json_string(enum_name(&pb__method__descriptor, p->rest_method)));
	if (p->has_favourable)
		json_object_set_new(o, "favourable", json_boolean(p->favourable));
	if (p->has_trend)
		json_object_set_new(o, "trend", json_string(enum_name(&pb__trend__descriptor, p->trend)));
	if (p->has_rag)
		json_object_set_new(o, "rag", json_string(enum_name(&pb__rag__descriptor, p->rag)));
	return o;
}

/* The sentence the committee reads for one metric. */
static const char *metric_words(struct arena *a, const Pb__Metric *m, const char *who, const Pb__ComparePoint *s,
				const Pb__ComparePoint *e, const Pb__ComparePoint *first, const Pb__ComparePoint *last)
{
	int u = m->unit;
	const char *better = m->better == PB__BETTER__BETTER_LOWER ? "lower is better" : "higher is better";
	if (s == NULL) /* no comparison: the locality's own figures */
		return arena_printf(a, "In %s, %s's figure was %s; in %s it was %s (%s). No comparison with the rest "
				    "of the county is possible.", period_name(a, first->period), who,
				    val(a, u, first->value), period_name(a, last->period), val(a, u, last->value), better);
	if (s == e)
		return arena_printf(a, "In %s, %s was %s the rest of the county (%s against %s; %s).",
				    period_name(a, s->period), who, gap_words(a, u, s->gap), val(a, u, s->value),
				    val(a, u, s->rest), better);
	double change = shortfall(m->better, e->gap) - shortfall(m->better, s->gap);
	const char *u_word = u == PB__UNIT__UNIT_PCT ? " points" : u == PB__UNIT__UNIT_DAYS ? " days" : "";
	const char *movement = fabs(change) < 0.05 ? "The gap did not change"
			       : change < 0 ? arena_printf(a, "The gap moved %.1f%s in %s's favour", fabs(change), u_word, who)
					    : arena_printf(a, "The gap moved %.1f%s against %s", change, u_word, who);
	bool same_side = (s->gap < 0) == (e->gap < 0) && fabs(e->gap) >= 0.05;
	const char *end = same_side ? arena_printf(a, "the gap was %.1f%s", fabs(e->gap), u_word)
				    : arena_printf(a, "%s was %s the rest of the county", who, gap_words(a, u, e->gap));
	return arena_printf(a, "In %s, %s was %s the rest of the county; by %s %s (%s: %s against %s, then %s "
			    "against %s). %s.", period_name(a, s->period), who, gap_words(a, u, s->gap),
			    period_name(a, e->period), end, better, val(a, u, s->value), val(a, u, s->rest),
			    val(a, u, e->value), val(a, u, e->rest), movement);
}

/* Why a metric needs attention, or NULL. */
static const char *wrong_way(struct arena *a, const Pb__Metric *m, const char *who, const Pb__ComparePoint *s,
			     const Pb__ComparePoint *e, const Pb__ComparePoint *last)
{
	if (s && e && s != e && shortfall(m->better, e->gap) > shortfall(m->better, s->gap) + 0.05)
		return arena_printf(a, "the gap to the rest of the county moved against %s, from %+.1f in %s to %+.1f in %s",
				    who, s->gap, period_name(a, s->period), e->gap, period_name(a, e->period));
	if (last && last->has_trend && last->trend == PB__TREND__TREND_WORSENING)
		return arena_printf(a, "%s's figure worsened in %s, to %s", who, period_name(a, last->period),
				    val(a, m->unit, last->value));
	return NULL;
}

static json_t *edge_json(const Pb__ComparePoint *p, struct arena *a)
{
	return p ? point_json(a, p) : json_null();
}

/* One metric's section, or NULL when the locality has no figures. */
static json_t *metric_json(struct hctx *h, const Pb__Metric *m, const Pb__MetricCompareReply *r, const char *who,
			   json_t *attention)
{
	struct arena *a = h->arena;
	const Pb__ComparePoint *first = NULL, *last = NULL, *s = NULL, *e = NULL;
	json_t *series = json_array();
	double total = 0;
	for (size_t i = 0; i < r->n_points; i++) {
		const Pb__ComparePoint *p = r->points[i];
		if (!p->has_value)
			continue;
		json_array_append_new(series, point_json(a, p));
		total += p->value;
		first = first ? first : p;
		last = p;
		if (p->has_gap) {
			s = s ? s : p;
			e = p;
		}
	}
	if (first == NULL) {
		json_decref(series);
		return NULL;
	}
	json_t *o = json_object();
	json_object_set_new(o, "code", json_string(m->code));
	json_object_set_new(o, "name", json_string(m->name));
	json_object_set_new(o, "unit", json_string(enum_name(&pb__unit__descriptor, m->unit)));
	json_object_set_new(o, "better", json_string(enum_name(&pb__better__descriptor, m->better)));
	json_object_set_new(o, "target", num_or_null(m->has_target, m->target));
	json_object_set_new(o, "locality", json_string(r->locality));
	json_object_set_new(o, "locality_name", json_string(who));
	json_object_set_new(o, "start", edge_json(s, a));
	json_object_set_new(o, "end", edge_json(e, a));
	json_object_set_new(o, "gap_start", num_or_null(s != NULL, s ? s->gap : 0));
	json_object_set_new(o, "gap_end", num_or_null(e != NULL, e ? e->gap : 0));
	json_object_set_new(o, "gap_change", num_or_null(s && e, s && e ? e->gap - s->gap : 0));
	if (s && e) { /* in words: did the locality gain on the rest of the county? */
		double worse = shortfall(m->better, e->gap) - shortfall(m->better, s->gap);
		json_object_set_new(o, "gap_moved", json_string(fabs(worse) < 0.05 ? "no change"
								: worse < 0 ? "favourably" : "unfavourably"));
	}
	const char *words = metric_words(a, m, who, s, e, first, last);
	if (m->unit == PB__UNIT__UNIT_COUNT) {
		json_object_set_new(o, "total", json_real(total));
		words = arena_printf(a, "%s Over the period %s recorded %.0f in total.", words, who, total);
	}
	if (s && s->rest_method == PB__METHOD__METHOD_MEAN)
		words = arena_printf(a, "%s The rest of the county is the mean of the other localities' figures.", words);
	json_object_set_new(o, "words", json_string(words));
	json_object_set_new(o, "series", series);
	const char *why = wrong_way(a, m, who, s, e, last);
	json_object_set_new(o, "worsening", json_boolean(why != NULL));
	if (why) {
		json_t *w = json_object();
		json_object_set_new(w, "code", json_string(m->code));
		json_object_set_new(w, "name", json_string(m->name));
		json_object_set_new(w, "reason", json_string(why));
		json_array_append_new(attention, w);
	}
	return o;
}

/* The plan's locality code and name, or NULL. */
static const char *plan_locality(const json_t *doc, const char **name)
{
	const json_t *plan = json_object_get(doc, "plan");
	*name = json_string_value(json_object_get(plan, "locality_name"));
	return json_string_value(json_object_get(plan, "locality"));
}

/* Has the locality a figure of this metric in the period (in any
 * version: the comparison still applies the as-recorded bound)? One
 * index look-up, so the metrics the plan's locality does not report cost
 * nothing: comparing them would read every other locality's figures of
 * the period only to find none of its own. */
static bool has_figures(struct hctx *h, int64_t loc_id, const char *metric, const char *from, const char *to)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT 1 FROM metric k JOIN measurement m ON m.metric_id = k.id"
		" AND m.locality_id = ?2 AND m.period >= ?3 AND m.period <= ?4 WHERE k.code = ?1 LIMIT 1");
	stmt_text(s, 1, metric);
	stmt_int(s, 2, loc_id);
	stmt_text(s, 3, from);
	stmt_text(s, 4, to);
	bool found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

static int metrics_section(struct hctx *h, const struct report_args *args, json_t *doc, const char *loc,
			   const char *who)
{
	const json_t *period = json_object_get(doc, "period");
	const char *from = json_string_value(json_object_get(period, "from_period"));
	const char *to = json_string_value(json_object_get(period, "to_period"));
	json_t *list = json_array(), *attention = json_array();
	json_object_set_new(doc, "metrics", list);
	json_object_set_new(json_object_get(doc, "attention"), "metrics", attention);
	if (loc == NULL) {
		json_object_set_new(doc, "metrics_note",
				    json_string("The plan has no locality, so there is no comparison with the rest of the county."));
		return OK;
	}
	Pb__MetricListReply *ml;
	int64_t loc_id = find_locality(h, loc);
	if (loc_id == 0 || metric_list_build(h, &ml) != OK)
		return h->resp->status;
	for (size_t i = 0; i < ml->n_metrics; i++) {
		Pb__MetricCompareReply *r;
		if (!has_figures(h, loc_id, ml->metrics[i]->code, from, to))
			continue;
		if (metric_compare_build(h, ml->metrics[i]->code, loc, from, to, args->bound, &r) != OK)
			return h->resp->status;
		json_t *m = metric_json(h, r->metric, r, who, attention);
		if (m)
			json_array_append_new(list, m);
	}
	return OK;
}

/* ---------------------------------------------------------------- audits */

static json_t *round_json(struct arena *a, const Pb__AuditRound *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "locality", json_string(r->locality));
	json_object_set_new(o, "period", json_string(r->period));
	json_object_set_new(o, "month", json_string(period_name(a, r->period)));
	json_object_set_new(o, "required", json_integer(r->required));
	json_object_set_new(o, "completed", json_integer(r->completed));
	json_object_set_new(o, "on_time", json_integer(r->on_time));
	json_object_set_new(o, "compliance_pct", num_or_null(r->has_compliance_pct, r->compliance_pct));
	json_object_set_new(o, "on_time_pct", num_or_null(r->has_on_time_pct, r->on_time_pct));
	json_object_set_new(o, "good_or_better_pct", num_or_null(r->has_good_or_better_pct, r->good_or_better_pct));
	json_object_set_new(o, "outstanding", json_integer(r->outstanding));
	json_object_set_new(o, "good", json_integer(r->good));
	json_object_set_new(o, "requires_improvement", json_integer(r->requires_improvement));
	json_object_set_new(o, "inadequate", json_integer(r->inadequate));
	json_object_set_new(o, "moderated", json_boolean(r->moderated));
	return o;
}

/* Words: the latest round, the other localities that month, grades. */
/* A locality's name for sentences (its code if it has none). */
static const char *locality_name(struct hctx *h, const char *code)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT name FROM locality WHERE code = ?");
	stmt_text(s, 1, code);
	const char *name = sqlite3_step(s) == SQLITE_ROW ? col_text(h->arena, s, 0) : NULL;
	sqlite3_reset(s);
	return name ? name : code;
}

static const char *audit_words(struct hctx *h, const Pb__AuditListReply *mine, const Pb__AuditListReply *all,
			       const char *who)
{
	struct arena *a = h->arena;
	const Pb__AuditRound *l = mine->rounds[mine->n_rounds - 1];
	struct buf b = { 0 };
	buf_printf(&b, "In %s, %s completed %u of %u required audits (%.0f%% compliance)", period_name(a, l->period),
		   who, l->completed, l->required, l->has_compliance_pct ? l->compliance_pct : 0.0);
	if (l->completed)
		buf_printf(&b, ", %u on time (%.0f%%)", l->on_time, l->on_time_pct);
	buf_printf(&b, ".");
	int others = 0;
	for (size_t i = 0; i < all->n_rounds; i++) {
		const Pb__AuditRound *o = all->rounds[i];
		if (strcmp(o->period, l->period) != 0 || strcmp(o->locality, l->locality) == 0 || !o->has_compliance_pct)
			continue;
		buf_printf(&b, "%s %s %.0f%%", others++ ? "," : " Other localities that month:",
			   locality_name(h, o->locality), o->compliance_pct);
	}
	if (others)
		buf_printf(&b, ".");
	unsigned g[4] = { 0 };
	for (size_t i = 0; i < mine->n_rounds; i++) {
		g[0] += mine->rounds[i]->outstanding;
		g[1] += mine->rounds[i]->good;
		g[2] += mine->rounds[i]->requires_improvement;
		g[3] += mine->rounds[i]->inadequate;
	}
	if (g[0] + g[1] + g[2] + g[3])
		buf_printf(&b, " Grades over the period: %u outstanding, %u good, %u requires improvement, %u inadequate.",
			   g[0], g[1], g[2], g[3]);
	if (!l->moderated)
		buf_printf(&b, " The moderated findings for %s are not yet available.", period_name(a, l->period));
	buf_append(&b, "", 1);
	char *s = arena_strdup(a, (char *)b.data);
	buf_free(&b);
	return s;
}

static int audits_section(struct hctx *h, const struct report_args *args, json_t *doc, const char *loc,
			  const char *who)
{
	const json_t *period = json_object_get(doc, "period");
	const char *from = json_string_value(json_object_get(period, "from_period"));
	const char *to = json_string_value(json_object_get(period, "to_period"));
	json_object_set_new(doc, "audits", json_null());
	if (loc == NULL)
		return OK;
	Pb__AuditListReply *mine, *all;
	if (audit_list_build(h, loc, from, to, args->bound, &mine) != OK ||
	    audit_list_build(h, NULL, from, to, args->bound, &all) != OK)
		return h->resp->status;
	json_t *o = json_object();
	json_t *rounds = json_array();
	for (size_t i = 0; i < mine->n_rounds; i++)
		json_array_append_new(rounds, round_json(h->arena, mine->rounds[i]));
	json_object_set_new(o, "locality", json_string(loc));
	json_object_set_new(o, "rounds", rounds);
	json_t *others = json_array();
	for (size_t i = 0; i < all->n_rounds; i++)
		if (strcmp(all->rounds[i]->locality, loc) != 0)
			json_array_append_new(others, round_json(h->arena, all->rounds[i]));
	json_object_set_new(o, "other_localities", others);
	if (mine->n_rounds)
		json_object_set_new(o, "words", json_string(audit_words(h, mine, all, who)));
	json_object_set_new(doc, "audits", o);
	return OK;
}

int report_metrics(struct hctx *h, const struct report_args *args, json_t *doc)
{
	const char *name;
	const char *loc = plan_locality(doc, &name);
	const char *who = name ? name : loc;
	if (metrics_section(h, args, doc, loc, who) != OK || audits_section(h, args, doc, loc, who) != OK)
		return h->resp->status;
	return OK;
}
