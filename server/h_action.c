/* h_action.c: actions of a plan, their updates and their history.
 *
 * The action table holds each action's current state; action_version
 * holds every state it has had, with when and by whom it was recorded,
 * the note and evidence of that update, and whether it was forced over a
 * newer version. History, conflicts and as-recorded answers all come
 * from action_version. */
#include "action_cache.h"
#include "action_rows.h"
#include "enums.h"
#include "handlers.h"
#include "hutil.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Columns of an action, current or as recorded (see action_from_row): A
 * is the action row, x the state shown (the same row, or a version). */
#define ACTION_JOINS_OF(A)                                                       \
	" JOIN plan p ON p.id = " A ".plan_id"                                   \
	" JOIN theme t ON t.id = x.theme_id"                                     \
	" LEFT JOIN locality l ON l.id = x.locality_id"                          \
	" LEFT JOIN locality al ON al.id = x.assigned_locality_id "
#define ACTION_COLS_OF(A)                                                        \
	"SELECT " A ".id, p.code, " A ".ref, t.code, x.title, x.description,"    \
	" x.owner, l.code, al.code, x.source, x.due_date, x.status, x.rag,"     \
	" x.version, " A ".created_at, "
#define ACTION_JOINS ACTION_JOINS_OF("a")
#define ACTION_COLS ACTION_COLS_OF("a")

/* Current state: x is the action row itself. */
#define ACTION_CURRENT                                                           \
	ACTION_COLS "x.updated_at, x.updated_by FROM action a JOIN action x ON x.id = a.id" ACTION_JOINS
/* As recorded by a time (?1): x is the newest version recorded by then. */
#define ACTION_RECORDED                                                          \
	ACTION_COLS "x.recorded_at, x.recorded_by FROM action a"                 \
	" JOIN action_version x ON x.id = " VERSION_AS_RECORDED("a") ACTION_JOINS

/* Overdue relative to as_of (a date; NULL: not overdue). */
static void set_overdue(Pb__Action *x, const char *as_of)
{
	x->has_overdue = 1;
	x->overdue = x->due_date != NULL && as_of != NULL && strcmp(x->due_date, as_of) < 0 &&
		     x->status != PB__ACTION_STATUS__ACTION_STATUS_COMPLETED;
}

static Pb__Action *action_from_row(struct hctx *h, sqlite3_stmt *s, const char *as_of)
{
	struct arena *a = h->arena;
	Pb__Action *x = arena_new(a, Pb__Action);
	pb__action__init(x);
	x->plan = col_text(a, s, 1);
	x->ref = col_text(a, s, 2);
	x->theme = col_text(a, s, 3);
	x->title = col_text(a, s, 4);
	x->description = col_text(a, s, 5);
	x->owner = col_text(a, s, 6);
	x->locality = col_text(a, s, 7);
	x->assigned_to = col_text(a, s, 8);
	x->has_source = x->has_status = x->has_rag = x->has_version = 1;
	x->source = enum_value_or0(&pb__source__descriptor, (const char *)sqlite3_column_text(s, 9));
	x->due_date = col_text(a, s, 10);
	x->status = enum_value_or0(&pb__action_status__descriptor, (const char *)sqlite3_column_text(s, 11));
	x->rag = enum_value_or0(&pb__rag__descriptor, (const char *)sqlite3_column_text(s, 12));
	x->version = sqlite3_column_int64(s, 13);
	x->created_at = col_text(a, s, 14);
	x->updated_at = col_text(a, s, 15);
	x->updated_by = col_text(a, s, 16);
	set_overdue(x, as_of);
	return x;
}

/* One statement instead of a plan look-up, an id look-up and the row: the
 * request paths (show, update) run it once per request. */
#define ACTION_BY_REF                                                            \
	ACTION_COLS_OF("x") "x.updated_at, x.updated_by, x.theme_id,"            \
	" x.locality_id, x.assigned_locality_id, x.version_row FROM action x"    \
	ACTION_JOINS_OF("x") "WHERE x.ref = ?1 AND (?2 IS NULL OR p.code = ?2) LIMIT 2"

/* The not-found answers, told apart only once nothing matched. */
static int action_missing(struct hctx *h, const char *plan, const char *ref)
{
	if (plan == NULL)
		return hctx_fail(h, PB__STATUS__NOT_FOUND, "no action '%s'", ref);
	if (find_plan(h, plan) == 0)
		return h->resp->status;
	return hctx_fail(h, PB__STATUS__NOT_FOUND, "no action '%s' in plan '%s'", ref, plan);
}

