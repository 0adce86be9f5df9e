/* h_risk.c: the risk and issue register of a plan.
 *
 * Every state of a risk is a row of risk_version with the time it was
 * recorded; the current state is simply the newest. Updates are based on
 * a version (if_version) and refused with CONFLICT when the risk has moved
 * on, exactly like action updates. */
#include "enums.h"
#include "governance.h"
#include "handlers.h"
#include "hutil.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int risk_band(unsigned score)
{
	if (score >= 15)
		return PB__BAND__BAND_HIGH;
	if (score >= 5)
		return PB__BAND__BAND_MEDIUM;
	return PB__BAND__BAND_LOW;
}

/* Columns of one version: v is the risk_version row. */
#define RISK_COLS                                                                      \
	"SELECT p.code, r.ref, v.kind, v.title, v.description, v.owner, v.likelihood," \
	" v.impact, v.mitigation, v.status, v.escalated, v.actions, v.version,"        \
	" v.recorded_at, v.recorded_by, v.note, v.forced"                              \
	" FROM risk r JOIN plan p ON p.id = r.plan_id"
/* The newest version recorded by ?1 (NULL: the newest of all). */
#define RISK_AT                                                                        \
	RISK_COLS " JOIN risk_version v ON v.risk_id = r.id AND v.version ="            \
	" (SELECT max(w.version) FROM risk_version w"                                   \
	"  WHERE w.risk_id = r.id AND (?1 IS NULL OR w.recorded_at <= ?1))"

/* Split the stored "A,B,C" into refs. */
static void split_actions(struct arena *a, const char *s, Pb__Risk *r)
{
	size_t cap = 0;
	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (len)
			ARENA_PUSH(a, r->actions, r->n_actions, cap, arena_strndup(a, s, len));
		s = comma ? comma + 1 : NULL;
	}
}

/* A risk from a RISK_COLS row; *note and *forced if wanted. */
static Pb__Risk *risk_from_row(struct arena *a, sqlite3_stmt *s, const char **note, int *forced)
{
	Pb__Risk *r = arena_new(a, Pb__Risk);
	pb__risk__init(r);
	r->plan = col_text(a, s, 0);
	r->ref = col_text(a, s, 1);
	r->has_kind = r->has_likelihood = r->has_impact = r->has_score = r->has_band = 1;
	r->has_status = r->has_escalated = r->has_version = 1;
	r->kind = enum_value_or0(&pb__risk_kind__descriptor, (const char *)sqlite3_column_text(s, 2));
	r->title = col_text(a, s, 3);
	r->description = col_text(a, s, 4);
	r->owner = col_text(a, s, 5);
	r->likelihood = (uint32_t)sqlite3_column_int(s, 6);
	r->impact = (uint32_t)sqlite3_column_int(s, 7);
	r->score = r->likelihood * r->impact;
	r->band = risk_band(r->score);
	r->mitigation = col_text(a, s, 8);
	r->status = enum_value_or0(&pb__risk_status__descriptor, (const char *)sqlite3_column_text(s, 9));
	r->escalated = sqlite3_column_int(s, 10) != 0;
	split_actions(a, (const char *)sqlite3_column_text(s, 11), r);
	r->version = sqlite3_column_int64(s, 12);
	r->updated_at = col_text(a, s, 13);
	r->updated_by = col_text(a, s, 14);
	if (note)
		*note = col_text(a, s, 15);
	if (forced)
		*forced = sqlite3_column_int(s, 16);
	return r;
}

int risk_list_build(struct hctx *h, int64_t plan_id, const char *bound, Pb__Risk ***out, size_t *n)
{
	sqlite3_stmt *s = store_stmt(h->st, RISK_AT " WHERE (?2 = 0 OR r.plan_id = ?2)"
		" ORDER BY p.code, v.likelihood * v.impact DESC, r.ref");
	stmt_text(s, 1, bound);
	stmt_int(s, 2, plan_id);
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ARENA_PUSH(h->arena, *out, *n, cap, risk_from_row(h->arena, s, NULL, NULL));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? OK : hctx_db_fail(h, "listing risks");
}

/* Risk id by plan + ref, or 0 with NOT_FOUND. */
static int64_t find_risk(struct hctx *h, const char *plan, const char *ref, int64_t *plan_id)
{
	if (need_ref(h, "ref", ref) != OK || (*plan_id = find_plan(h, plan)) == 0)
		return 0;
	sqlite3_stmt *s = store_stmt(h->st, "SELECT id FROM risk WHERE plan_id = ? AND ref = ?");
	stmt_int(s, 1, *plan_id);
	stmt_text(s, 2, ref);
	int64_t id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (id == 0)
		hctx_fail(h, PB__STATUS__NOT_FOUND, "no risk '%s' in plan '%s'", ref, plan);
	return id;
}

