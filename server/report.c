/* report.c: compute the report's figures into one JSON document: plan and
 * period, progress by theme, risks, the board, meetings and reviews, and
 * (report_metrics.c) the metric and audit sections; then what needs the
 * committee's attention. Everything is read as recorded by the bound, so
 * a past report can be reproduced exactly. */
#include "enums.h"
#include "governance.h"
#include "hutil.h"
#include "pbjson.h"
#include "report.h"

#include <stdio.h>
#include <string.h>

const char *date_words(const char *date, char *out, size_t len)
{
	static const char *const months[] = { "January", "February", "March", "April", "May", "June", "July",
					      "August", "September", "October", "November", "December" };
	int y, m, d;
	if (date == NULL || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
		snprintf(out, len, "%s", date ? date : "-");
	else
		snprintf(out, len, "%d %s %d", d, months[m - 1], y);
	return out;
}

const char *code_words(const char *code, char *out)
{
	if (code == NULL)
		return NULL;
	snprintf(out, 32, "%s", code);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
	return out;
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *plan_json(struct hctx *h, const struct report_args *args)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT p.code, p.title, l.code, l.name, p.start_date, p.end_date"
		" FROM plan p LEFT JOIN locality l ON l.id = p.locality_id WHERE p.id = ?");
	stmt_int(s, 1, args->plan_id);
	json_t *o = json_object();
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *keys[] = { "code", "title", "locality", "locality_name", "start_date", "end_date" };
		for (int i = 0; i < 6; i++)
			json_object_set_new(o, keys[i], jstr((const char *)sqlite3_column_text(s, i)));
	}
	sqlite3_reset(s);
	return o;
}

/* The period the report covers: plan start (or the as-of year's start)
 * to the as-of date, but not past the plan's end. */
static json_t *period_json(const json_t *plan, const char *as_of)
{
	const char *start = json_string_value(json_object_get(plan, "start_date"));
	const char *end = json_string_value(json_object_get(plan, "end_date"));
	char from[11], to[11];
	snprintf(to, sizeof to, "%s", end && strcmp(end, as_of) < 0 ? end : as_of);
	if (start && strcmp(start, to) <= 0)
		snprintf(from, sizeof from, "%s", start);
	else
		snprintf(from, sizeof from, "%.4s-01-01", to);
	json_t *o = json_object();
	json_object_set_new(o, "from", json_string(from));
	json_object_set_new(o, "to", json_string(to));
	char p[8];
	snprintf(p, sizeof p, "%.7s", from);
	json_object_set_new(o, "from_period", json_string(p));
	snprintf(p, sizeof p, "%.7s", to);
	json_object_set_new(o, "to_period", json_string(p));
	return o;
}

/* ---------------------------------------------------------------- actions */

#define REPORT_ACTION_COLS                                                              \
	"SELECT t.code, a.ref, x.title, x.owner, x.due_date, x.status, x.rag, l.code"  \
	" FROM action a"
#define REPORT_ACTION_TAIL                                                              \
	" JOIN theme t ON t.id = x.theme_id LEFT JOIN locality l ON l.id = coalesce(x.locality_id,"   \
	" x.assigned_locality_id) WHERE a.plan_id = ?2 ORDER BY t.position, a.ref"

static json_t *counts(const ProtobufCEnumDescriptor *d)
{
	json_t *o = json_object();
	for (unsigned i = 1; i < d->n_values; i++)
		json_object_set_new(o, enum_name(d, d->values[i].value), json_integer(0));
	return o;
}

static void bump(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (v)
		json_integer_set(v, json_integer_value(v) + 1);
}

static json_t *theme_entry(const char *code, const char *title)
{
	json_t *t = json_object();
	json_object_set_new(t, "code", json_string(code));
	json_object_set_new(t, "title", json_string(title));
	json_object_set_new(t, "actions", json_integer(0));
	json_object_set_new(t, "by_status", counts(&pb__action_status__descriptor));
	json_object_set_new(t, "by_rag", counts(&pb__rag__descriptor));
	json_object_set_new(t, "overdue", json_array());
	json_object_set_new(t, "red", json_array());
	return t;
}