/* Resolve plan (optional) + ref to the action's current state. */
static int lookup_action(struct hctx *h, const char *plan, const char *ref, const char *as_of,
			 struct action_row *out)
{
	if (need_ref(h, "ref", ref) != OK || (plan != NULL && need_code(h, "plan", plan) != OK))
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st, ACTION_BY_REF);
	stmt_text(s, 1, ref);
	stmt_text(s, 2, plan);
	int n = 0;
	while (sqlite3_step(s) == SQLITE_ROW && ++n == 1) {
		out->x = action_from_row(h, s, as_of);
		out->id = sqlite3_column_int64(s, 0);
		out->theme_id = sqlite3_column_int64(s, 17);
		out->locality_id = sqlite3_column_int64(s, 18);
		out->assigned_id = sqlite3_column_int64(s, 19);
		out->version_row = sqlite3_column_int64(s, 20);
	}
	sqlite3_reset(s);
	if (n == 0)
		return action_missing(h, plan, ref);
	if (n > 1)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "action '%s' is in several plans; give the plan", ref);
	return OK;
}

/* Today's date (UTC), formatted once per second rather than per request:
 * show, list and update all need it. Handlers run on the loop thread. */
static const char *today(struct hctx *h)
{
	(void)h;
	static time_t at = -1;
	static char d[11];
	time_t t = time(NULL);
	if (t != at) {
		today_date(d);
		at = t;
	}
	return d;
}

/* Load one action, current or as recorded by `bound` (NULL: current).
 * NULL (with NOT_FOUND) if it was not yet recorded by then. */
static Pb__Action *load_action(struct hctx *h, int64_t id, const char *bound, const char *as_of)
{
	sqlite3_stmt *s;
	if (bound) {
		s = store_stmt(h->st, ACTION_RECORDED "WHERE a.id = ?2");
		stmt_text(s, 1, bound);
		stmt_int(s, 2, id);
	} else {
		s = store_stmt(h->st, ACTION_CURRENT "WHERE a.id = ?1");
		stmt_int(s, 1, id);
	}
	Pb__Action *x = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		x = action_from_row(h, s, as_of);
	sqlite3_reset(s);
	if (x == NULL)
		hctx_fail(h, PB__STATUS__NOT_FOUND, "the action had not been recorded by %s",
			  bound ? bound : "now"); /* never NULL into %s (Release -O2 rejects it) */
	return x;
}

/* One recorded version of an action, for diffs and history. */
struct snapshot {
	int64_t version;
	const char *fields[12];   /* in the order of snapshot_fields */
	const char *note, *evidence, *recorded_at, *recorded_by;
	int forced;
};

static const char *const snapshot_fields[12] = {
	"theme", "title", "description", "owner", "locality", "assigned_to",
	"source", "due_date", "status", "rag", NULL, NULL,
};
#define SNAPSHOT_NFIELDS 10

/* Columns 1, 5 and 6 are ids (theme, locality, assigned locality); the
 * rest are the snapshot's fields in order. */
#define VERSION_COLS                                                                \
	"v.version, v.theme_id, v.title, v.description, v.owner, v.locality_id,"       \
	" v.assigned_locality_id, v.source, v.due_date, v.status, v.rag, v.note,"     \
	" v.evidence, v.recorded_at, v.recorded_by, v.forced"
#define VERSION_SELECT "SELECT " VERSION_COLS " FROM action_version v "

/* The codes of the theme and localities version rows name by id. The
 * versions of one history nearly always name the same ones, so each is
 * looked up once and reused while it stays the same: three joins per
 * version were a third of an uncached "action show" on a long history. */
struct code_memo {
	int64_t id[3];
	const char *code[3];
	bool known[3];
};
enum { MEMO_THEME, MEMO_LOCALITY, MEMO_ASSIGNED };

static const char *code_of(struct hctx *h, struct code_memo *m, int which, sqlite3_stmt *row, int col)
{
	if (sqlite3_column_type(row, col) == SQLITE_NULL)
		return NULL;
	int64_t id = sqlite3_column_int64(row, col);
	if (m->known[which] && m->id[which] == id)
		return m->code[which];
	sqlite3_stmt *s = store_stmt(h->st, which == MEMO_THEME ? "SELECT code FROM theme WHERE id = ?1"
								: "SELECT code FROM locality WHERE id = ?1");
	stmt_int(s, 1, id);
	const char *code = sqlite3_step(s) == SQLITE_ROW ? col_text(h->arena, s, 0) : NULL;
	sqlite3_reset(s);
	m->known[which] = true;
	m->id[which] = id;
	m->code[which] = code;
	return code;
}

static void snapshot_from_row(struct hctx *h, sqlite3_stmt *s, struct code_memo *memo, struct snapshot *v)
{
	memset(v, 0, sizeof *v);
	v->version = sqlite3_column_int64(s, 0);
	for (int i = 0; i < SNAPSHOT_NFIELDS; i++)
		if (i != 0 && i != 4 && i != 5)   /* those three are ids: codes below */
			v->fields[i] = col_text(h->arena, s, 1 + i);
	v->fields[0] = code_of(h, memo, MEMO_THEME, s, 1);
	v->fields[4] = code_of(h, memo, MEMO_LOCALITY, s, 5);
	v->fields[5] = code_of(h, memo, MEMO_ASSIGNED, s, 6);
	v->note = col_text(h->arena, s, 11);
	v->evidence = col_text(h->arena, s, 12);
	v->recorded_at = col_text(h->arena, s, 13);
	v->recorded_by = col_text(h->arena, s, 14);
	v->forced = sqlite3_column_int(s, 15);
}