static Pb__Risk *load_risk(struct hctx *h, int64_t id, const char *bound)
{
	sqlite3_stmt *s = store_stmt(h->st, RISK_AT " WHERE r.id = ?2");
	stmt_text(s, 1, bound);
	stmt_int(s, 2, id);
	Pb__Risk *r = sqlite3_step(s) == SQLITE_ROW ? risk_from_row(h->arena, s, NULL, NULL) : NULL;
	sqlite3_reset(s);
	if (r == NULL)
		hctx_fail(h, PB__STATUS__NOT_FOUND, "the risk had not been recorded by %s", bound ? bound : "now");
	return r;
}

/* A risk's fields as displayed, for differences between versions. */
#define RISK_NFIELDS 10
static const char *const risk_field_names[RISK_NFIELDS] = {
	"kind", "title", "description", "owner", "likelihood", "impact", "mitigation", "status", "escalated", "actions",
};

static void risk_fields(struct arena *a, const Pb__Risk *r, const char *f[RISK_NFIELDS])
{
	f[0] = enum_name(&pb__risk_kind__descriptor, r->kind);
	f[1] = r->title;
	f[2] = r->description;
	f[3] = r->owner;
	f[4] = arena_printf(a, "%u", r->likelihood);
	f[5] = arena_printf(a, "%u", r->impact);
	f[6] = r->mitigation;
	f[7] = enum_name(&pb__risk_status__descriptor, r->status);
	f[8] = r->escalated ? "yes" : "no";
	struct buf b = { 0 };
	for (size_t i = 0; i < r->n_actions; i++)
		buf_printf(&b, "%s%s", i ? "," : "", r->actions[i]);
	buf_append(&b, "", 1);
	f[9] = *(char *)b.data ? arena_strdup(a, (char *)b.data) : NULL;
	buf_free(&b);
}

static void diff_risks(struct arena *a, const Pb__Risk *from, const Pb__Risk *to, Pb__FieldChange ***out, size_t *n)
{
	const char *f0[RISK_NFIELDS], *f1[RISK_NFIELDS];
	risk_fields(a, from, f0);
	risk_fields(a, to, f1);
	size_t cap = 0;
	for (int i = 0; i < RISK_NFIELDS; i++) {
		if (same_text(f0[i], f1[i]))
			continue;
		Pb__FieldChange *c = arena_new(a, Pb__FieldChange);
		pb__field_change__init(c);
		c->field = (char *)risk_field_names[i];
		c->old_value = (char *)f0[i];
		c->new_value = (char *)f1[i];
		ARENA_PUSH(a, *out, *n, cap, c);
	}
}

/* Every version up to bound, as RiskChanges; the versions themselves in
 * *versions (same order) for conflict diffs. */
static Pb__RiskChange **load_history(struct hctx *h, int64_t id, const char *bound, size_t *n,
				     Pb__Risk ***versions)
{
	sqlite3_stmt *s = store_stmt(h->st, RISK_COLS " JOIN risk_version v ON v.risk_id = r.id"
		" WHERE r.id = ?2 AND (?1 IS NULL OR v.recorded_at <= ?1) ORDER BY v.version");
	stmt_text(s, 1, bound);
	stmt_int(s, 2, id);
	Pb__RiskChange **out = NULL;
	Pb__Risk *prev = NULL;
	size_t cap = 0, vcap = 0, nv = 0;
	*n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *note;
		int forced;
		Pb__Risk *cur = risk_from_row(h->arena, s, &note, &forced);
		Pb__RiskChange *c = arena_new(h->arena, Pb__RiskChange);
		pb__risk_change__init(c);
		c->plan = cur->plan;
		c->ref = cur->ref;
		c->has_version = c->has_forced = 1;
		c->version = cur->version;
		c->time = cur->updated_at;
		c->user = cur->updated_by;
		c->forced = forced;
		if (prev)
			diff_risks(h->arena, prev, cur, &c->changes, &c->n_changes);
		if (note) { /* the note travels as a pseudo-change so history shows it */
			Pb__FieldChange *fc = arena_new(h->arena, Pb__FieldChange);
			pb__field_change__init(fc);
			fc->field = "note";
			fc->new_value = (char *)note;
			size_t ccap = c->n_changes;
			ARENA_PUSH(h->arena, c->changes, c->n_changes, ccap, fc);
		}
		ARENA_PUSH(h->arena, out, *n, cap, c);
		if (versions)
			ARENA_PUSH(h->arena, *versions, nv, vcap, cur);
		prev = cur;
	}
	sqlite3_reset(s);
	return out;
}

