/* h_metric.c: metric list, define, submit, series, history, compare. The
 * reading and computing is in metrics.c, the storing in metrics_write.c. */
#include "enums.h"
#include "handlers.h"
#include "hutil.h"
#include "metrics.h"
#include "validate.h"

#include <math.h>

int h_metric_list(struct hctx *h)
{
	Pb__MetricListReply *r;
	if (metric_list_build(h, &r) != OK)
		return h->resp->status;
	SET_BODY(h, METRIC_LIST, metric_list, r);
	return OK;
}

static int metric_check(struct hctx *h, const Pb__Metric *m)
{
	if (need_code(h, "code", m->code) != OK || need_text(h, "name", m->name, NAME_MAX_CHARS) != OK ||
	    check_enum(h, "unit", &pb__unit__descriptor, m->has_unit ? (int)m->unit : 0) != OK ||
	    check_enum(h, "better", &pb__better__descriptor, m->has_better ? (int)m->better : 0) != OK ||
	    opt_text(h, "description", m->description, NOTE_MAX) != OK)
		return h->resp->status;
	if ((m->has_target && !isfinite(m->target)) || (m->has_tolerance && !isfinite(m->tolerance)))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "target and tolerance must be finite numbers");
	if ((m->has_target && fabs(m->target) > FIGURE_MAX) || (m->has_tolerance && m->tolerance > FIGURE_MAX))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "target and tolerance must be at most %g in size",
				 FIGURE_MAX);
	if (m->has_target && m->has_unit && m->unit == PB__UNIT__UNIT_PCT && (m->target < 0 || m->target > 100))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "a percentage target must be between 0 and 100");
	if (m->has_tolerance && !m->has_target)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "a tolerance needs a target");
	if (m->has_tolerance && m->tolerance < 0)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "tolerance must not be negative");
	return OK;
}

/* Redefining may change the name, target, tolerance and description; the
 * unit and polarity only while there are no measurements, since the
 * stored figures were given in them. A target or tolerance not given is
 * kept (a redefinition that only renames must not drop the target);
 * clear removes both. */
static int metric_redefine(struct hctx *h, int64_t id, const Pb__Metric *old, const Pb__Metric *m, bool clear)
{
	if (old->unit != m->unit || old->better != m->better) {
		sqlite3_stmt *s = store_stmt(h->st, "SELECT 1 FROM measurement WHERE metric_id = ? LIMIT 1");
		stmt_int(s, 1, id);
		bool used = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_reset(s);
		if (used)
			return hctx_fail(h, PB__STATUS__CONFLICT,
					 "metric '%s' has measurements: its unit and polarity cannot change", m->code);
	}
	sqlite3_stmt *s = store_stmt(h->st,
		"UPDATE metric SET name = ?1, unit = ?2, better = ?3,"
		" target = CASE WHEN ?8 THEN NULL ELSE coalesce(?4, target) END,"
		" tolerance = CASE WHEN ?8 THEN NULL ELSE coalesce(?5, tolerance) END, description = ?6"
		" WHERE id = ?7");
	stmt_text(s, 1, m->name);
	stmt_text(s, 2, enum_name(&pb__unit__descriptor, m->unit));
	stmt_text(s, 3, enum_name(&pb__better__descriptor, m->better));
	if (m->has_target)
		stmt_real(s, 4, m->target);
	if (m->has_tolerance)
		stmt_real(s, 5, m->tolerance);
	stmt_text(s, 6, m->description);
	stmt_int(s, 7, id);
	stmt_int(s, 8, clear);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "redefining the metric");
	return hctx_event(h, "metric", m->code, "redefine", NULL, NULL, "metric %s redefined: %s", m->code, m->name);
}

static int metric_insert(struct hctx *h, const Pb__Metric *m)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO metric(code, name, unit, better, target, tolerance, description) VALUES (?,?,?,?,?,?,?)");
	stmt_text(s, 1, m->code);
	stmt_text(s, 2, m->name);
	stmt_text(s, 3, enum_name(&pb__unit__descriptor, m->unit));
	stmt_text(s, 4, enum_name(&pb__better__descriptor, m->better));
	if (m->has_target)
		stmt_real(s, 5, m->target);
	if (m->has_tolerance)
		stmt_real(s, 6, m->tolerance);
	stmt_text(s, 7, m->description);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "defining the metric");
	return hctx_event(h, "metric", m->code, "define", NULL, NULL, "metric %s defined: %s", m->code, m->name);
}

