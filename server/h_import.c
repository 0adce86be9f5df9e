/* h_import.c: CSV import (measurements, audits, actions, DfE workforce
 * statistics) and export in the same columns.
 *
 * The whole file arrives in one request and is applied inside that
 * request's savepoint, each row in a nested one. If any row is bad and
 * --partial was not asked for, the handler fails and dispatch rolls the
 * request back: all or nothing. A dry run does all the work and then
 * rolls back to the request's savepoint itself. */
#include "enums.h"
#include "handlers.h"
#include "hutil.h"
#include "import.h"
#include "metrics.h"
#include "validate.h"

#include <csv.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- rows */

void import_bad(struct import *im, unsigned line, const char *fmt, ...)
{
	Pb__ImportReply *r = im->r;
	r->bad++;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	im->error_bytes += strlen(msg) + 16;   /* the reason and its framing */
	if (im->error_bytes > IMPORT_ERROR_BYTES) {
		r->has_errors_omitted = 1;
		r->errors_omitted++;
		return;
	}
	Pb__RowError *e = arena_new(im->h->arena, Pb__RowError);
	pb__row_error__init(e);
	e->has_line = 1;
	e->line = line;
	e->reason = arena_strdup(im->h->arena, msg);
	ARENA_PUSH(im->h->arena, r->errors, r->n_errors, im->errors_cap, e);
}

bool import_row(struct import *im, unsigned line, int (*fn)(struct hctx *, const void *), const void *arg)
{
	struct hctx *h = im->h;
	store_exec(h->st, "SAVEPOINT import_row");
	if (fn(h, arg) == OK) {
		store_exec(h->st, "RELEASE import_row");
		return true;
	}
	store_exec(h->st, "ROLLBACK TO import_row");
	store_exec(h->st, "RELEASE import_row");
	import_bad(im, line, "%s", h->resp->error_message ? h->resp->error_message : "rejected");
	h->resp->status = OK;
	h->resp->error_message = NULL;
	return false;
}

int import_number(const char *s, double *v, bool *has)
{
	*has = false;
	if (s == NULL || *s == '\0')
		return 0;
	char *end;
	*v = strtod(s, &end);
	if (*end != '\0' || !isfinite(*v))
		return -1;
	*has = true;
	return 0;
}

bool import_is_marker(const char *s)
{
	static const char *const markers[] = { "x", "z", "u", "c", "low" };
	for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++)
		if (strcasecmp(s, markers[i]) == 0)
			return true;
	return false;
}

/* Columns a kind reads: required ones first, then optional. Any other
 * column is refused, so a misspelt optional column is not silently
 * ignored. */
struct columns {
	const char *const *names;
	size_t n, required;
	int idx[16];
};

static int map_columns(struct import *im, struct columns *c)
{
	for (size_t i = 0; i < c->n; i++) {
		c->idx[i] = csv_column(im->doc, c->names[i]);
		if (c->idx[i] < 0 && i < c->required)
			return hctx_fail(im->h, PB__STATUS__INVALID_ARGUMENT, "line 1: the column '%s' is missing", c->names[i]);
	}
	for (size_t k = 0; k < im->doc->ncols; k++) {
		bool known = false;
		for (size_t i = 0; i < c->n && !known; i++)
			known = c->idx[i] == (int)k;
		if (!known)
			return hctx_fail(im->h, PB__STATUS__INVALID_ARGUMENT, "line 1: unknown column '%s'",
					 im->doc->header[k]);
	}
	return OK;
}

/* A row's field by column number in `c`, NULL if absent or empty. */
static const char *field(const struct columns *c, const struct csv_row *row, size_t i)
{
	if (c->idx[i] < 0)
		return NULL;
	const char *s = row->f[c->idx[i]];
	return *s ? s : NULL;
}

/* ---------------------------------------------------------------- measurements */

static const char *const measurement_cols[] = { "metric", "locality", "period", "value", "numerator", "denominator" };

struct measurement_row {
	struct import *im;
	Pb__Measurement m;
};