static int load_snapshot(struct hctx *h, int64_t action_id, int64_t version, struct snapshot *v)
{
	sqlite3_stmt *s = store_stmt(h->st,
		VERSION_CHAIN("version_row FROM action WHERE id = ?1", "v.version > ?2")
		VERSION_SELECT "JOIN c ON v.id = c.r WHERE v.version = ?2");
	stmt_int(s, 1, action_id);
	stmt_int(s, 2, version);
	int found = sqlite3_step(s) == SQLITE_ROW;
	struct code_memo memo = { 0 };
	if (found)
		snapshot_from_row(h, s, &memo, v);
	sqlite3_reset(s);
	return found ? 0 : -1;
}

/* Field-by-field differences from one version to the next. */
static void diff_snapshots(struct hctx *h, const struct snapshot *from, const struct snapshot *to,
			   Pb__FieldChange ***out, size_t *n)
{
	size_t cap = 0;
	for (int i = 0; i < SNAPSHOT_NFIELDS; i++) {
		const char *a = from ? from->fields[i] : NULL;
		if (same_text(a, to->fields[i]))
			continue;
		Pb__FieldChange *c = arena_new(h->arena, Pb__FieldChange);
		pb__field_change__init(c);
		c->field = (char *)snapshot_fields[i];
		c->old_value = (char *)a;
		c->new_value = (char *)to->fields[i];
		ARENA_PUSH(h->arena, *out, *n, cap, c);
	}
}

int h_action_list(struct hctx *h)
{
	const Pb__ActionList *in = h->req->action_list;
	const char *as_of = in->as_of ? in->as_of : today(h);
	const char *bound = NULL;
	if ((in->as_of && check_date(h, "as_of", as_of, false) != OK) ||
	    (in->as_recorded && as_recorded_bound(h, in->as_recorded, &bound) != OK))
		return h->resp->status;
	if (in->has_status && in->status != 0 &&
	    check_enum(h, "status", &pb__action_status__descriptor, in->status) != OK)
		return h->resp->status;
	if (in->has_rag && in->rag != 0 && check_enum(h, "rag", &pb__rag__descriptor, in->rag) != OK)
		return h->resp->status;
	if (opt_text(h, "owner", in->owner, NAME_MAX_CHARS) != OK)
		return h->resp->status;
	int64_t plan_id = 0, theme_id = 0, locality_id = 0;
	if (in->plan && (plan_id = find_plan(h, in->plan)) == 0)
		return h->resp->status;
	if (in->theme) {
		if (!in->plan)
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "a theme filter needs the plan");
		if ((theme_id = find_theme(h, plan_id, in->plan, in->theme)) == 0)
			return h->resp->status;
	}
	if (in->locality && (locality_id = find_locality(h, in->locality)) == 0)
		return h->resp->status;

	/* Built from constant fragments; every value is bound. ?1 is the
	 * as-recorded bound (unused for the current state). */
	char sql[2048];
	snprintf(sql, sizeof sql, "%s WHERE 1=1%s%s%s%s%s%s%s ORDER BY p.code, t.position, a.ref",
		 bound ? ACTION_RECORDED : ACTION_CURRENT,
		 plan_id ? " AND a.plan_id = ?2" : "",
		 theme_id ? " AND x.theme_id = ?3" : "",
		 locality_id ? " AND (x.locality_id = ?4 OR x.assigned_locality_id = ?4)" : "",
		 in->has_status && in->status ? " AND x.status = ?5" : "",
		 in->has_rag && in->rag ? " AND x.rag = ?6" : "",
		 in->has_overdue && in->overdue
			 ? " AND x.due_date < ?7 AND x.status <> 'completed'" : "",
		 in->owner ? " AND x.owner = ?8" : "");
	sqlite3_stmt *s = store_stmt_dyn(h->st, sql);
	stmt_text(s, 1, bound);
	if (plan_id)
		stmt_int(s, 2, plan_id);
	if (theme_id)
		stmt_int(s, 3, theme_id);
	if (locality_id)
		stmt_int(s, 4, locality_id);
	if (in->has_status && in->status)
		stmt_text(s, 5, enum_name(&pb__action_status__descriptor, in->status));
	if (in->has_rag && in->rag)
		stmt_text(s, 6, enum_name(&pb__rag__descriptor, in->rag));
	if (in->has_overdue && in->overdue)
		stmt_text(s, 7, as_of);
	if (in->owner)
		stmt_text(s, 8, in->owner);

	Pb__ActionListReply *r = arena_new(h->arena, Pb__ActionListReply);
	pb__action_list_reply__init(r);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ARENA_PUSH(h->arena, r->actions, r->n_actions, cap, action_from_row(h, s, as_of));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "listing actions");
	SET_BODY(h, ACTION_LIST, action_list, r);
	return OK;
}