/* ---------------------------------------------------------------- list, show */

int h_risk_list(struct hctx *h)
{
	const Pb__RiskList *in = h->req->risk_list;
	const char *bound = NULL;
	int64_t plan_id = 0;
	if (in->as_recorded && as_recorded_bound(h, in->as_recorded, &bound) != OK)
		return h->resp->status;
	if (in->plan && (plan_id = find_plan(h, in->plan)) == 0)
		return h->resp->status;
	if (in->has_status && in->status && check_enum(h, "status", &pb__risk_status__descriptor, in->status) != OK)
		return h->resp->status;
	if (in->has_band && in->band && check_enum(h, "band", &pb__band__descriptor, in->band) != OK)
		return h->resp->status;
	Pb__Risk **all;
	size_t n;
	if (risk_list_build(h, plan_id, bound, &all, &n) != OK)
		return h->resp->status;
	Pb__RiskListReply *r = arena_new(h->arena, Pb__RiskListReply);
	pb__risk_list_reply__init(r);
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		if ((in->has_status && in->status && all[i]->status != in->status) ||
		    (in->has_band && in->band && all[i]->band != in->band) ||
		    (in->has_escalated_only && in->escalated_only && !all[i]->escalated))
			continue;
		ARENA_PUSH(h->arena, r->risks, r->n_risks, cap, all[i]);
	}
	SET_BODY(h, RISK_LIST, risk_list, r);
	return OK;
}

int h_risk_show(struct hctx *h)
{
	const Pb__RiskShow *in = h->req->risk_show;
	const char *bound = NULL;
	int64_t plan_id;
	if (in->as_recorded && as_recorded_bound(h, in->as_recorded, &bound) != OK)
		return h->resp->status;
	int64_t id = find_risk(h, in->plan, in->ref, &plan_id);
	if (id == 0)
		return h->resp->status;
	Pb__RiskReply *r = arena_new(h->arena, Pb__RiskReply);
	pb__risk_reply__init(r);
	if ((r->risk = load_risk(h, id, bound)) == NULL)
		return h->resp->status;
	r->history = load_history(h, id, bound, &r->n_history, NULL);
	SET_BODY(h, RISK, risk, r);
	return OK;
}

/* ---------------------------------------------------------------- writes */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Refs as stored: sorted, unique, each an action of the plan. */
static int join_actions(struct hctx *h, int64_t plan_id, const char *plan, char **refs, size_t n, char **out)
{
	if (n > 1)
		qsort(refs, n, sizeof *refs, cmp_str);
	struct buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(refs[i], refs[i - 1]) == 0)
			continue;
		if (need_ref(h, "action", refs[i]) != OK)
			goto fail;
		sqlite3_stmt *s = store_stmt(h->st, "SELECT 1 FROM action WHERE plan_id = ? AND ref = ?");
		stmt_int(s, 1, plan_id);
		stmt_text(s, 2, refs[i]);
		int found = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_reset(s);
		if (!found) {
			hctx_fail(h, PB__STATUS__NOT_FOUND, "no action '%s' in plan '%s' to link", refs[i], plan);
			goto fail;
		}
		buf_printf(&b, "%s%s", b.len ? "," : "", refs[i]);
	}
	buf_append(&b, "", 1);
	*out = arena_strdup(h->arena, (char *)b.data);
	buf_free(&b);
	return OK;
fail:
	buf_free(&b);
	return h->resp->status;
}

static int check_risk_text(struct hctx *h, const Pb__Risk *in, bool adding)
{
	if ((adding ? need_text(h, "title", in->title, TITLE_MAX) : opt_text(h, "title", in->title, TITLE_MAX)) != OK ||
	    opt_text(h, "description", in->description, NOTE_MAX) != OK ||
	    opt_text(h, "owner", in->owner, NAME_MAX_CHARS) != OK ||
	    opt_text(h, "mitigation", in->mitigation, NOTE_MAX) != OK)
		return h->resp->status;
	if (!adding && in->title && !*in->title)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "title cannot be empty");
	if (in->has_likelihood && (in->likelihood < 1 || in->likelihood > 5))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "likelihood must be 1 to 5, not %u", in->likelihood);
	if (in->has_impact && (in->impact < 1 || in->impact > 5))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "impact must be 1 to 5, not %u", in->impact);
	if (in->has_kind && check_enum(h, "kind", &pb__risk_kind__descriptor, in->kind) != OK)
		return h->resp->status;
	if (in->has_status && check_enum(h, "status", &pb__risk_status__descriptor, in->status) != OK)
		return h->resp->status;
	return OK;
}