static int apply_measurement(struct hctx *h, const void *arg)
{
	const struct measurement_row *row = arg;
	Pb__MetricSubmitReply r = PB__METRIC_SUBMIT_REPLY__INIT;
	if (measurement_store(h, &row->m, &r) != OK)
		return h->resp->status;
	if (r.has_replaced)
		row->im->r->measurements++;
	else
		row->im->r->unchanged++;
	return OK;
}

/* A number field: false with a bad row if it is not one. */
static bool row_number(struct import *im, const struct csv_row *row, const char *name, const char *s,
		       double *v, protobuf_c_boolean *has)
{
	bool present;
	if (s && import_is_marker(s)) {
		import_bad(im, row->line, "%s is the statistical marker '%s', not a number", name, s);
		return false;
	}
	if (import_number(s, v, &present) != 0) {
		import_bad(im, row->line, "%s '%s' is not a number", name, s);
		return false;
	}
	*has = present;
	return true;
}

static int import_measurements(struct import *im)
{
	struct columns c = { measurement_cols, 6, 3, { 0 } };
	if (map_columns(im, &c) != OK)
		return im->h->resp->status;
	if (c.idx[3] < 0 && (c.idx[4] < 0 || c.idx[5] < 0))
		return hctx_fail(im->h, PB__STATUS__INVALID_ARGUMENT,
				 "line 1: a 'value' column, or 'numerator' and 'denominator', is required");
	for (size_t i = 0; i < im->doc->nrows; i++) {
		const struct csv_row *row = &im->doc->rows[i];
		if (row->error) {
			import_bad(im, row->line, "%s", row->error);
			continue;
		}
		struct measurement_row mr = { .im = im, .m = PB__MEASUREMENT__INIT };
		Pb__Measurement m = PB__MEASUREMENT__INIT;
		m.metric = (char *)field(&c, row, 0);
		m.locality = (char *)field(&c, row, 1);
		m.period = (char *)field(&c, row, 2);
		if (!row_number(im, row, "value", field(&c, row, 3), &m.value, &m.has_value) ||
		    !row_number(im, row, "numerator", field(&c, row, 4), &m.numerator, &m.has_numerator) ||
		    !row_number(im, row, "denominator", field(&c, row, 5), &m.denominator, &m.has_denominator))
			continue;
		mr.m = m;
		if (import_row(im, row->line, apply_measurement, &mr))
			im->r->applied++;
	}
	return OK;
}

/* ---------------------------------------------------------------- audits */

static const char *const audit_cols[] = { "locality", "period", "required", "completed", "on_time", "outstanding",
					  "good", "requires_improvement", "inadequate", "moderated" };

static int apply_audit(struct hctx *h, const void *arg)
{
	return audit_store(h, arg, NULL);
}

static bool row_count(struct import *im, const struct csv_row *row, const char *name, const char *s, uint32_t *v,
		      protobuf_c_boolean *has)
{
	double d;
	protobuf_c_boolean present;
	if (!row_number(im, row, name, s, &d, &present))
		return false;
	if (present && (d < 0 || d > 1000000 || d != floor(d))) {
		import_bad(im, row->line, "%s '%s' is not a whole number from 0 to 1000000", name, s);
		return false;
	}
	*v = present ? (uint32_t)d : 0;
	*has = present;
	return true;
}

static bool row_bool(struct import *im, const struct csv_row *row, const char *s, protobuf_c_boolean *v)
{
	static const char *const yes[] = { "yes", "true", "1", "y" }, *const no[] = { "no", "false", "0", "n" };
	*v = 0;
	if (s == NULL)
		return true;
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return (*v = 1), true;
		if (strcasecmp(s, no[i]) == 0)
			return true;
	}
	import_bad(im, row->line, "moderated '%s' is not yes or no", s);
	return false;
}