static json_t *themes_json(struct hctx *h, int64_t plan_id)
{
	json_t *arr = json_array();
	sqlite3_stmt *s = store_stmt(h->st, "SELECT code, title FROM theme WHERE plan_id = ? ORDER BY position, code");
	stmt_int(s, 1, plan_id);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(arr, theme_entry((const char *)sqlite3_column_text(s, 0),
						       (const char *)sqlite3_column_text(s, 1)));
	sqlite3_reset(s);
	return arr;
}

static json_t *find_theme_json(json_t *themes, const char *code)
{
	size_t i;
	json_t *t;
	json_array_foreach(themes, i, t)
		if (strcmp(json_string_value(json_object_get(t, "code")), code) == 0)
			return t;
	return NULL;
}

static json_t *action_json(sqlite3_stmt *s, bool overdue)
{
	json_t *a = json_object();
	const char *keys[] = { "theme", "ref", "title", "owner", "due_date", "status", "rag", "locality" };
	for (int i = 0; i < 8; i++)
		json_object_set_new(a, keys[i], jstr((const char *)sqlite3_column_text(s, i)));
	json_object_set_new(a, "overdue", json_boolean(overdue));
	return a;
}

/* Count one action into its theme and the plan's totals. */
static void tally_action(json_t *theme, json_t *totals, json_t *attention, sqlite3_stmt *s, const char *as_of)
{
	const char *due = (const char *)sqlite3_column_text(s, 4);
	const char *status = (const char *)sqlite3_column_text(s, 5);
	const char *rag = (const char *)sqlite3_column_text(s, 6);
	bool overdue = due && strcmp(due, as_of) < 0 && strcmp(status, "completed") != 0;
	json_t *targets[2] = { theme, totals };
	for (int i = 0; i < 2; i++) {
		json_object_set_new(targets[i], "actions",
				    json_integer(json_integer_value(json_object_get(targets[i], "actions")) + 1));
		bump(json_object_get(targets[i], "by_status"), status);
		bump(json_object_get(targets[i], "by_rag"), rag);
	}
	bool red = strcmp(rag, "red") == 0;
	/* per theme the refs only: attention.actions has each one in full */
	const char *ref = (const char *)sqlite3_column_text(s, 1);
	if (overdue) {
		json_array_append_new(json_object_get(theme, "overdue"), json_string(ref));
		bump(totals, "overdue");
	}
	if (red)
		json_array_append_new(json_object_get(theme, "red"), json_string(ref));
	if (red || overdue)
		json_array_append_new(attention, action_json(s, overdue));
}

static int progress_json(struct hctx *h, const struct report_args *args, json_t *doc)
{
	json_t *themes = themes_json(h, args->plan_id);
	json_t *totals = theme_entry("all", "All themes");
	json_object_del(totals, "overdue");
	json_object_del(totals, "red");
	json_object_set_new(totals, "overdue", json_integer(0));
	json_t *attention = json_array();
	sqlite3_stmt *s;
	if (args->bound) {
		s = store_stmt(h->st, REPORT_ACTION_COLS " JOIN action_version x ON x.id = " VERSION_AS_RECORDED("a")
			REPORT_ACTION_TAIL);
		stmt_text(s, 1, args->bound);
	} else {
		s = store_stmt(h->st, REPORT_ACTION_COLS " JOIN action x ON x.id = a.id" REPORT_ACTION_TAIL);
	}
	stmt_int(s, 2, args->plan_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		json_t *t = find_theme_json(themes, (const char *)sqlite3_column_text(s, 0));
		if (t)
			tally_action(t, totals, attention, s, args->as_of);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(themes);
		json_decref(totals);
		json_decref(attention);
		return hctx_db_fail(h, "reading the plan's actions");
	}
	json_object_set_new(doc, "themes", themes);
	json_object_set_new(doc, "totals", totals);
	json_object_set_new(json_object_get(doc, "attention"), "actions", attention);
	return OK;
}