/* Every update of an action as ProgressUpdates, oldest first, up to
 * `bound` if given. Its chain is walked here, newest first from its
 * current version's row (`head`), one fetch by key per version: as a
 * recursive query each row was fetched twice and went through a queue
 * (random show on the large benchmark database 0.115 -> 0.131 ms). At
 * most `versions` rows: a chain broken into a loop by a hand edit ends.
 * NULL with the request failed if a read fails (a shortened history must
 * not be answered, nor kept in the answer cache). */
static Pb__ProgressUpdate **load_history(struct hctx *h, int64_t head, int64_t versions, const char *plan,
					 const char *ref, const char *bound, size_t *n, bool *failed)
{
	*failed = false;
	sqlite3_stmt *s = store_stmt(h->st, "SELECT " VERSION_COLS ", v.prev FROM action_version v WHERE v.id = ?1");
	struct snapshot **chain = NULL;
	size_t len = 0, cap = 0;
	struct code_memo memo = { 0 };
	for (int64_t row = head, steps = 0; row != 0 && steps < versions; steps++) {
		stmt_int(s, 1, row);
		int rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_reset(s);
			if (rc != SQLITE_DONE) {   /* (DONE: a row gone by hand; --check says so) */
				*failed = true;
				hctx_db_fail(h, "reading the action's history");
				return NULL;
			}
			break;
		}
		struct snapshot *v = arena_new(h->arena, struct snapshot);
		snapshot_from_row(h, s, &memo, v);
		row = sqlite3_column_int64(s, 16);   /* NULL (version 1): 0 */
		sqlite3_reset(s);
		if (bound == NULL || strcmp(v->recorded_at, bound) <= 0)
			ARENA_PUSH(h->arena, chain, len, cap, v);
	}
	Pb__ProgressUpdate **out = NULL;
	*n = 0;
	cap = 0;
	for (size_t i = len; i-- > 0;) {
		const struct snapshot *cur = chain[i];
		Pb__ProgressUpdate *u = arena_new(h->arena, Pb__ProgressUpdate);
		pb__progress_update__init(u);
		u->plan = (char *)plan;
		u->ref = (char *)ref;
		u->has_version = 1;
		u->version = cur->version;
		u->time = (char *)cur->recorded_at;
		u->user = (char *)cur->recorded_by;
		u->note = (char *)cur->note;
		u->evidence = (char *)cur->evidence;
		u->has_forced = 1;
		u->forced = cur->forced;
		if (i + 1 < len) /* version 1 is the creation: its note says so */
			diff_snapshots(h, chain[i + 1], cur, &u->changes, &u->n_changes);
		ARENA_PUSH(h->arena, out, *n, cap, u);
	}
	return out;
}

int h_action_show(struct hctx *h)
{
	const Pb__ActionShow *in = h->req->action_show;
	const char *bound = NULL;
	const char *as_of = in->as_of ? in->as_of : today(h);
	/* The ref and plan first: the kept answers are looked up by them. */
	if (need_ref(h, "ref", in->ref) != OK || (in->plan != NULL && need_code(h, "plan", in->plan) != OK) ||
	    (in->as_of && check_date(h, "as_of", as_of, false) != OK) ||
	    (in->as_recorded && as_recorded_bound(h, in->as_recorded, &bound) != OK))
		return h->resp->status;
	struct action_cache *cache = bound || h->srv == NULL ? NULL : h->srv->action_cache;
	struct action_cache_hit kept;
	if (cache && action_cache_get(cache, in->plan, in->ref, as_of, &kept)) {
		/* It shows nothing newer than commit gen: once that is on disk
		 * it need not wait for later commits being synced. */
		server_reply_shows(h->srv, kept.gen);
		set_packed_body(h, PB__RESPONSE__BODY_ACTION, kept.field, kept.field_len);
		return OK;
	}
	struct action_row cur;
	if (lookup_action(h, in->plan, in->ref, as_of, &cur) != OK)
		return h->resp->status;
	Pb__ActionReply *r = arena_new(h->arena, Pb__ActionReply);
	pb__action_reply__init(r);
	r->action = cur.x;
	if (bound && (r->action = load_action(h, cur.id, bound, as_of)) == NULL)
		return h->resp->status;
	bool failed;
	r->updates = load_history(h, cur.version_row, cur.x->version, r->action->plan, r->action->ref, bound,
				  &r->n_updates, &failed);
	if (failed)
		return h->resp->status;
	/* Inside a write transaction it may show a change not yet committed.
	 * Kept, it goes out as the kept bytes: packed once, not twice. */
	if (cache && !store_in_txn(h->st) &&
	    action_cache_put(cache, in->plan, in->ref, as_of, cur.id, h->srv->commit_gen, r, &kept)) {
		set_packed_body(h, PB__RESPONSE__BODY_ACTION, kept.field, kept.field_len);
		return OK;
	}
	SET_BODY(h, ACTION, action, r);
	return OK;
}