static int import_audits(struct import *im)
{
	struct columns c = { audit_cols, 10, 5, { 0 } };
	if (map_columns(im, &c) != OK)
		return im->h->resp->status;
	for (size_t i = 0; i < im->doc->nrows; i++) {
		const struct csv_row *row = &im->doc->rows[i];
		if (row->error) {
			import_bad(im, row->line, "%s", row->error);
			continue;
		}
		Pb__AuditRound a = PB__AUDIT_ROUND__INIT;
		a.locality = (char *)field(&c, row, 0);
		a.period = (char *)field(&c, row, 1);
		uint32_t *counts[] = { &a.required, &a.completed, &a.on_time, &a.outstanding, &a.good,
				       &a.requires_improvement, &a.inadequate };
		protobuf_c_boolean *has[] = { &a.has_required, &a.has_completed, &a.has_on_time, &a.has_outstanding,
					      &a.has_good, &a.has_requires_improvement, &a.has_inadequate };
		bool ok = true;
		for (size_t k = 0; k < 7 && ok; k++)
			ok = row_count(im, row, audit_cols[k + 2], field(&c, row, k + 2), counts[k], has[k]);
		if (!ok || !row_bool(im, row, field(&c, row, 9), &a.moderated))
			continue;
		if (import_row(im, row->line, apply_audit, &a))
			im->r->applied++;
	}
	return OK;
}

/* ---------------------------------------------------------------- actions */

static const char *const action_cols[] = { "plan", "ref", "theme", "title", "description", "owner", "locality",
					   "assigned_to", "source", "due_date", "status", "rag" };

/* Run h_action_add on a request of our own: the same checks, events and
 * versions as 'planboard action add'. */
static int apply_action(struct hctx *h, const void *arg)
{
	Pb__ActionAdd add = PB__ACTION_ADD__INIT;
	add.action = (Pb__Action *)arg;
	Pb__Request req = *h->req;
	req.body_case = PB__REQUEST__BODY_ACTION_ADD;
	req.action_add = &add;
	Pb__Response resp = PB__RESPONSE__INIT;
	resp.has_status = 1;
	struct hctx sub = *h;
	sub.req = &req;
	sub.resp = &resp;
	int rc = h_action_add(&sub);
	if (rc != OK)
		return hctx_fail(h, rc, "%s", resp.error_message ? resp.error_message : "rejected");
	return OK;
}

static bool row_enum(struct import *im, const struct csv_row *row, const char *name, const char *s,
		     const ProtobufCEnumDescriptor *d, int *v, protobuf_c_boolean *has)
{
	*has = 0;
	if (s == NULL)
		return true;
	int x = enum_value(d, s);
	if (x < 0) {
		import_bad(im, row->line, "%s '%s' is not one of %s", name, s, enum_choices(d));
		return false;
	}
	*v = x;
	*has = 1;
	return true;
}

static int import_actions(struct import *im)
{
	if (im->h->who && im->h->who->role != PB__ROLE__ROLE_ADMIN)
		return hctx_fail(im->h, PB__STATUS__FORBIDDEN, "only admins may import actions");
	struct columns c = { action_cols, 12, 4, { 0 } };
	if (map_columns(im, &c) != OK)
		return im->h->resp->status;
	for (size_t i = 0; i < im->doc->nrows; i++) {
		const struct csv_row *row = &im->doc->rows[i];
		if (row->error) {
			import_bad(im, row->line, "%s", row->error);
			continue;
		}
		Pb__Action a = PB__ACTION__INIT;
		char **text[] = { &a.plan, &a.ref, &a.theme, &a.title, &a.description, &a.owner, &a.locality,
				  &a.assigned_to, NULL, &a.due_date };
		for (size_t k = 0; k < 10; k++)
			if (text[k])
				*text[k] = (char *)field(&c, row, k);
		int src = 0, status = 0, rag = 0;
		if (!row_enum(im, row, "source", field(&c, row, 8), &pb__source__descriptor, &src, &a.has_source) ||
		    !row_enum(im, row, "status", field(&c, row, 10), &pb__action_status__descriptor, &status, &a.has_status) ||
		    !row_enum(im, row, "rag", field(&c, row, 11), &pb__rag__descriptor, &rag, &a.has_rag))
			continue;
		a.source = src, a.status = status, a.rag = rag;
		if (import_row(im, row->line, apply_action, &a))
			im->r->applied++;
	}
	return OK;
}

/* ---------------------------------------------------------------- handler */

