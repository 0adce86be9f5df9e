/* metrics.c: reading metrics, measurements and audit rounds as they were
 * recorded by a given time, and the locality-vs-county comparison. The
 * arithmetic itself is in common/compare.c. */
#include "metrics.h"
#include "compare.h"
#include "enums.h"
#include "hutil.h"

#include <stdio.h>
#include <string.h>

#define NO_BOUND "9999-12-31T23:59:59Z"
/* Changes smaller than this (half the displayed precision) are steady. */
#define STEADY 0.05

int metrics_bound(struct hctx *h, const char *as_recorded, const char **bound)
{
	if (as_recorded == NULL) {
		*bound = NO_BOUND;
		return OK;
	}
	return as_recorded_bound(h, as_recorded, bound);
}

static int check_range(struct hctx *h, const char *from, const char *to)
{
	if (check_period(h, "from", from, true) != OK || check_period(h, "to", to, true) != OK)
		return h->resp->status;
	if (from && to && strcmp(from, to) > 0)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "from %s is after to %s", from, to);
	return OK;
}

static Pb__Metric *metric_row(struct hctx *h, sqlite3_stmt *s, int c)
{
	Pb__Metric *m = arena_new(h->arena, Pb__Metric);
	pb__metric__init(m);
	m->code = col_text(h->arena, s, c);
	m->name = col_text(h->arena, s, c + 1);
	m->has_unit = m->has_better = 1;
	m->unit = enum_value(&pb__unit__descriptor, (const char *)sqlite3_column_text(s, c + 2));
	m->better = enum_value(&pb__better__descriptor, (const char *)sqlite3_column_text(s, c + 3));
	if (sqlite3_column_type(s, c + 4) != SQLITE_NULL) {
		m->has_target = 1;
		m->target = sqlite3_column_double(s, c + 4);
	}
	if (sqlite3_column_type(s, c + 5) != SQLITE_NULL) {
		m->has_tolerance = 1;
		m->tolerance = sqlite3_column_double(s, c + 5);
	}
	m->description = col_text(h->arena, s, c + 6);
	return m;
}

#define METRIC_COLUMNS "SELECT id, code, name, unit, better, target, tolerance, description FROM metric "

int64_t find_metric(struct hctx *h, const char *code, Pb__Metric **m)
{
	if (need_code(h, "metric", code) != OK)
		return 0;
	sqlite3_stmt *s = store_stmt(h->st, METRIC_COLUMNS "WHERE code = ?");
	stmt_text(s, 1, code);
	int64_t id = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		*m = metric_row(h, s, 1);
	}
	sqlite3_reset(s);
	if (id == 0)
		hctx_fail(h, PB__STATUS__NOT_FOUND, "no metric '%s'", code);
	return id;
}

int metric_list_build(struct hctx *h, Pb__MetricListReply **out)
{
	Pb__MetricListReply *r = arena_new(h->arena, Pb__MetricListReply);
	pb__metric_list_reply__init(r);
	sqlite3_stmt *s = store_stmt(h->st, METRIC_COLUMNS "ORDER BY code");
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW)
		ARENA_PUSH(h->arena, r->metrics, r->n_metrics, cap, metric_row(h, s, 1));
	sqlite3_reset(s);
	*out = r;
	return OK;
}

/* ---------------------------------------------------------------- figures */

/* One locality's figure for one month, as recorded by the bound. */
struct mrow {
	const char *period;
	int64_t locality_id;
	struct figure fig;
};

/* The version of each measurement current at bound ?1. */
#define CURRENT_VERSION                                                                  \
	"JOIN measurement_version v ON v.measurement_id = m.id AND v.version ="          \
	" (SELECT max(w.version) FROM measurement_version w"                             \
	"  WHERE w.measurement_id = m.id AND w.recorded_at <= ?1) "

