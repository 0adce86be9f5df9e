/* metrics_write.c: storing measurements and audit rounds. Every change
 * adds a version (who, when, the figures) and an event; the parent row
 * keeps the latest version number. */
#include "enums.h"
#include "hutil.h"
#include "metrics.h"
#include "compare.h"

#include <math.h>
#include <string.h>

/* A submitted value may differ from numerator/denominator by rounding to
 * one decimal place (published figures are rounded), no more. */
#define ROUNDING_SLACK 0.05
#define AUDIT_MAX 1000000u

int may_submit_for(struct hctx *h, int64_t locality_id, const char *locality)
{
	if (h->who == NULL)
		return OK;   /* internal callers (tests) */
	if (h->who->role == PB__ROLE__ROLE_ADMIN || h->who->role == PB__ROLE__ROLE_PERFORMANCE)
		return OK;
	if (h->who->role == PB__ROLE__ROLE_LOCALITY && h->who->locality_id == locality_id)
		return OK;
	return hctx_fail(h, PB__STATUS__FORBIDDEN, "%s may not submit figures for locality '%s'",
			 h->who->name, locality);
}

/* The value to store: given, or computed from numerator/denominator,
 * which must agree with a given value. */
static int figure_check(struct hctx *h, const Pb__Metric *m, const Pb__Measurement *in, double *value)
{
	if (in->has_numerator != in->has_denominator)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "numerator and denominator go together");
	if ((in->has_value && !isfinite(in->value)) || (in->has_numerator && !isfinite(in->numerator)) ||
	    (in->has_denominator && !isfinite(in->denominator)))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "figures must be finite numbers");
	if (!in->has_value && !in->has_numerator)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "a value or a numerator and denominator is required");
	if (in->has_numerator) {
		if (m->unit == PB__UNIT__UNIT_COUNT)
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
					 "metric '%s' is a count: it takes a value, not a numerator and denominator", m->code);
		if (in->numerator < 0 || in->denominator <= 0)
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
					 "numerator must be >= 0 and denominator > 0");
		double computed = in->numerator / in->denominator * unit_scale(m->unit);
		if (in->has_value && fabs(in->value - computed) > ROUNDING_SLACK + 1e-9)
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
					 "value %g does not match numerator/denominator (%g)", in->value, computed);
		*value = computed;
	} else {
		*value = in->value;
	}
	if (*value < 0)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "value must not be negative");
	if (*value > FIGURE_MAX || (in->has_numerator && (in->numerator > FIGURE_MAX || in->denominator > FIGURE_MAX)))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "figures must be at most %g", FIGURE_MAX);
	if (m->unit == PB__UNIT__UNIT_PCT && *value > 100)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "metric '%s' is a percentage: the value must be between 0 and 100", m->code);
	if (m->unit == PB__UNIT__UNIT_COUNT && *value != floor(*value))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "metric '%s' is a count: the value must be whole",
				 m->code);
	return OK;
}

static Pb__Measurement *measurement_new(struct hctx *h, const Pb__Measurement *in, sqlite3_stmt *s, int c)
{
	Pb__Measurement *x = arena_new(h->arena, Pb__Measurement);
	pb__measurement__init(x);
	x->metric = arena_strdup(h->arena, in->metric);
	x->locality = arena_strdup(h->arena, in->locality);
	x->period = arena_strdup(h->arena, in->period);
	x->has_value = x->has_version = 1;
	x->value = sqlite3_column_double(s, c);
	if (sqlite3_column_type(s, c + 1) != SQLITE_NULL) {
		x->has_numerator = x->has_denominator = 1;
		x->numerator = sqlite3_column_double(s, c + 1);
		x->denominator = sqlite3_column_double(s, c + 2);
	}
	x->version = sqlite3_column_int64(s, c + 3);
	x->recorded_at = col_text(h->arena, s, c + 4);
	x->recorded_by = col_text(h->arena, s, c + 5);
	return x;
}

static bool same_figure(const Pb__Measurement *old, double value, const Pb__Measurement *in)
{
	if (old->value != value || old->has_numerator != in->has_numerator)
		return false;
	return !in->has_numerator || (old->numerator == in->numerator && old->denominator == in->denominator);
}

/* The current version of a measurement, or NULL. */
static Pb__Measurement *measurement_current(struct hctx *h, const Pb__Measurement *in, int64_t metric_id,
					    int64_t loc_id, int64_t *id)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT m.id, v.value, v.numerator, v.denominator, v.version, v.recorded_at, v.recorded_by "
		"FROM measurement m JOIN measurement_version v ON v.measurement_id = m.id AND v.version = m.version "
		"WHERE m.metric_id = ? AND m.locality_id = ? AND m.period = ?");
	stmt_int(s, 1, metric_id);
	stmt_int(s, 2, loc_id);
	stmt_text(s, 3, in->period);
	Pb__Measurement *x = NULL;
	*id = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		x = measurement_new(h, in, s, 1);
	}
	sqlite3_reset(s);
	return x;
}