static int check_import(struct hctx *h, const Pb__ImportRequest *q)
{
	if (check_enum(h, "kind", &pb__import_kind__descriptor, q->has_kind ? (int)q->kind : 0) != OK ||
	    opt_text(h, "region", q->region, NAME_MAX_CHARS) != OK)
		return h->resp->status;
	if (q->kind == PB__IMPORT_KIND__IMPORT_KIND_DFE_CSWW && h->who && h->who->role != PB__ROLE__ROLE_ADMIN)
		return hctx_fail(h, PB__STATUS__FORBIDDEN, "only admins may import the DfE statistics (it adds localities)");
	if (q->region && q->kind != PB__IMPORT_KIND__IMPORT_KIND_DFE_CSWW)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "region applies only to the dfe-csww kind");
	if (!q->has_csv || q->csv.len == 0)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "the CSV is empty");
	return OK;
}

int h_import(struct hctx *h)
{
	const Pb__ImportRequest *q = h->req->import;
	if (check_import(h, q) != OK)
		return h->resp->status;
	struct csv_doc doc;
	const char *err;
	if (csv_read(h->arena, q->csv.data, q->csv.len, &doc, &err) != 0)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s", err);
	Pb__ImportReply *r = arena_new(h->arena, Pb__ImportReply);
	pb__import_reply__init(r);
	r->has_rows = r->has_applied = r->has_bad = r->has_dry_run = r->has_measurements = 1;
	r->has_markers_skipped = r->has_localities_created = r->has_skipped = r->has_unchanged = 1;
	r->rows = (uint32_t)doc.nrows;
	r->dry_run = q->dry_run;
	struct import im = { .h = h, .doc = &doc, .r = r };
	int rc = q->kind == PB__IMPORT_KIND__IMPORT_KIND_MEASUREMENTS ? import_measurements(&im)
		 : q->kind == PB__IMPORT_KIND__IMPORT_KIND_AUDITS     ? import_audits(&im)
		 : q->kind == PB__IMPORT_KIND__IMPORT_KIND_ACTIONS    ? import_actions(&im)
								      : import_dfe(&im, q->region);
	if (rc != OK)
		return rc;
	SET_BODY(h, IMPORT, import, r);
	if (r->bad && !q->partial)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%u of %u row%s %s bad: nothing %s imported", r->bad,
				 r->rows, r->rows == 1 ? "" : "s", r->bad == 1 ? "is" : "are",
				 q->dry_run ? "would be" : "was");
	if (q->dry_run) {
		store_exec(h->st, "ROLLBACK TO req");   /* the request's savepoint: undo it all */
		return OK;
	}
	return hctx_event(h, "import", q->file_name, enum_name(&pb__import_kind__descriptor, q->kind), NULL, NULL,
			  "imported %u of %u rows (%u bad)", r->applied, r->rows, r->bad);
}

/* ---------------------------------------------------------------- export */

/* What fits in a 1 MiB reply frame with the response around it. */
#define EXPORT_MAX (1024 * 1024 - 4096)

static void csv_put(struct buf *b, const char *s, bool first)
{
	if (!first)
		buf_append(b, ",", 1);
	if (s == NULL)
		return;
	size_t len = strlen(s), need = len * 2 + 2;
	buf_reserve(b, need);
	b->len += csv_write(b->data + b->len, need, s, len);
}

static const char *num_text(struct hctx *h, sqlite3_stmt *s, int c)
{
	if (sqlite3_column_type(s, c) == SQLITE_NULL)
		return NULL;
	return arena_printf(h->arena, "%.15g", sqlite3_column_double(s, c));
}

static void csv_line(struct buf *b, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		csv_put(b, v[i], i == 0);
	buf_append(b, "\r\n", 2);
}