int h_action_history(struct hctx *h)
{
	const Pb__ActionHistory *in = h->req->action_history;
	struct action_row cur;
	if (lookup_action(h, in->plan, in->ref, NULL, &cur) != OK)
		return h->resp->status;
	Pb__ActionHistoryReply *r = arena_new(h->arena, Pb__ActionHistoryReply);
	pb__action_history_reply__init(r);
	bool failed;
	r->updates = load_history(h, cur.version_row, cur.x->version, cur.x->plan, cur.x->ref, NULL, &r->n_updates,
				  &failed);
	if (failed)
		return h->resp->status;
	SET_BODY(h, ACTION_HISTORY, action_history, r);
	return OK;
}

/* Write the action's current row into action_version as `version`: its
 * first version (prev is NULL), which the action then points at. */
static int record_version(struct hctx *h, int64_t id, const char *note, const char *evidence, bool forced)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO action_version(action_id, version, recorded_at, recorded_by, theme_id,"
		" title, description, owner, locality_id, assigned_locality_id, source, due_date,"
		" status, rag, note, evidence, forced)"
		" SELECT id, version, updated_at, updated_by, theme_id, title, description, owner,"
		" locality_id, assigned_locality_id, source, due_date, status, rag, ?2, ?3, ?4"
		" FROM action WHERE id = ?1");
	stmt_int(s, 1, id);
	stmt_text(s, 2, note);
	stmt_text(s, 3, evidence);
	stmt_int(s, 4, forced);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "recording the action's version");
	/* The first version: the start of the action's chain. */
	s = store_stmt(h->st, "UPDATE action SET version_row = ?2 WHERE id = ?1");
	stmt_int(s, 1, id);
	stmt_int(s, 2, sqlite3_last_insert_rowid(store_db(h->st)));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? OK : hctx_db_fail(h, "recording the action's version");
}

static int check_action_fields(struct hctx *h, const Pb__Action *in)
{
	if (need_ref(h, "ref", in->ref) != OK || need_text(h, "title", in->title, TITLE_MAX) != OK ||
	    opt_text(h, "description", in->description, NOTE_MAX) != OK ||
	    opt_text(h, "owner", in->owner, NAME_MAX_CHARS) != OK ||
	    check_date(h, "due", in->due_date, true) != OK)
		return h->resp->status;
	if (in->has_source && in->source && check_enum(h, "source", &pb__source__descriptor, in->source) != OK)
		return h->resp->status;
	if (in->has_status && in->status &&
	    check_enum(h, "status", &pb__action_status__descriptor, in->status) != OK)
		return h->resp->status;
	if (in->has_rag && in->rag && check_enum(h, "rag", &pb__rag__descriptor, in->rag) != OK)
		return h->resp->status;
	return OK;
}

/* Blue means completed and embedded: only a completed action is blue. */
static int check_blue(struct hctx *h, int status, int rag)
{
	if (rag == PB__RAG__RAG_BLUE && status != PB__ACTION_STATUS__ACTION_STATUS_COMPLETED)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "RAG blue means completed and embedded: the status must be completed");
	return OK;
}

int h_action_add(struct hctx *h)
{
	Pb__Action *in = h->req->action_add->action;
	if (in == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "action is required");
	int64_t plan_id = find_plan(h, in->plan), theme_id, locality_id = 0, assigned_id = 0;
	if (plan_id == 0 || (theme_id = find_theme(h, plan_id, in->plan, in->theme)) == 0 ||
	    check_action_fields(h, in) != OK)
		return h->resp->status;
	if (in->locality && (locality_id = find_locality(h, in->locality)) == 0)
		return h->resp->status;
	if (in->assigned_to && (assigned_id = find_locality(h, in->assigned_to)) == 0)
		return h->resp->status;
	int status = in->has_status && in->status ? (int)in->status : PB__ACTION_STATUS__ACTION_STATUS_NOT_STARTED;
	int rag = in->has_rag && in->rag ? (int)in->rag : PB__RAG__RAG_GREEN;
	int source = in->has_source && in->source ? (int)in->source
			 : locality_id ? PB__SOURCE__SOURCE_LOCALITY : PB__SOURCE__SOURCE_SERVICE_WIDE;
	if (check_blue(h, status, rag) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO action(plan_id, ref, theme_id, title, description, owner, locality_id,"
		" assigned_locality_id, source, due_date, status, rag, version, created_at, updated_at,"
		" updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?)");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, in->ref);
	stmt_int(s, 3, theme_id);
	stmt_text(s, 4, in->title);
	stmt_text(s, 5, in->description);
	stmt_text(s, 6, in->owner);
	if (locality_id)
		stmt_int(s, 7, locality_id);
	if (assigned_id)
		stmt_int(s, 8, assigned_id);
	stmt_text(s, 9, enum_name(&pb__source__descriptor, source));
	stmt_text(s, 10, in->due_date);
	stmt_text(s, 11, enum_name(&pb__action_status__descriptor, status));
	stmt_text(s, 12, enum_name(&pb__rag__descriptor, rag));
	stmt_text(s, 13, h->now);
	stmt_text(s, 14, h->now);
	stmt_text(s, 15, h->who->name);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return hctx_fail(h, PB__STATUS__CONFLICT, "action '%s' already exists in plan '%s'", in->ref, in->plan);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "adding the action");
	int64_t id = sqlite3_last_insert_rowid(store_db(h->st));
	/* A ref shown without its plan may now be in two plans. */
	if (h->srv && h->srv->action_cache)
		action_cache_clear(h->srv->action_cache);
	if (record_version(h, id, "created", NULL, false) != OK ||
	    hctx_event(h, "action", in->ref, "add", in->plan, in->locality ? in->locality : in->assigned_to,
		       "action %s added: %s", in->ref, in->title) != OK)
		return h->resp->status;
	Pb__ActionReply *r = arena_new(h->arena, Pb__ActionReply);
	pb__action_reply__init(r);
	r->action = load_action(h, id, NULL, today(h));
	SET_BODY(h, ACTION, action, r);
	return OK;
}