static int step(struct hctx *h, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? OK : hctx_db_fail(h, what);
}

/* Insert or bump the parent row; *id and *version are the new version's. */
static int measurement_parent(struct hctx *h, int64_t metric_id, int64_t loc_id, const char *period,
			      int64_t *id, int64_t *version)
{
	sqlite3_stmt *s;
	if (*id) {
		s = store_stmt(h->st, "UPDATE measurement SET version = ? WHERE id = ?");
		stmt_int(s, 1, *version);
		stmt_int(s, 2, *id);
		return step(h, s, "saving the measurement");
	}
	s = store_stmt(h->st, "INSERT INTO measurement(metric_id, locality_id, period, version) VALUES (?,?,?,1)");
	stmt_int(s, 1, metric_id);
	stmt_int(s, 2, loc_id);
	stmt_text(s, 3, period);
	if (step(h, s, "saving the measurement") != OK)
		return h->resp->status;
	*id = sqlite3_last_insert_rowid(store_db(h->st));
	return OK;
}

static Pb__Measurement *stored_copy(struct hctx *h, const Pb__Measurement *in, double value, int64_t version)
{
	Pb__Measurement *x = arena_new(h->arena, Pb__Measurement);
	*x = *in;
	x->has_value = x->has_version = 1;
	x->value = value;
	x->version = version;
	x->recorded_at = (char *)h->now;
	x->recorded_by = h->who ? h->who->name : NULL;
	return x;
}

int measurement_store(struct hctx *h, const Pb__Measurement *in, Pb__MetricSubmitReply *r)
{
	Pb__Metric *m = NULL;
	double value = 0;
	if (in == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "measurement is required");
	int64_t metric_id = find_metric(h, in->metric, &m);
	if (metric_id == 0)
		return h->resp->status;
	int64_t loc_id = find_locality(h, in->locality);
	if (loc_id == 0 || check_period(h, "period", in->period, false) != OK ||
	    may_submit_for(h, loc_id, in->locality) != OK || figure_check(h, m, in, &value) != OK)
		return h->resp->status;
	int64_t id;
	Pb__Measurement *old = measurement_current(h, in, metric_id, loc_id, &id);
	if (old && same_figure(old, value, in)) {
		if (r)
			r->measurement = old;   /* has_replaced stays 0: nothing stored */
		return OK;
	}
	int64_t version = old ? old->version + 1 : 1;
	if (measurement_parent(h, metric_id, loc_id, in->period, &id, &version) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO measurement_version(measurement_id, version, value, numerator, denominator,"
		" recorded_at, recorded_by) VALUES (?,?,?,?,?,?,?)");
	stmt_int(s, 1, id);
	stmt_int(s, 2, version);
	stmt_real(s, 3, value);
	if (in->has_numerator) {
		stmt_real(s, 4, in->numerator);
		stmt_real(s, 5, in->denominator);
	}
	stmt_text(s, 6, h->now);
	stmt_text(s, 7, h->who ? h->who->name : "system");
	if (step(h, s, "saving the measurement") != OK)
		return h->resp->status;
	const char *ref = arena_printf(h->arena, "%s/%s/%s", in->metric, in->locality, in->period);
	int rc = old ? hctx_event(h, "measurement", ref, "resubmit", NULL, in->locality, "%s %s %s: %g -> %g",
				  in->metric, in->locality, in->period, old->value, value)
		     : hctx_event(h, "measurement", ref, "submit", NULL, in->locality, "%s %s %s: %g", in->metric,
				  in->locality, in->period, value);
	if (rc != OK)
		return rc;
	if (r) {
		r->measurement = stored_copy(h, in, value, version);
		r->has_replaced = 1;
		r->replaced = old != NULL;
		r->previous = old;
	}
	return OK;
}

/* ---------------------------------------------------------------- audits */

static int audit_check(struct hctx *h, const Pb__AuditRound *a)
{
	if (!a->has_required || !a->has_completed || !a->has_on_time)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "required, completed and on_time are required");
	if (a->required > AUDIT_MAX || a->completed > AUDIT_MAX)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "audit counts must be at most %u", AUDIT_MAX);
	if (a->completed > a->required)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "completed (%u) exceeds required (%u)",
				 a->completed, a->required);
	if (a->on_time > a->completed)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "on_time (%u) exceeds completed (%u)",
				 a->on_time, a->completed);
	uint64_t graded = (uint64_t)a->outstanding + a->good + a->requires_improvement + a->inadequate;
	if (graded > a->completed)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%llu audits graded but only %u completed",
				 (unsigned long long)graded, a->completed);
	return OK;
}