static int export_measurements(struct hctx *h, const Pb__ExportRequest *q, struct buf *b)
{
	int64_t metric_id = 0, loc_id = 0;
	Pb__Metric *m;
	if ((q->metric && (metric_id = find_metric(h, q->metric, &m)) == 0) ||
	    (q->locality && (loc_id = find_locality(h, q->locality)) == 0))
		return h->resp->status;
	csv_line(b, measurement_cols, 6);
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT x.code, l.code, m.period, v.value, v.numerator, v.denominator FROM measurement m"
		" JOIN metric x ON x.id = m.metric_id JOIN locality l ON l.id = m.locality_id"
		" JOIN measurement_version v ON v.measurement_id = m.id AND v.version = m.version"
		" WHERE (?1 = 0 OR m.metric_id = ?1) AND (?2 = 0 OR m.locality_id = ?2)"
		" ORDER BY x.code, l.code, m.period");
	stmt_int(s, 1, metric_id);
	stmt_int(s, 2, loc_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *v[6];
		for (int i = 0; i < 3; i++)
			v[i] = (const char *)sqlite3_column_text(s, i);
		for (int i = 3; i < 6; i++)
			v[i] = num_text(h, s, i);
		csv_line(b, v, 6);
	}
	sqlite3_reset(s);
	return OK;
}

static int export_audits(struct hctx *h, const Pb__ExportRequest *q, struct buf *b)
{
	Pb__AuditListReply *r;
	if (audit_list_build(h, q->locality, NULL, NULL, NULL, &r) != OK)
		return h->resp->status;
	csv_line(b, audit_cols, 10);
	for (size_t i = 0; i < r->n_rounds; i++) {
		Pb__AuditRound *a = r->rounds[i];
		const char *v[10] = { a->locality, a->period };
		uint32_t n[] = { a->required, a->completed, a->on_time, a->outstanding, a->good,
				 a->requires_improvement, a->inadequate };
		for (int k = 0; k < 7; k++)
			v[k + 2] = arena_printf(h->arena, "%u", n[k]);
		v[9] = a->moderated ? "yes" : "no";
		csv_line(b, v, 10);
	}
	return OK;
}

static int export_actions(struct hctx *h, const Pb__ExportRequest *q, struct buf *b)
{
	int64_t plan_id = 0;
	if (q->plan && (plan_id = find_plan(h, q->plan)) == 0)
		return h->resp->status;
	csv_line(b, action_cols, 12);
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT p.code, a.ref, t.code, a.title, a.description, a.owner, l.code, al.code, a.source,"
		" a.due_date, a.status, a.rag FROM action a JOIN plan p ON p.id = a.plan_id"
		" JOIN theme t ON t.id = a.theme_id LEFT JOIN locality l ON l.id = a.locality_id"
		" LEFT JOIN locality al ON al.id = a.assigned_locality_id"
		" WHERE (?1 = 0 OR a.plan_id = ?1) ORDER BY p.code, t.position, a.id");
	stmt_int(s, 1, plan_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *v[12];
		for (int i = 0; i < 12; i++)
			v[i] = (const char *)sqlite3_column_text(s, i);
		csv_line(b, v, 12);
	}
	sqlite3_reset(s);
	return OK;
}

int h_export(struct hctx *h)
{
	const Pb__ExportRequest *q = h->req->export;
	if (check_enum(h, "kind", &pb__import_kind__descriptor, q->has_kind ? (int)q->kind : 0) != OK)
		return h->resp->status;
	struct buf b = { 0 };
	int rc = q->kind == PB__IMPORT_KIND__IMPORT_KIND_MEASUREMENTS ? export_measurements(h, q, &b)
		 : q->kind == PB__IMPORT_KIND__IMPORT_KIND_AUDITS     ? export_audits(h, q, &b)
		 : q->kind == PB__IMPORT_KIND__IMPORT_KIND_ACTIONS    ? export_actions(h, q, &b)
		 : hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "the dfe-csww kind is import only");
	if (rc == OK && b.len > EXPORT_MAX)
		rc = hctx_fail(h, PB__STATUS__RESOURCE_EXHAUSTED,
			       "the export is larger than one reply (%zu bytes): filter it by metric, locality or plan", b.len);
	if (rc != OK) {
		buf_free(&b);
		return rc;
	}
	Pb__ExportReply *r = arena_new(h->arena, Pb__ExportReply);
	pb__export_reply__init(r);
	r->has_csv = 1;
	r->csv.len = b.len;
	r->csv.data = arena_alloc(h->arena, b.len + 1);
	if (b.len)
		memcpy(r->csv.data, b.data, b.len);
	buf_free(&b);
	SET_BODY(h, EXPORT, export, r);
	return OK;
}