/* Store r as its next version. */
static int insert_version(struct hctx *h, int64_t id, const Pb__Risk *r, const char *actions, const char *note,
			  bool forced)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO risk_version(risk_id, version, recorded_at, recorded_by, kind, title,"
		" description, owner, likelihood, impact, mitigation, status, escalated, actions, note, forced)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
	stmt_int(s, 1, id);
	stmt_int(s, 2, r->version);
	stmt_text(s, 3, h->now);
	stmt_text(s, 4, h->who->name);
	stmt_text(s, 5, enum_name(&pb__risk_kind__descriptor, r->kind));
	stmt_text(s, 6, r->title);
	stmt_text(s, 7, r->description);
	stmt_text(s, 8, r->owner);
	stmt_int(s, 9, r->likelihood);
	stmt_int(s, 10, r->impact);
	stmt_text(s, 11, r->mitigation);
	stmt_text(s, 12, enum_name(&pb__risk_status__descriptor, r->status));
	stmt_int(s, 13, r->escalated);
	stmt_text(s, 14, actions);
	stmt_text(s, 15, note);
	stmt_int(s, 16, forced);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? OK : hctx_db_fail(h, "recording the risk's version");
}

static int reply_risk(struct hctx *h, int64_t id)
{
	Pb__RiskReply *r = arena_new(h->arena, Pb__RiskReply);
	pb__risk_reply__init(r);
	if ((r->risk = load_risk(h, id, NULL)) == NULL)
		return h->resp->status;
	SET_BODY(h, RISK, risk, r);
	return OK;
}

int h_risk_add(struct hctx *h)
{
	Pb__Risk *in = h->req->risk_add->risk;
	if (in == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "risk is required");
	int64_t plan_id = find_plan(h, in->plan);
	if (plan_id == 0 || need_ref(h, "ref", in->ref) != OK || check_risk_text(h, in, true) != OK)
		return h->resp->status;
	if (!in->has_likelihood || !in->has_impact)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "likelihood and impact (1 to 5) are required");
	char *actions;
	if (join_actions(h, plan_id, in->plan, in->actions, in->n_actions, &actions) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st, "INSERT INTO risk(plan_id, ref, created_at) VALUES (?,?,?)");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, in->ref);
	stmt_text(s, 3, h->now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return hctx_fail(h, PB__STATUS__CONFLICT, "risk '%s' already exists in plan '%s'", in->ref, in->plan);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "adding the risk");
	int64_t id = sqlite3_last_insert_rowid(store_db(h->st));
	Pb__Risk r = *in;
	r.version = 1;
	if (!in->has_kind)
		r.kind = PB__RISK_KIND__RISK_KIND_RISK;
	if (!in->has_status)
		r.status = PB__RISK_STATUS__RISK_STATUS_OPEN;
	if (insert_version(h, id, &r, actions, "created", false) != OK ||
	    hctx_event(h, "risk", in->ref, "add", in->plan, NULL, "risk %s added: %s (score %u)", in->ref, in->title,
		       in->likelihood * in->impact) != OK)
		return h->resp->status;
	return reply_risk(h, id);
}

/* CONFLICT: the risk changed since based_on. */
static int conflict(struct hctx *h, int64_t id, int64_t based_on, Pb__Risk *cur)
{
	Pb__ConflictDetail *d = arena_new(h->arena, Pb__ConflictDetail);
	pb__conflict_detail__init(d);
	d->has_current_version = d->has_based_on_version = 1;
	d->current_version = cur->version;
	d->based_on_version = based_on;
	d->risk = cur;
	Pb__Risk **versions = NULL;
	size_t n;
	load_history(h, id, NULL, &n, &versions);
	if (based_on >= 1 && based_on <= (int64_t)n)
		diff_risks(h->arena, versions[based_on - 1], cur, &d->differences, &d->n_differences);
	h->resp->conflict = d;
	Pb__RiskReply *r = arena_new(h->arena, Pb__RiskReply);
	pb__risk_reply__init(r);
	r->risk = cur;
	SET_BODY(h, RISK, risk, r);
	return hctx_fail(h, PB__STATUS__CONFLICT, "risk %s is at version %lld, not %lld: someone else changed it%s",
			 cur->ref, (long long)cur->version, (long long)based_on,
			 based_on > cur->version ? " (that version does not exist)" : "; review and retry, or use --force");
}