/* A locality user may update its own locality's actions and county-wide
 * actions assigned to it. */
static int may_update(struct hctx *h, const Pb__Action *cur)
{
	if (h->who->role != PB__ROLE__ROLE_LOCALITY)
		return OK;
	const char *mine = h->who->locality;
	if (cur->locality ? same_text(cur->locality, mine) : same_text(cur->assigned_to, mine))
		return OK;
	return hctx_fail(h, PB__STATUS__FORBIDDEN,
			 "action %s belongs to %s; as a %s user you may update only %s's actions",
			 cur->ref, cur->locality ? cur->locality : cur->assigned_to ? cur->assigned_to : "the county",
			 mine, mine);
}

/* CONFLICT: the action changed since the version the client saw. */
static int conflict(struct hctx *h, int64_t id, int64_t based_on, Pb__Action *cur)
{
	Pb__ConflictDetail *d = arena_new(h->arena, Pb__ConflictDetail);
	pb__conflict_detail__init(d);
	d->has_current_version = d->has_based_on_version = 1;
	d->current_version = cur->version;
	d->based_on_version = based_on;
	d->action = cur;
	struct snapshot old, now;
	if (based_on >= 1 && load_snapshot(h, id, based_on, &old) == 0 &&
	    load_snapshot(h, id, cur->version, &now) == 0)
		diff_snapshots(h, &old, &now, &d->differences, &d->n_differences);
	h->resp->conflict = d;
	Pb__ActionReply *r = arena_new(h->arena, Pb__ActionReply);
	pb__action_reply__init(r);
	r->action = cur;
	SET_BODY(h, ACTION, action, r);
	return hctx_fail(h, PB__STATUS__CONFLICT,
			 "action %s is at version %lld, not %lld: someone else changed it%s",
			 cur->ref, (long long)cur->version, (long long)based_on,
			 based_on > cur->version ? " (that version does not exist)" : "; review and retry, or use --force");
}

static int check_update(struct hctx *h, const Pb__ActionUpdate *in)
{
	if (opt_text(h, "note", in->note, NOTE_MAX) != OK ||
	    opt_text(h, "evidence", in->evidence, NOTE_MAX) != OK ||
	    opt_text(h, "owner", in->owner, NAME_MAX_CHARS) != OK ||
	    opt_text(h, "title", in->title, TITLE_MAX) != OK ||
	    opt_text(h, "description", in->description, NOTE_MAX) != OK ||
	    check_date(h, "due", in->due_date, true) != OK)
		return h->resp->status;
	if (in->title && *in->title == '\0')
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "title cannot be empty");
	if (in->has_status && check_enum(h, "status", &pb__action_status__descriptor, in->status) != OK)
		return h->resp->status;
	if (in->has_rag && check_enum(h, "rag", &pb__rag__descriptor, in->rag) != OK)
		return h->resp->status;
	if (!in->has_status && !in->has_rag && !in->note && !in->evidence && !in->owner &&
	    !in->due_date && !in->title && !in->description && !in->assigned_to)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "nothing to update: give a change or a note");
	if (in->has_if_version && in->if_version < 1)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "if_version must be 1 or more");
	return OK;
}

/* The snapshot fields (see snapshot_fields) of an action in memory. */
static void snapshot_of(const Pb__Action *x, struct snapshot *v)
{
	memset(v, 0, sizeof *v);
	v->version = x->version;
	const char *f[SNAPSHOT_NFIELDS] = {
		x->theme, x->title, x->description, x->owner, x->locality, x->assigned_to,
		enum_name(&pb__source__descriptor, x->source), x->due_date,
		enum_name(&pb__action_status__descriptor, x->status),
		enum_name(&pb__rag__descriptor, x->rag),
	};
	memcpy(v->fields, f, sizeof f);
}