int h_metric_define(struct hctx *h)
{
	const Pb__Metric *m = h->req->metric_define->metric;
	bool clear = h->req->metric_define->has_clear_target && h->req->metric_define->clear_target;
	if (m == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "metric is required");
	if (metric_check(h, m) != OK)
		return h->resp->status;
	if (clear && (m->has_target || m->has_tolerance))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "clearing the target and giving one do not go together");
	Pb__Metric *old = NULL;
	int64_t id = find_metric(h, m->code, &old);
	/* find_metric set NOT_FOUND for a new code: that is not an error here. */
	h->resp->status = OK;
	h->resp->error_message = NULL;
	if ((id ? metric_redefine(h, id, old, m, clear) : metric_insert(h, m)) != OK)
		return h->resp->status;
	Pb__MetricReply *r = arena_new(h->arena, Pb__MetricReply);
	pb__metric_reply__init(r);
	/* the metric as stored: a kept target is in the answer too */
	if (find_metric(h, m->code, &r->metric) == 0)
		return h->resp->status;
	SET_BODY(h, METRIC, metric, r);
	return OK;
}

int h_metric_submit(struct hctx *h)
{
	Pb__MetricSubmitReply *r = arena_new(h->arena, Pb__MetricSubmitReply);
	pb__metric_submit_reply__init(r);
	if (measurement_store(h, h->req->metric_submit->measurement, r) != OK)
		return h->resp->status;
	SET_BODY(h, METRIC_SUBMIT, metric_submit, r);
	return OK;
}

int h_metric_series(struct hctx *h)
{
	const Pb__MetricSeries *q = h->req->metric_series;
	Pb__MetricSeriesReply *r;
	if (metric_series_build(h, q->metric, q->locality, q->from, q->to, q->as_recorded, &r) != OK)
		return h->resp->status;
	SET_BODY(h, METRIC_SERIES, metric_series, r);
	return OK;
}

int h_metric_compare(struct hctx *h)
{
	const Pb__MetricCompare *q = h->req->metric_compare;
	Pb__MetricCompareReply *r;
	if (metric_compare_build(h, q->metric, q->locality, q->from, q->to, q->as_recorded, &r) != OK)
		return h->resp->status;
	SET_BODY(h, METRIC_COMPARE, metric_compare, r);
	return OK;
}

int h_metric_history(struct hctx *h)
{
	const Pb__MetricHistory *q = h->req->metric_history;
	Pb__Metric *m;
	int64_t metric_id = find_metric(h, q->metric, &m);
	if (metric_id == 0)
		return h->resp->status;
	int64_t loc_id = find_locality(h, q->locality);
	if (loc_id == 0 || check_period(h, "period", q->period, false) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT v.value, v.numerator, v.denominator, v.version, v.recorded_at, v.recorded_by "
		"FROM measurement m JOIN measurement_version v ON v.measurement_id = m.id "
		"WHERE m.metric_id = ? AND m.locality_id = ? AND m.period = ? ORDER BY v.version");
	stmt_int(s, 1, metric_id);
	stmt_int(s, 2, loc_id);
	stmt_text(s, 3, q->period);
	Pb__MetricHistoryReply *r = arena_new(h->arena, Pb__MetricHistoryReply);
	pb__metric_history_reply__init(r);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		Pb__Measurement *x = arena_new(h->arena, Pb__Measurement);
		pb__measurement__init(x);
		x->metric = q->metric;
		x->locality = q->locality;
		x->period = q->period;
		x->has_value = x->has_version = 1;
		x->value = sqlite3_column_double(s, 0);
		if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
			x->has_numerator = x->has_denominator = 1;
			x->numerator = sqlite3_column_double(s, 1);
			x->denominator = sqlite3_column_double(s, 2);
		}
		x->version = sqlite3_column_int64(s, 3);
		x->recorded_at = col_text(h->arena, s, 4);
		x->recorded_by = col_text(h->arena, s, 5);
		ARENA_PUSH(h->arena, r->versions, r->n_versions, cap, x);
	}
	sqlite3_reset(s);
	if (r->n_versions == 0)
		return hctx_fail(h, PB__STATUS__NOT_FOUND, "no %s figure for %s in %s", q->metric, q->locality,
				 q->period);
	SET_BODY(h, METRIC_HISTORY, metric_history, r);
	return OK;
}