static void fig_from(sqlite3_stmt *s, int c, struct figure *f)
{
	f->value = sqlite3_column_double(s, c);
	f->has_ratio = sqlite3_column_type(s, c + 1) != SQLITE_NULL && sqlite3_column_type(s, c + 2) != SQLITE_NULL;
	f->num = sqlite3_column_double(s, c + 1);
	f->den = sqlite3_column_double(s, c + 2);
}

/* The version of each measurement current now: the one measurement.version
 * names (every submit writes both), one look-up by key instead of the
 * newest recorded by a bound. ?1 is NO_BOUND then; the test keeps it true. */
#define NOW_VERSION                                                                      \
	"JOIN measurement_version v ON v.measurement_id = m.id AND v.version = m.version" \
	" AND v.recorded_at <= ?1 "

/* Every locality's figures for a metric in [from, to], by period. */
static struct mrow *load_figures(struct hctx *h, int64_t metric_id, const char *from, const char *to,
				 const char *bound, size_t *n)
{
	sqlite3_stmt *s = bound != NULL && strcmp(bound, NO_BOUND) == 0
		? store_stmt(h->st, "SELECT m.period, m.locality_id, v.value, v.numerator, v.denominator "
			"FROM measurement m " NOW_VERSION
			"WHERE m.metric_id = ?2 AND m.period >= ?3 AND m.period <= ?4 "
			"ORDER BY m.period, m.locality_id")
		: store_stmt(h->st, "SELECT m.period, m.locality_id, v.value, v.numerator, v.denominator "
			"FROM measurement m " CURRENT_VERSION
			"WHERE m.metric_id = ?2 AND m.period >= ?3 AND m.period <= ?4 "
			"ORDER BY m.period, m.locality_id");
	stmt_text(s, 1, bound);
	stmt_int(s, 2, metric_id);
	stmt_text(s, 3, from ? from : "0000-00");
	stmt_text(s, 4, to ? to : "9999-99");
	struct mrow *rows = NULL;
	size_t cap = 0;
	*n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			struct mrow *nr = arena_array(h->arena, struct mrow, cap);
			if (*n)
				memcpy(nr, rows, *n * sizeof *rows);
			rows = nr;
		}
		struct mrow *r = &rows[(*n)++];
		r->period = col_text(h->arena, s, 0);
		r->locality_id = sqlite3_column_int64(s, 1);
		fig_from(s, 2, &r->fig);
	}
	sqlite3_reset(s);
	return rows;
}

/* Count the localities of one month's rows into seen[] (the localities
 * with a figure in that month or before); the number seen so far. A
 * locality that started reporting later is not "missing" from the months
 * before it did. */
static unsigned note_reporting(int64_t *seen, unsigned n_seen, const struct mrow *rows, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++) {
		unsigned x = 0;
		while (x < n_seen && seen[x] != rows[k].locality_id)
			x++;
		if (x == n_seen)
			seen[n_seen++] = rows[k].locality_id;
	}
	return n_seen;
}

static void set_pooled_counts(const struct figure *f, size_t n, double *num, double *den)
{
	*num = *den = 0;
	for (size_t i = 0; i < n; i++) {
		*num += f[i].num;
		*den += f[i].den;
	}
}