/* The new state: the current one with the request's fields applied. */
static int apply_update(struct hctx *h, const Pb__RiskUpdate *in, int64_t plan_id, const Pb__Risk *cur,
			Pb__Risk *next, char **actions)
{
	const Pb__Risk *u = in->risk;
	*next = *cur;
	next->version = cur->version + 1;
#define TAKE(f) if (u->f) next->f = u->f
#define TAKE_HAS(f) if (u->has_##f) next->f = u->f
	TAKE(title); TAKE(description); TAKE(owner); TAKE(mitigation);
	TAKE_HAS(kind); TAKE_HAS(likelihood); TAKE_HAS(impact); TAKE_HAS(status); TAKE_HAS(escalated);
#undef TAKE
#undef TAKE_HAS
	/* links: current, minus unlinked, plus linked */
	char **refs = arena_array(h->arena, char *, cur->n_actions + in->n_link_actions + 1);
	size_t n = 0;
	for (size_t i = 0; i < cur->n_actions; i++) {
		bool drop = false;
		for (size_t j = 0; j < in->n_unlink_actions; j++)
			drop |= strcmp(cur->actions[i], in->unlink_actions[j]) == 0;
		if (!drop)
			refs[n++] = cur->actions[i];
	}
	for (size_t j = 0; j < in->n_unlink_actions; j++) {
		bool linked = false;
		for (size_t i = 0; i < cur->n_actions; i++)
			linked |= strcmp(cur->actions[i], in->unlink_actions[j]) == 0;
		if (!linked)
			return hctx_fail(h, PB__STATUS__NOT_FOUND, "action '%s' is not linked to risk %s",
					 in->unlink_actions[j], cur->ref);
	}
	for (size_t j = 0; j < in->n_link_actions; j++)
		refs[n++] = in->link_actions[j];
	return join_actions(h, plan_id, cur->plan, refs, n, actions);
}

static bool update_empty(const Pb__RiskUpdate *in)
{
	const Pb__Risk *u = in->risk;
	return !u->title && !u->description && !u->owner && !u->mitigation && !u->has_kind && !u->has_likelihood &&
	       !u->has_impact && !u->has_status && !u->has_escalated && !in->note && !in->n_link_actions &&
	       !in->n_unlink_actions;
}

int h_risk_update(struct hctx *h)
{
	const Pb__RiskUpdate *in = h->req->risk_update;
	if (in->risk == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "risk is required");
	if (check_risk_text(h, in->risk, false) != OK || opt_text(h, "note", in->note, NOTE_MAX) != OK)
		return h->resp->status;
	if (update_empty(in))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "nothing to update: give a change or a note");
	if (in->has_if_version && in->if_version < 1)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "if_version must be 1 or more");
	int64_t plan_id;
	int64_t id = find_risk(h, in->risk->plan, in->risk->ref, &plan_id);
	if (id == 0)
		return h->resp->status;
	Pb__Risk *cur = load_risk(h, id, NULL);
	if (cur == NULL)
		return h->resp->status;
	bool forced = false;
	if (in->has_if_version && in->if_version != cur->version) {
		if (!(in->has_force && in->force) || in->if_version > cur->version)
			return conflict(h, id, in->if_version, cur);
		forced = true;
	}
	Pb__Risk next;
	char *actions;
	if (apply_update(h, in, plan_id, cur, &next, &actions) != OK ||
	    insert_version(h, id, &next, actions, in->note, forced) != OK)
		return h->resp->status;
	Pb__Risk *now = load_risk(h, id, NULL);
	Pb__FieldChange **changes = NULL;
	size_t n = 0;
	diff_risks(h->arena, cur, now, &changes, &n);
	char summary[400] = "";
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(summary);
		snprintf(summary + len, sizeof summary - len, "%s%s %s->%s", i ? "; " : "", changes[i]->field,
			 changes[i]->old_value ? changes[i]->old_value : "-",
			 changes[i]->new_value ? changes[i]->new_value : "-");
	}
	if (hctx_event(h, "risk", cur->ref, forced ? "update-forced" : "update", cur->plan, NULL, "%s v%lld: %s",
		       cur->ref, (long long)now->version, n ? summary : "note added") != OK)
		return h->resp->status;
	return reply_risk(h, id);
}