static int audit_parent(struct hctx *h, int64_t loc_id, const char *period, int64_t *id, int64_t *version)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT id, version FROM audit_round WHERE locality_id = ? AND period = ?");
	stmt_int(s, 1, loc_id);
	stmt_text(s, 2, period);
	*id = 0;
	*version = 1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*version = sqlite3_column_int64(s, 1) + 1;
	}
	sqlite3_reset(s);
	if (*id) {
		s = store_stmt(h->st, "UPDATE audit_round SET version = ? WHERE id = ?");
		stmt_int(s, 1, *version);
		stmt_int(s, 2, *id);
		return step(h, s, "saving the audit round");
	}
	s = store_stmt(h->st, "INSERT INTO audit_round(locality_id, period, version) VALUES (?,?,1)");
	stmt_int(s, 1, loc_id);
	stmt_text(s, 2, period);
	if (step(h, s, "saving the audit round") != OK)
		return h->resp->status;
	*id = sqlite3_last_insert_rowid(store_db(h->st));
	return OK;
}

/* The same round again (e.g. a re-run import) adds no version. */
static bool audit_unchanged(struct hctx *h, int64_t loc_id, const Pb__AuditRound *a)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT v.required = ?3 AND v.completed = ?4 AND v.on_time = ?5 AND v.outstanding = ?6"
		" AND v.good = ?7 AND v.requires_improvement = ?8 AND v.inadequate = ?9 AND v.moderated = ?10"
		" FROM audit_round r JOIN audit_version v ON v.audit_id = r.id AND v.version = r.version"
		" WHERE r.locality_id = ?1 AND r.period = ?2");
	stmt_int(s, 1, loc_id);
	stmt_text(s, 2, a->period);
	int64_t v[] = { a->required, a->completed, a->on_time, a->outstanding, a->good, a->requires_improvement,
			a->inadequate, a->moderated ? 1 : 0 };
	for (int i = 0; i < 8; i++)
		stmt_int(s, 3 + i, v[i]);
	bool same = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 1;
	sqlite3_reset(s);
	return same;
}

/* Add version `version` of audit round `id` and its event. */
static int audit_insert(struct hctx *h, int64_t id, int64_t version, const Pb__AuditRound *a)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO audit_version(audit_id, version, required, completed, on_time, outstanding, good,"
		" requires_improvement, inadequate, moderated, recorded_at, recorded_by)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
	stmt_int(s, 1, id);
	stmt_int(s, 2, version);
	stmt_int(s, 3, a->required);
	stmt_int(s, 4, a->completed);
	stmt_int(s, 5, a->on_time);
	stmt_int(s, 6, a->outstanding);
	stmt_int(s, 7, a->good);
	stmt_int(s, 8, a->requires_improvement);
	stmt_int(s, 9, a->inadequate);
	stmt_int(s, 10, a->moderated ? 1 : 0);
	stmt_text(s, 11, h->now);
	stmt_text(s, 12, h->who ? h->who->name : "system");
	if (step(h, s, "saving the audit round") != OK)
		return h->resp->status;
	const char *ref = arena_printf(h->arena, "%s/%s", a->locality, a->period);
	if (hctx_event(h, "audit", ref, version > 1 ? "resubmit" : "submit", NULL, a->locality,
		       "audits %s %s: %u of %u completed, %u on time", a->locality, a->period, a->completed,
		       a->required, a->on_time) != OK)
		return h->resp->status;
	return OK;
}

int audit_store(struct hctx *h, const Pb__AuditRound *a, Pb__AuditRound **stored)
{
	if (a == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "round is required");
	int64_t loc_id = find_locality(h, a->locality), id, version = 0;
	if (loc_id == 0 || check_period(h, "period", a->period, false) != OK ||
	    may_submit_for(h, loc_id, a->locality) != OK || audit_check(h, a) != OK)
		return h->resp->status;
	bool same = audit_unchanged(h, loc_id, a);
	if (!same && audit_parent(h, loc_id, a->period, &id, &version) != OK)
		return h->resp->status;
	if (!same && audit_insert(h, id, version, a) != OK)
		return h->resp->status;
	if (stored) {
		Pb__AuditRound *x = arena_new(h->arena, Pb__AuditRound);
		*x = *a;
		x->has_outstanding = x->has_good = x->has_requires_improvement = x->has_inadequate = 1;
		x->has_moderated = 1;
		x->recorded_at = (char *)h->now;
		x->recorded_by = h->who ? h->who->name : NULL;
		audit_round_derive(x);
		*stored = x;
	}
	return OK;
}