/* Fill one point from the month's figures: mine (or NULL) and the others. */
static void point_fill(Pb__ComparePoint *p, const Pb__Metric *m, const struct figure *mine,
		       const struct figure *others, size_t n_others, const struct figure *all, size_t n_all)
{
	double scale = unit_scale(m->unit);
	struct aggregate rest = pool_figures(others, n_others, scale);
	struct aggregate county = pool_figures(all, n_all, scale);
	p->has_rest_method = p->has_county_method = 1;
	p->rest_method = rest.method;
	p->county_method = county.method;
	if (rest.method != PB__METHOD__METHOD_NONE) {
		p->has_rest = 1;
		p->rest = rest.value;
	}
	if (rest.method == PB__METHOD__METHOD_POOLED) {
		p->has_rest_numerator = p->has_rest_denominator = 1;
		set_pooled_counts(others, n_others, &p->rest_numerator, &p->rest_denominator);
	}
	if (county.method != PB__METHOD__METHOD_NONE) {
		p->has_county = 1;
		p->county = county.value;
	}
	if (county.method == PB__METHOD__METHOD_POOLED) {
		p->has_county_numerator = p->has_county_denominator = 1;
		set_pooled_counts(all, n_all, &p->county_numerator, &p->county_denominator);
	}
	p->has_value_method = 1;
	if (mine == NULL) {
		p->value_method = PB__METHOD__METHOD_NONE;
		return;
	}
	p->has_value = 1;
	p->value = mine->value;
	p->value_method = mine->has_ratio ? PB__METHOD__METHOD_POOLED : PB__METHOD__METHOD_MEAN;
	if (mine->has_ratio) {
		p->has_numerator = p->has_denominator = 1;
		p->numerator = mine->num;
		p->denominator = mine->den;
	}
	if (p->has_rest) {
		p->has_gap = p->has_favourable = 1;
		p->gap = gap_of(p->value, p->rest);
		p->favourable = gap_favourable(p->gap, m->better);
	}
	if (m->has_target) {
		p->has_rag = 1;
		p->rag = rag_of(p->value, m->better, m->target, m->has_tolerance ? m->tolerance : 0);
	}
}

/* Trend and gap change against the locality's previous point. */
static void point_link(Pb__ComparePoint *p, const Pb__ComparePoint *prev_value,
		       const Pb__ComparePoint *prev_gap, int better)
{
	if (!p->has_value)
		return;
	p->has_trend = 1;
	p->trend = prev_value ? trend_of(prev_value->value, p->value, better, STEADY) : PB__TREND__TREND_UNKNOWN;
	if (p->has_gap && prev_gap) {
		p->has_gap_change = 1;
		p->gap_change = p->gap - prev_gap->gap;
	}
}

/* A figure of measurement m exists as recorded by bound ?1. */
#define RECORDED_BY_BOUND(m) \
	" EXISTS (SELECT 1 FROM measurement_version w WHERE w.measurement_id = " m ".id AND w.recorded_at <= ?1)"

/* The earliest of the locality's last n months before `before` with a
 * figure, or, when with_others, with figures of other localities as well
 * (a gap); NULL if none. A walk back along measurement_locality that
 * stops after n hits: it does not read the history before them. */
static const char *recent_month(struct hctx *h, int64_t metric_id, int64_t loc_id, const char *before,
				const char *bound, bool with_others, unsigned n)
{
	sqlite3_stmt *s = with_others
		? store_stmt(h->st, "SELECT min(period) FROM (SELECT m.period FROM measurement m"
			" WHERE m.metric_id = ?2 AND m.locality_id = ?3 AND m.period < ?4 AND" RECORDED_BY_BOUND("m")
			" AND EXISTS (SELECT 1 FROM measurement o WHERE o.metric_id = ?2 AND o.period = m.period"
			"  AND o.locality_id <> ?3 AND" RECORDED_BY_BOUND("o") ")"
			" ORDER BY m.period DESC LIMIT ?5)")
		: store_stmt(h->st, "SELECT min(period) FROM (SELECT m.period FROM measurement m"
			" WHERE m.metric_id = ?2 AND m.locality_id = ?3 AND m.period < ?4 AND" RECORDED_BY_BOUND("m")
			" ORDER BY m.period DESC LIMIT ?5)");
	stmt_text(s, 1, bound);
	stmt_int(s, 2, metric_id);
	stmt_int(s, 3, loc_id);
	stmt_text(s, 4, before);
	stmt_int(s, 5, n);
	const char *p = sqlite3_step(s) == SQLITE_ROW ? col_text(h->arena, s, 0) : NULL;
	sqlite3_reset(s);
	return p;
}

/* The first month a comparison from `from` must read: the points before
 * it that the first point in range links its trend and gap change to
 * (the locality's previous figure, and its previous gap, which may be
 * earlier), and every month between. Reading from there gives the same
 * points as reading the whole history, at a cost that does not grow
 * with it. */