/* The action after the update, computed from its current row and the
 * request (what the UPDATE below writes), so it need not be read back. */
static Pb__Action *updated_action(struct hctx *h, const Pb__ActionUpdate *in, const Pb__Action *cur,
				  int status, int rag)
{
	Pb__Action *x = arena_new(h->arena, Pb__Action);
	*x = *cur;
	x->status = status;
	x->rag = rag;
	if (in->owner)
		x->owner = in->owner;
	if (in->due_date)
		x->due_date = in->due_date;
	if (in->title)
		x->title = in->title;
	if (in->description)
		x->description = in->description;
	if (in->assigned_to)
		x->assigned_to = *in->assigned_to ? in->assigned_to : NULL;
	x->version = cur->version + 1;
	x->updated_at = (char *)h->now;
	x->updated_by = h->who->name;
	set_overdue(x, today(h));
	return x;
}

/* The version row of `x` (the new state), from bound values, linked to
 * the current one; its id in *row. */
static int insert_version(struct hctx *h, const struct action_row *cur, const Pb__Action *x,
			  int64_t assigned_id, const Pb__ActionUpdate *in, bool forced, int64_t *row)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO action_version(action_id, version, recorded_at, recorded_by, theme_id,"
		" title, description, owner, locality_id, assigned_locality_id, source, due_date,"
		" status, rag, note, evidence, forced, prev)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
	stmt_int(s, 1, cur->id);
	stmt_int(s, 2, x->version);
	stmt_text(s, 3, x->updated_at);
	stmt_text(s, 4, x->updated_by);
	stmt_int(s, 5, cur->theme_id);
	stmt_text(s, 6, x->title);
	stmt_text(s, 7, x->description);
	stmt_text(s, 8, x->owner);
	if (cur->locality_id)
		stmt_int(s, 9, cur->locality_id);
	if (assigned_id)
		stmt_int(s, 10, assigned_id);
	stmt_text(s, 11, enum_name(&pb__source__descriptor, x->source));
	stmt_text(s, 12, x->due_date);
	stmt_text(s, 13, enum_name(&pb__action_status__descriptor, x->status));
	stmt_text(s, 14, enum_name(&pb__rag__descriptor, x->rag));
	stmt_text(s, 15, in->note);
	stmt_text(s, 16, in->evidence);
	stmt_int(s, 17, forced);
	if (cur->version_row != 0)   /* (a missing one is --check's to report) */
		stmt_int(s, 18, cur->version_row);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	*row = sqlite3_last_insert_rowid(store_db(h->st));
	return rc == SQLITE_DONE ? OK : hctx_db_fail(h, "recording the action's version");
}

/* The UPDATE of the action row names only the columns that change:
 * SQLite rewrites the entry of every index on a column named in SET,
 * changed or not, and most of action's columns are indexed (list
 * filters). Each shape of SET is one cached statement. */
static int write_action_row(struct hctx *h, const struct action_row *c, const Pb__Action *x,
			    bool reassign, int64_t assigned_id, int64_t version_row)
{
	const Pb__Action *cur = c->x;
	const char *status = enum_name(&pb__action_status__descriptor, x->status);
	const char *rag = enum_name(&pb__rag__descriptor, x->rag);
	const struct {
		const char *col, *value;
		bool changed;
	} text[] = {
		{ "status", status, x->status != cur->status },
		{ "rag", rag, x->rag != cur->rag },
		{ "owner", x->owner, !same_text(x->owner, cur->owner) },
		{ "due_date", x->due_date, !same_text(x->due_date, cur->due_date) },
		{ "title", x->title, !same_text(x->title, cur->title) },
		{ "description", x->description, !same_text(x->description, cur->description) },
	};
	bool new_assigned = reassign && assigned_id != c->assigned_id;
	char sql[320] = "UPDATE action SET version = ?2, updated_at = ?3, updated_by = ?4, version_row = ?5";
	int n = 5;
	for (size_t i = 0; i < ARRAY_LEN(text); i++)
		if (text[i].changed)
			snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", %s = ?%d", text[i].col, ++n);
	if (new_assigned)
		snprintf(sql + strlen(sql), sizeof sql - strlen(sql), ", assigned_locality_id = ?%d", ++n);
	strcat(sql, " WHERE id = ?1");
	sqlite3_stmt *s = store_stmt_dyn(h->st, sql);
	if (s == NULL)
		return hctx_db_fail(h, "updating the action");
	stmt_int(s, 1, c->id);
	stmt_int(s, 2, x->version);
	stmt_text(s, 3, x->updated_at);
	stmt_text(s, 4, x->updated_by);
	stmt_int(s, 5, version_row);
	n = 5;
	for (size_t i = 0; i < ARRAY_LEN(text); i++)
		if (text[i].changed)
			stmt_text(s, ++n, text[i].value);
	if (new_assigned) {
		++n;
		if (assigned_id)
			stmt_int(s, n, assigned_id);
		else
			sqlite3_bind_null(s, n);
	}
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? OK : hctx_db_fail(h, "updating the action");
}