/* ---------------------------------------------------------------- risks */

static int risks_json(struct hctx *h, const struct report_args *args, json_t *doc)
{
	Pb__Risk **risks;
	size_t n;
	if (risk_list_build(h, args->plan_id, args->bound, &risks, &n) != OK)
		return h->resp->status;
	json_t *all = json_array(), *attention = json_array();
	json_t *bands = counts(&pb__band__descriptor);
	unsigned open = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *r = pbjson_from_message(&risks[i]->base);
		json_array_append(all, r);
		bool live = risks[i]->status != PB__RISK_STATUS__RISK_STATUS_CLOSED;
		if (live) {
			open++;
			bump(bands, enum_name(&pb__band__descriptor, risks[i]->band));
		}
		if (live && (risks[i]->band == PB__BAND__BAND_HIGH || risks[i]->escalated))
			json_array_append(attention, r);
		json_decref(r);
	}
	json_t *summary = json_object();
	json_object_set_new(summary, "total", json_integer((json_int_t)n));
	json_object_set_new(summary, "open", json_integer(open));
	json_object_set_new(summary, "open_by_band", bands);
	json_object_set_new(doc, "risks", all);
	json_object_set_new(doc, "risk_summary", summary);
	json_object_set_new(json_object_get(doc, "attention"), "risks", attention);
	return OK;
}

/* ---------------------------------------------------------------- board */

static json_t *messages_json(void *const *msgs, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, pbjson_from_message(msgs[i]));
	return arr;
}

/* Meetings held by as_of; the first review on or after as_of is next. */
static int board_json(struct hctx *h, const struct report_args *args, json_t *doc)
{
	Pb__Board *b = board_build(h, args->plan_id, args->plan, args->bound);
	json_t *board = pbjson_from_message(&b->base);
	if (!json_object_get(board, "members"))
		json_object_set_new(board, "members", json_array());
	for (size_t i = 0; i < b->n_members; i++)
		if (b->members[i]->chair)
			json_object_set_new(board, "chair", json_string(b->members[i]->name));
	json_object_set_new(doc, "board", board);

	Pb__Meeting **m;
	size_t n, held = 0;
	if (meetings_build(h, args->plan_id, args->plan, args->bound, &m, &n) != OK)
		return h->resp->status;
	while (held < n && strcmp(m[held]->date, args->as_of) <= 0)
		held++;
	json_object_set_new(doc, "meetings", messages_json((void *const *)m, held));

	Pb__Review **r;
	if (reviews_build(h, args->plan_id, args->plan, args->bound, args->as_of, &r, &n) != OK)
		return h->resp->status;
	json_object_set_new(doc, "reviews", messages_json((void *const *)r, n));
	json_t *next = json_null();
	for (size_t i = 0; i < n && json_is_null(next); i++)
		if (strcmp(r[i]->date, args->as_of) >= 0)
			next = pbjson_from_message(&r[i]->base);
	json_object_set_new(doc, "next_review", next);
	return OK;
}

/* ---------------------------------------------------------------- document */

json_t *report_build(struct hctx *h, const struct report_args *args)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "report", json_string("improvement plan progress report"));
	json_t *plan = plan_json(h, args);
	json_object_set_new(doc, "plan", plan);
	json_object_set_new(doc, "as_of", json_string(args->as_of));
	json_object_set_new(doc, "as_recorded", jstr(args->as_recorded));
	json_object_set_new(doc, "period", period_json(plan, args->as_of));
	json_object_set_new(doc, "attention", json_object());
	if (progress_json(h, args, doc) != OK || risks_json(h, args, doc) != OK || board_json(h, args, doc) != OK ||
	    report_metrics(h, args, doc) != OK) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