static const char *compare_start(struct hctx *h, int64_t metric_id, int64_t loc_id, const char *from,
				 const char *bound)
{
	if (from == NULL)
		return NULL;
	const char *gap = recent_month(h, metric_id, loc_id, from, bound, true, 1);
	if (gap)
		return gap;
	const char *value = recent_month(h, metric_id, loc_id, from, bound, false, 1);
	return value ? value : from;
}

/* The localities with a figure of the metric before month `start` (as
 * recorded by the bound) into seen[]; their number. One look-up per
 * locality (a small table) instead of reading every earlier month. */
static unsigned reporting_before(struct hctx *h, int64_t metric_id, const char *start, const char *bound,
				 int64_t **seen, size_t extra)
{
	size_t n_loc = 0, cap = 0;
	int64_t *ids = NULL;
	if (start != NULL) {
		sqlite3_stmt *s = store_stmt(h->st, "SELECT l.id FROM locality l WHERE EXISTS (SELECT 1 FROM"
			" measurement m WHERE m.locality_id = l.id AND m.metric_id = ?2 AND m.period < ?3 AND"
			RECORDED_BY_BOUND("m") ")");
		stmt_text(s, 1, bound);
		stmt_int(s, 2, metric_id);
		stmt_text(s, 3, start);
		while (sqlite3_step(s) == SQLITE_ROW) {
			if (n_loc == cap) {
				cap = cap ? cap * 2 : 32;
				int64_t *grown = arena_array(h->arena, int64_t, cap);
				if (n_loc)
					memcpy(grown, ids, n_loc * sizeof *ids);
				ids = grown;
			}
			ids[n_loc++] = sqlite3_column_int64(s, 0);
		}
		sqlite3_reset(s);
	}
	*seen = arena_array(h->arena, int64_t, n_loc + extra + 1);
	if (n_loc)
		memcpy(*seen, ids, n_loc * sizeof *ids);
	return (unsigned)n_loc;
}

/* The metric and the locality a query names; not OK (the response says
 * which is unknown) if either is missing. */
static int find_metric_locality(struct hctx *h, const char *metric, const char *locality, Pb__Metric **m,
				int64_t *metric_id, int64_t *loc_id)
{
	if ((*metric_id = find_metric(h, metric, m)) == 0 || (*loc_id = find_locality(h, locality)) == 0)
		return h->resp->status;
	return OK;
}

int metric_compare_build(struct hctx *h, const char *metric, const char *locality, const char *from,
			 const char *to, const char *as_recorded, Pb__MetricCompareReply **out)
{
	Pb__Metric *m = NULL;
	const char *bound;
	int64_t metric_id, loc_id;
	if (find_metric_locality(h, metric, locality, &m, &metric_id, &loc_id) != OK ||
	    check_range(h, from, to) != OK || metrics_bound(h, as_recorded, &bound) != OK)
		return h->resp->status;
	size_t n;
	/* A few months before `from` are read too, so the first point in
	 * range still has its trend and gap change (compare_start). */
	const char *start = compare_start(h, metric_id, loc_id, from, bound);
	struct mrow *rows = load_figures(h, metric_id, start, to, bound, &n);
	/* seen[]: the localities that reported before `start`, then those
	 * met in the rows, month by month */
	int64_t *seen;
	unsigned total = reporting_before(h, metric_id, start, bound, &seen, n);
	Pb__MetricCompareReply *r = arena_new(h->arena, Pb__MetricCompareReply);
	pb__metric_compare_reply__init(r);
	r->metric = m;
	r->locality = arena_strdup(h->arena, locality);
	struct figure *others = arena_array(h->arena, struct figure, n + 1);
	struct figure *all = arena_array(h->arena, struct figure, n + 1);
	const Pb__ComparePoint *prev_value = NULL, *prev_gap = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, n_others = 0, n_all = 0;
		const struct figure *mine = NULL;
		for (; j < n && strcmp(rows[j].period, rows[i].period) == 0; j++) {
			all[n_all++] = rows[j].fig;
			if (rows[j].locality_id == loc_id)
				mine = &rows[j].fig;
			else
				others[n_others++] = rows[j].fig;
		}
		Pb__ComparePoint *p = arena_new(h->arena, Pb__ComparePoint);
		pb__compare_point__init(p);
		p->period = (char *)rows[i].period;
		total = note_reporting(seen, total, rows, i, j);
		p->has_localities_total = p->has_localities_missing = 1;
		p->localities_total = total;
		p->localities_missing = total > n_all ? total - (unsigned)n_all : 0;
		point_fill(p, m, mine, others, n_others, all, n_all);
		point_link(p, prev_value, prev_gap, m->better);
		if (p->has_value)
			prev_value = p;
		if (p->has_gap)
			prev_gap = p;
		if (from == NULL || strcmp(p->period, from) >= 0)
			ARENA_PUSH(h->arena, r->points, r->n_points, cap, p);
		i = j;
	}
	*out = r;
	return OK;
}