/* The event's summary: the changed fields, or that only a note came. */
static void change_summary(Pb__FieldChange **changes, size_t n, char *summary, size_t len)
{
	summary[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(summary);
		snprintf(summary + used, len - used, "%s%s %s->%s", i ? "; " : "", changes[i]->field,
			 changes[i]->old_value ? changes[i]->old_value : "-",
			 changes[i]->new_value ? changes[i]->new_value : "-");
	}
	if (n == 0)
		snprintf(summary, len, "note added");
}

/* The kept rows, if h runs on the writer (they are its view). */
static struct action_rows *kept_rows(const struct hctx *h)
{
	return h->srv && h->st == h->srv->store ? h->srv->action_rows : NULL;
}

/* The row an update starts from: kept if this writer wrote it lately,
 * else read. The ref and plan are checked first either way. */
static int row_for_update(struct hctx *h, struct action_rows *rows, const Pb__ActionUpdate *in,
			  struct action_row *c)
{
	if (need_ref(h, "ref", in->ref) != OK || (in->plan != NULL && need_code(h, "plan", in->plan) != OK))
		return h->resp->status;
	if (rows && action_rows_get(rows, in->plan, in->ref, h->arena, c)) {
		set_overdue(c->x, today(h));
		return OK;
	}
	return lookup_action(h, in->plan, in->ref, today(h), c);
}

/* An update is four statements: the current row (lookup_action), the
 * version row (linked to the current one), the UPDATE (which points the
 * action at it) and the event. The reply and the diff are
 * computed in memory from the row read and the request. */
int h_action_update(struct hctx *h)
{
	const Pb__ActionUpdate *in = h->req->action_update;
	if (check_update(h, in) != OK)
		return h->resp->status;
	struct action_rows *rows = kept_rows(h);
	struct action_row c;
	if (row_for_update(h, rows, in, &c) != OK)
		return h->resp->status;
	Pb__Action *cur = c.x;
	if (may_update(h, cur) != OK)
		return h->resp->status;
	if (in->assigned_to && h->who->role != PB__ROLE__ROLE_ADMIN)
		return hctx_fail(h, PB__STATUS__FORBIDDEN, "only admins may reassign an action");
	bool forced = false;
	if (in->has_if_version && in->if_version != cur->version) {
		if (!(in->has_force && in->force) || in->if_version > cur->version)
			return conflict(h, c.id, in->if_version, cur);
		forced = true;
	}
	int status = in->has_status ? (int)in->status : (int)cur->status;
	int rag = in->has_rag ? (int)in->rag : (int)cur->rag;
	if (check_blue(h, status, rag) != OK)
		return h->resp->status;
	int64_t assigned_id = 0;
	if (in->assigned_to && *in->assigned_to && (assigned_id = find_locality(h, in->assigned_to)) == 0)
		return h->resp->status;

	Pb__Action *x = updated_action(h, in, cur, status, rag);
	int64_t version_row;
	if (insert_version(h, &c, x, in->assigned_to ? assigned_id : c.assigned_id, in, forced, &version_row) != OK ||
	    write_action_row(h, &c, x, in->assigned_to != NULL, assigned_id, version_row) != OK)
		return h->resp->status;
	if (h->srv && h->srv->action_cache)
		action_cache_forget(h->srv->action_cache, c.id);

	struct snapshot before, after;
	snapshot_of(cur, &before);
	snapshot_of(x, &after);
	Pb__FieldChange **changes = NULL;
	size_t n = 0;
	diff_snapshots(h, &before, &after, &changes, &n);
	char summary[400];
	change_summary(changes, n, summary, sizeof summary);
	if (hctx_event(h, "action", cur->ref, forced ? "update-forced" : "update", cur->plan,
		       cur->locality ? cur->locality : cur->assigned_to, "%s v%lld: %s", cur->ref,
		       (long long)x->version, summary) != OK)
		return h->resp->status;
	/* After a reassignment the row is read again: rare, and the code
	 * shown is then the one stored. */
	if (rows && !in->assigned_to)
		action_rows_put(rows, in->plan, in->ref,
				&(struct action_row){ .x = x, .id = c.id, .theme_id = c.theme_id,
						      .locality_id = c.locality_id, .assigned_id = c.assigned_id,
						      .version_row = version_row });
	Pb__ActionReply *r = arena_new(h->arena, Pb__ActionReply);
	pb__action_reply__init(r);
	r->action = x;
	SET_BODY(h, ACTION, action, r);
	return OK;
}