/* "2017-09" -> "2017-10" (out holds 16). */
static void month_after(const char *period, char *out)
{
	unsigned y = 0, m = 1;
	sscanf(period, "%4u-%2u", &y, &m);
	/* months since year 0 of the month after: m is 1..12 (checked) */
	unsigned next = y % 10000u * 12u + (m + 11u) % 12u + 1u;
	snprintf(out, 16, "%04u-%02u", next / 12u % 10000u, next % 12u + 1u);
}

int metric_compare_recent(struct hctx *h, const char *metric, const char *locality, const char *to, unsigned months,
			  bool with_gap, const char *as_recorded, Pb__MetricCompareReply **out)
{
	Pb__Metric *m = NULL;
	const char *bound;
	int64_t metric_id, loc_id;
	if (find_metric_locality(h, metric, locality, &m, &metric_id, &loc_id) != OK ||
	    check_period(h, "to", to, false) != OK || metrics_bound(h, as_recorded, &bound) != OK)
		return h->resp->status;
	char after[16];
	month_after(to, after);
	const char *from = recent_month(h, metric_id, loc_id, after, bound, with_gap, months ? months : 1);
	return metric_compare_build(h, metric, locality, from ? from : to, to, as_recorded, out);
}

/* ---------------------------------------------------------------- series */

int metric_series_build(struct hctx *h, const char *metric, const char *locality, const char *from,
			const char *to, const char *as_recorded, Pb__MetricSeriesReply **out)
{
	Pb__Metric *m = NULL;
	const char *bound;
	int64_t metric_id, loc_id;
	if (find_metric_locality(h, metric, locality, &m, &metric_id, &loc_id) != OK ||
	    check_range(h, from, to) != OK || metrics_bound(h, as_recorded, &bound) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT m.period, v.value, v.numerator, v.denominator, v.version, v.recorded_at, v.recorded_by "
		"FROM measurement m " CURRENT_VERSION
		"WHERE m.metric_id = ?2 AND m.locality_id = ?3 AND m.period >= ?4 AND m.period <= ?5 "
		"ORDER BY m.period");
	stmt_text(s, 1, bound);
	stmt_int(s, 2, metric_id);
	stmt_int(s, 3, loc_id);
	stmt_text(s, 4, from ? from : "0000-00");
	stmt_text(s, 5, to ? to : "9999-99");
	Pb__MetricSeriesReply *r = arena_new(h->arena, Pb__MetricSeriesReply);
	pb__metric_series_reply__init(r);
	r->metric = m;
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		Pb__Measurement *x = arena_new(h->arena, Pb__Measurement);
		pb__measurement__init(x);
		x->metric = m->code;
		x->locality = arena_strdup(h->arena, locality);
		x->period = col_text(h->arena, s, 0);
		x->has_value = 1;
		x->value = sqlite3_column_double(s, 1);
		if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
			x->has_numerator = x->has_denominator = 1;
			x->numerator = sqlite3_column_double(s, 2);
			x->denominator = sqlite3_column_double(s, 3);
		}
		x->has_version = 1;
		x->version = sqlite3_column_int64(s, 4);
		x->recorded_at = col_text(h->arena, s, 5);
		x->recorded_by = col_text(h->arena, s, 6);
		ARENA_PUSH(h->arena, r->measurements, r->n_measurements, cap, x);
	}
	sqlite3_reset(s);
	*out = r;
	return OK;
}

/* ---------------------------------------------------------------- audits */

static double pct(uint32_t part, uint32_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

void audit_round_derive(Pb__AuditRound *r)
{
	if (r->required) {
		r->has_compliance_pct = 1;
		r->compliance_pct = pct(r->completed, r->required);
	}
	if (r->completed) {
		r->has_on_time_pct = 1;
		r->on_time_pct = pct(r->on_time, r->completed);
	}
	uint32_t graded = r->outstanding + r->good + r->requires_improvement + r->inadequate;
	if (graded) {
		r->has_good_or_better_pct = 1;
		r->good_or_better_pct = pct(r->outstanding + r->good, graded);
	}
}

int audit_list_build(struct hctx *h, const char *locality, const char *from, const char *to,
		     const char *as_recorded, Pb__AuditListReply **out)
{
	const char *bound;
	int64_t loc_id = 0;
	if (locality != NULL && (loc_id = find_locality(h, locality)) == 0)
		return h->resp->status;
	if (check_range(h, from, to) != OK || metrics_bound(h, as_recorded, &bound) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT l.code, a.period, v.required, v.completed, v.on_time, v.outstanding, v.good,"
		" v.requires_improvement, v.inadequate, v.moderated, v.recorded_at, v.recorded_by "
		"FROM audit_round a JOIN locality l ON l.id = a.locality_id "
		"JOIN audit_version v ON v.audit_id = a.id AND v.version ="
		" (SELECT max(w.version) FROM audit_version w WHERE w.audit_id = a.id AND w.recorded_at <= ?1) "
		"WHERE (?2 = 0 OR a.locality_id = ?2) AND a.period >= ?3 AND a.period <= ?4 "
		"ORDER BY a.period, l.code");
	stmt_text(s, 1, bound);
	stmt_int(s, 2, loc_id);
	stmt_text(s, 3, from ? from : "0000-00");
	stmt_text(s, 4, to ? to : "9999-99");
	Pb__AuditListReply *r = arena_new(h->arena, Pb__AuditListReply);
	pb__audit_list_reply__init(r);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		Pb__AuditRound *a = arena_new(h->arena, Pb__AuditRound);
		pb__audit_round__init(a);
		a->locality = col_text(h->arena, s, 0);
		a->period = col_text(h->arena, s, 1);
		a->has_required = a->has_completed = a->has_on_time = a->has_moderated = 1;
		a->has_outstanding = a->has_good = a->has_requires_improvement = a->has_inadequate = 1;
		a->required = (uint32_t)sqlite3_column_int64(s, 2);
		a->completed = (uint32_t)sqlite3_column_int64(s, 3);
		a->on_time = (uint32_t)sqlite3_column_int64(s, 4);
		a->outstanding = (uint32_t)sqlite3_column_int64(s, 5);
		a->good = (uint32_t)sqlite3_column_int64(s, 6);
		a->requires_improvement = (uint32_t)sqlite3_column_int64(s, 7);
		a->inadequate = (uint32_t)sqlite3_column_int64(s, 8);
		a->moderated = sqlite3_column_int(s, 9) != 0;
		a->recorded_at = col_text(h->arena, s, 10);
		a->recorded_by = col_text(h->arena, s, 11);
		audit_round_derive(a);
		ARENA_PUSH(h->arena, r->rounds, r->n_rounds, cap, a);
	}
	sqlite3_reset(s);
	*out = r;
	return OK;
}
