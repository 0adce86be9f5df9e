/* h_board.c: a plan's improvement board: its name, chair, members and
 * terms of reference; its meetings with attendees, notes and decisions;
 * its reviews with success criteria and their verdicts.
 *
 * Everything carries the time it was recorded so a report as recorded by
 * a date shows the board as it was known then. */
#include "enums.h"
#include "governance.h"
#include "handlers.h"
#include "hutil.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- builders */

Pb__Board *board_build(struct hctx *h, int64_t plan_id, const char *plan, const char *bound)
{
	struct arena *a = h->arena;
	Pb__Board *b = arena_new(a, Pb__Board);
	pb__board__init(b);
	b->plan = (char *)plan;
	sqlite3_stmt *s = store_stmt(h->st, "SELECT name, terms_of_reference FROM board WHERE plan_id = ?");
	stmt_int(s, 1, plan_id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		b->name = col_text(a, s, 0);
		b->terms_of_reference = col_text(a, s, 1);
	}
	sqlite3_reset(s);
	s = store_stmt(h->st, "SELECT name, role, chair FROM board_member WHERE plan_id = ?1"
		" AND (?2 IS NULL OR recorded_at <= ?2) ORDER BY chair DESC, id");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, bound);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		Pb__BoardMember *m = arena_new(a, Pb__BoardMember);
		pb__board_member__init(m);
		m->name = col_text(a, s, 0);
		m->role = col_text(a, s, 1);
		m->has_chair = 1;
		m->chair = sqlite3_column_int(s, 2) != 0;
		ARENA_PUSH(a, b->members, b->n_members, cap, m);
	}
	sqlite3_reset(s);
	return b;
}

/* Split text at newlines into a string array. */
static void split_lines(struct arena *a, const char *s, char ***out, size_t *n)
{
	size_t cap = 0;
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		if (len)
			ARENA_PUSH(a, *out, *n, cap, arena_strndup(a, s, len));
		s = nl ? nl + 1 : NULL;
	}
}

static void load_decisions(struct hctx *h, Pb__Meeting *m)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT text, action_ref FROM decision WHERE meeting_id = ? ORDER BY position");
	stmt_int(s, 1, m->id);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		Pb__Decision *d = arena_new(h->arena, Pb__Decision);
		pb__decision__init(d);
		d->text = col_text(h->arena, s, 0);
		d->action_ref = col_text(h->arena, s, 1);
		ARENA_PUSH(h->arena, m->decisions, m->n_decisions, cap, d);
	}
	sqlite3_reset(s);
}

static Pb__Meeting *meeting_from_row(struct hctx *h, sqlite3_stmt *s, const char *plan)
{
	Pb__Meeting *m = arena_new(h->arena, Pb__Meeting);
	pb__meeting__init(m);
	m->has_id = 1;
	m->id = sqlite3_column_int64(s, 0);
	m->plan = (char *)plan;
	m->date = col_text(h->arena, s, 1);
	m->title = col_text(h->arena, s, 2);
	split_lines(h->arena, (const char *)sqlite3_column_text(s, 3), &m->attendees, &m->n_attendees);
	m->notes = col_text(h->arena, s, 4);
	return m;
}

int meetings_build(struct hctx *h, int64_t plan_id, const char *plan, const char *bound, Pb__Meeting ***out, size_t *n)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT id, date, title, attendees, notes FROM meeting"
		" WHERE plan_id = ?1 AND (?2 IS NULL OR recorded_at <= ?2) ORDER BY date, id");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, bound);
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		ARENA_PUSH(h->arena, *out, *n, cap, meeting_from_row(h, s, plan));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "listing meetings");
	for (size_t i = 0; i < *n; i++)
		load_decisions(h, (*out)[i]);
	return OK;
}

/* The newest manual judgement recorded by bound. */
static void load_judgement(struct hctx *h, Pb__Criterion *c, const char *bound)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT verdict, evidence, judged_by, judged_at FROM judgement"
		" WHERE criterion_id = ?1 AND (?2 IS NULL OR judged_at <= ?2) ORDER BY judged_at DESC, id DESC LIMIT 1");
	stmt_int(s, 1, c->id);
	stmt_text(s, 2, bound);
	c->has_verdict = 1;
	c->verdict = PB__VERDICT__VERDICT_NOT_JUDGED;
	if (sqlite3_step(s) == SQLITE_ROW) {
		c->verdict = enum_value_or0(&pb__verdict__descriptor, (const char *)sqlite3_column_text(s, 0));
		c->evidence = col_text(h->arena, s, 1);
		c->judged_by = col_text(h->arena, s, 2);
		c->judged_at = col_text(h->arena, s, 3);
	}
	sqlite3_reset(s);
}

static Pb__Criterion *criterion_from_row(struct hctx *h, sqlite3_stmt *s)
{
	struct arena *a = h->arena;
	Pb__Criterion *c = arena_new(a, Pb__Criterion);
	pb__criterion__init(c);
	c->has_id = c->has_kind = 1;
	c->id = sqlite3_column_int64(s, 0);
	c->text = col_text(a, s, 1);
	c->kind = enum_value_or0(&pb__criterion_kind__descriptor, (const char *)sqlite3_column_text(s, 2));
	c->metric = col_text(a, s, 3);
	c->locality = col_text(a, s, 4);
	if (sqlite3_column_type(s, 5) != SQLITE_NULL) {
		c->has_threshold = 1;
		c->threshold = sqlite3_column_double(s, 5);
	}
	c->has_months = 1;
	c->months = (uint32_t)sqlite3_column_int(s, 6);
	return c;
}

/* Criteria of a review, each with its verdict. */
static void load_criteria(struct hctx *h, Pb__Review *r, const char *bound, const char *as_of)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT id, text, kind, metric, locality, threshold, months"
		" FROM criterion WHERE review_id = ?1 AND (?2 IS NULL OR recorded_at <= ?2) ORDER BY id");
	stmt_int(s, 1, r->id);
	stmt_text(s, 2, bound);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW)
		ARENA_PUSH(h->arena, r->criteria, r->n_criteria, cap, criterion_from_row(h, s));
	sqlite3_reset(s);
	for (size_t i = 0; i < r->n_criteria; i++) {
		Pb__Criterion *c = r->criteria[i];
		if (c->kind == PB__CRITERION_KIND__CRITERION_KIND_MANUAL)
			load_judgement(h, c, bound);
		else
			criterion_evaluate_db(h, c, bound, as_of);
	}
}

int reviews_build(struct hctx *h, int64_t plan_id, const char *plan, const char *bound, const char *as_of,
		  Pb__Review ***out, size_t *n)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT id, date, title, outcome FROM review"
		" WHERE plan_id = ?1 AND (?2 IS NULL OR recorded_at <= ?2) ORDER BY date, id");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, bound);
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		Pb__Review *r = arena_new(h->arena, Pb__Review);
		pb__review__init(r);
		r->has_id = 1;
		r->id = sqlite3_column_int64(s, 0);
		r->plan = (char *)plan;
		r->date = col_text(h->arena, s, 1);
		r->title = col_text(h->arena, s, 2);
		r->outcome = col_text(h->arena, s, 3);
		ARENA_PUSH(h->arena, *out, *n, cap, r);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "listing reviews");
	for (size_t i = 0; i < *n; i++)
		load_criteria(h, (*out)[i], bound, as_of);
	return OK;
}

/* ---------------------------------------------------------------- board */

static int reply_board(struct hctx *h, int64_t plan_id, const char *plan)
{
	Pb__BoardReply *r = arena_new(h->arena, Pb__BoardReply);
	pb__board_reply__init(r);
	r->board = board_build(h, plan_id, plan, NULL);
	SET_BODY(h, BOARD, board, r);
	return OK;
}

int h_board_show(struct hctx *h)
{
	const char *plan = h->req->board_show->plan;
	int64_t plan_id = find_plan(h, plan);
	if (plan_id == 0)
		return h->resp->status;
	return reply_board(h, plan_id, plan);
}

int h_board_set(struct hctx *h)
{
	const Pb__Board *in = h->req->board_set->board;
	if (in == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "board is required");
	int64_t plan_id = find_plan(h, in->plan);
	if (plan_id == 0 || opt_text(h, "name", in->name, TITLE_MAX) != OK ||
	    opt_text(h, "terms_of_reference", in->terms_of_reference, NOTE_MAX) != OK)
		return h->resp->status;
	if (!in->name && !in->terms_of_reference)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "nothing to set: give a name or terms of reference");
	sqlite3_stmt *s = store_stmt(h->st, "INSERT INTO board(plan_id, name, terms_of_reference, updated_at)"
		" VALUES (?1, nullif(?2, ''), ?3, ?4) ON CONFLICT(plan_id) DO UPDATE SET"
		" name = coalesce(nullif(?2, ''), name), terms_of_reference = coalesce(?3, terms_of_reference),"
		" updated_at = ?4");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, in->name);
	stmt_text(s, 3, in->terms_of_reference);
	stmt_text(s, 4, h->now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "setting the board");
	if (hctx_event(h, "board", NULL, "set", in->plan, NULL, "board of %s set%s%s", in->plan,
		       in->name ? ": " : "", in->name ? in->name : "") != OK)
		return h->resp->status;
	return reply_board(h, plan_id, in->plan);
}

int h_board_member_add(struct hctx *h)
{
	const Pb__BoardMemberAdd *in = h->req->board_member_add;
	int64_t plan_id = find_plan(h, in->plan);
	if (plan_id == 0)
		return h->resp->status;
	const Pb__BoardMember *m = in->member;
	if (m == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "member is required");
	if (need_text(h, "name", m->name, NAME_MAX_CHARS) != OK || opt_text(h, "role", m->role, TITLE_MAX) != OK)
		return h->resp->status;
	bool chair = m->has_chair && m->chair;
	if (chair) { /* one chair: a new chair replaces the old */
		sqlite3_stmt *s = store_stmt(h->st, "UPDATE board_member SET chair = 0 WHERE plan_id = ?");
		stmt_int(s, 1, plan_id);
		sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO board_member(plan_id, name, role, chair, recorded_at) VALUES (?,?,?,?,?)");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, m->name);
	stmt_text(s, 3, m->role);
	stmt_int(s, 4, chair);
	stmt_text(s, 5, h->now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return hctx_fail(h, PB__STATUS__CONFLICT, "%s is already a member of the board of %s", m->name, in->plan);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "adding the member");
	if (hctx_event(h, "board", NULL, "member-add", in->plan, NULL, "%s joined the board of %s%s", m->name,
		       in->plan, chair ? " as chair" : "") != OK)
		return h->resp->status;
	return reply_board(h, plan_id, in->plan);
}

/* ---------------------------------------------------------------- meetings */

/* Create a decision's new action through the ActionAdd handler itself,
 * so it gets the same checks, version and event as `action add`. The
 * request is never modified: the action is a copy in the arena. */
static int create_decision_action(struct hctx *h, const Pb__Meeting *m, const Pb__Decision *d)
{
	if (h->who->role != PB__ROLE__ROLE_ADMIN)
		return hctx_fail(h, PB__STATUS__FORBIDDEN, "only admins may create actions (decision '%s')", d->text);
	if (d->action_ref)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "a decision links an action or creates one, not both");
	Pb__Action *a = arena_new(h->arena, Pb__Action);
	*a = *d->create_action;
	if (a->plan && strcmp(a->plan, m->plan) != 0)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "a decision's new action belongs to the meeting's plan");
	a->plan = m->plan;
	if (a->title == NULL) /* a decision longer than a title is refused by the checks */
		a->title = d->text;
	Pb__ActionAdd add = PB__ACTION_ADD__INIT;
	add.action = a;
	Pb__Request req = *h->req;
	req.body_case = PB__REQUEST__BODY_ACTION_ADD;
	req.action_add = &add;
	const Pb__Request *saved = h->req;
	h->req = &req;
	int rc = h_action_add(h);
	h->req = saved;
	return rc;
}

/* Check each decision, creating its new action if it asks for one; refs[i]
 * is the action decision i links to (or NULL). */
static int check_decisions(struct hctx *h, int64_t plan_id, const Pb__Meeting *m, const char **refs)
{
	for (size_t i = 0; i < m->n_decisions; i++) {
		const Pb__Decision *d = m->decisions[i];
		if (need_text(h, "decision", d->text, NOTE_MAX) != OK)
			return h->resp->status;
		if (d->create_action) {
			if (create_decision_action(h, m, d) != OK)
				return h->resp->status;
			refs[i] = d->create_action->ref;
			continue;
		}
		refs[i] = d->action_ref;
		if (d->action_ref == NULL)
			continue;
		if (need_ref(h, "decision action", d->action_ref) != OK)
			return h->resp->status;
		sqlite3_stmt *s = store_stmt(h->st, "SELECT 1 FROM action WHERE plan_id = ? AND ref = ?");
		stmt_int(s, 1, plan_id);
		stmt_text(s, 2, d->action_ref);
		int found = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_reset(s);
		if (!found)
			return hctx_fail(h, PB__STATUS__NOT_FOUND, "no action '%s' in plan '%s' for the decision '%s'",
					 d->action_ref, m->plan, d->text);
	}
	return OK;
}

static int insert_decisions(struct hctx *h, int64_t meeting_id, const Pb__Meeting *m, const char **refs)
{
	for (size_t i = 0; i < m->n_decisions; i++) {
		sqlite3_stmt *s = store_stmt(h->st,
			"INSERT INTO decision(meeting_id, position, text, action_ref) VALUES (?,?,?,?)");
		stmt_int(s, 1, meeting_id);
		stmt_int(s, 2, (int64_t)i);
		stmt_text(s, 3, m->decisions[i]->text);
		stmt_text(s, 4, refs[i]);
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return hctx_db_fail(h, "recording a decision");
	}
	return OK;
}

int h_meeting_add(struct hctx *h)
{
	const Pb__Meeting *m = h->req->meeting_add->meeting;
	if (m == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "meeting is required");
	int64_t plan_id = find_plan(h, m->plan);
	const char **refs = arena_array(h->arena, const char *, m->n_decisions + 1);
	if (plan_id == 0 || check_date(h, "date", m->date, false) != OK ||
	    opt_text(h, "title", m->title, TITLE_MAX) != OK || opt_text(h, "notes", m->notes, NOTE_MAX) != OK ||
	    check_decisions(h, plan_id, m, refs) != OK)
		return h->resp->status;
	struct buf b = { 0 };
	for (size_t i = 0; i < m->n_attendees; i++) {
		if (need_text(h, "attendee", m->attendees[i], NAME_MAX_CHARS) != OK || strchr(m->attendees[i], '\n')) {
			buf_free(&b);
			if (h->resp->status != OK)
				return h->resp->status;
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "an attendee's name is one line");
		}
		buf_printf(&b, "%s%s", i ? "\n" : "", m->attendees[i]);
	}
	buf_append(&b, "", 1);
	sqlite3_stmt *s = store_stmt(h->st, "INSERT INTO meeting(plan_id, date, title, attendees, notes,"
		" recorded_at, recorded_by) VALUES (?,?,?,?,?,?,?)");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, m->date);
	stmt_text(s, 3, m->title);
	stmt_text(s, 4, (char *)b.data);
	stmt_text(s, 5, m->notes);
	stmt_text(s, 6, h->now);
	stmt_text(s, 7, h->who->name);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	buf_free(&b);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "adding the meeting");
	int64_t id = sqlite3_last_insert_rowid(store_db(h->st));
	if (insert_decisions(h, id, m, refs) != OK ||
	    hctx_event(h, "meeting", NULL, "add", m->plan, NULL, "board meeting of %s on %s (%zu decisions)", m->plan,
		       m->date, m->n_decisions) != OK)
		return h->resp->status;
	Pb__Meeting **all;
	size_t n;
	if (meetings_build(h, plan_id, m->plan, NULL, &all, &n) != OK)
		return h->resp->status;
	Pb__MeetingReply *r = arena_new(h->arena, Pb__MeetingReply);
	pb__meeting_reply__init(r);
	for (size_t i = 0; i < n; i++)
		if (all[i]->id == id)
			r->meeting = all[i];
	SET_BODY(h, MEETING, meeting, r);
	return OK;
}

int h_meeting_list(struct hctx *h)
{
	const char *plan = h->req->meeting_list->plan;
	int64_t plan_id = find_plan(h, plan);
	if (plan_id == 0)
		return h->resp->status;
	Pb__MeetingListReply *r = arena_new(h->arena, Pb__MeetingListReply);
	pb__meeting_list_reply__init(r);
	if (meetings_build(h, plan_id, plan, NULL, &r->meetings, &r->n_meetings) != OK)
		return h->resp->status;
	SET_BODY(h, MEETING_LIST, meeting_list, r);
	return OK;
}

/* ---------------------------------------------------------------- reviews */

int h_review_add(struct hctx *h)
{
	const Pb__Review *in = h->req->review_add->review;
	if (in == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "review is required");
	int64_t plan_id = find_plan(h, in->plan);
	if (plan_id == 0 || check_date(h, "date", in->date, false) != OK ||
	    need_text(h, "title", in->title, TITLE_MAX) != OK || opt_text(h, "outcome", in->outcome, NOTE_MAX) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO review(plan_id, date, title, outcome, recorded_at) VALUES (?,?,?,?,?)");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, in->date);
	stmt_text(s, 3, in->title);
	stmt_text(s, 4, in->outcome);
	stmt_text(s, 5, h->now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "adding the review");
	int64_t id = sqlite3_last_insert_rowid(store_db(h->st));
	if (hctx_event(h, "review", NULL, "add", in->plan, NULL, "review %lld of %s on %s: %s", (long long)id, in->plan,
		       in->date, in->title) != OK)
		return h->resp->status;
	Pb__ReviewReply *r = arena_new(h->arena, Pb__ReviewReply);
	pb__review_reply__init(r);
	r->review = arena_new(h->arena, Pb__Review);
	pb__review__init(r->review);
	*r->review = *in;
	r->review->criteria = NULL;
	r->review->n_criteria = 0;
	r->review->has_id = 1;
	r->review->id = id;
	SET_BODY(h, REVIEW, review, r);
	return OK;
}

int h_review_list(struct hctx *h)
{
	const Pb__ReviewList *in = h->req->review_list;
	char today[11];
	today_date(today);
	const char *as_of = in->as_of ? in->as_of : arena_strdup(h->arena, today);
	int64_t plan_id = find_plan(h, in->plan);
	if (plan_id == 0 || check_date(h, "as_of", as_of, false) != OK)
		return h->resp->status;
	Pb__ReviewListReply *r = arena_new(h->arena, Pb__ReviewListReply);
	pb__review_list_reply__init(r);
	if (reviews_build(h, plan_id, in->plan, NULL, as_of, &r->reviews, &r->n_reviews) != OK)
		return h->resp->status;
	SET_BODY(h, REVIEW_LIST, review_list, r);
	return OK;
}

/* ---------------------------------------------------------------- criteria */

static int check_criterion(struct hctx *h, const Pb__Criterion *c, int kind)
{
	if (need_text(h, "text", c->text, NOTE_MAX) != OK)
		return h->resp->status;
	if (kind == PB__CRITERION_KIND__CRITERION_KIND_MANUAL) {
		if (c->metric || c->locality || c->has_threshold)
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
					 "a manual criterion has no metric, locality or threshold");
		return OK;
	}
	if (check_enum(h, "kind", &pb__criterion_kind__descriptor, kind) != OK || need_code(h, "metric", c->metric) != OK)
		return h->resp->status;
	if (!c->has_threshold)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "a %s criterion needs a threshold",
				 enum_name(&pb__criterion_kind__descriptor, kind));
	if (c->has_months && (c->months < 1 || c->months > 120))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "months must be 1 to 120, not %u", c->months);
	if (c->locality && find_locality(h, c->locality) == 0)
		return h->resp->status;
	return OK;
}

int h_criterion_add(struct hctx *h)
{
	const Pb__CriterionAdd *in = h->req->criterion_add;
	const Pb__Criterion *c = in->criterion;
	if (c == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "criterion is required");
	sqlite3_stmt *s = store_stmt(h->st, "SELECT r.plan_id, p.code, p.locality_id, l.code FROM review r"
		" JOIN plan p ON p.id = r.plan_id LEFT JOIN locality l ON l.id = p.locality_id WHERE r.id = ?");
	stmt_int(s, 1, in->review_id);
	char *plan = NULL, *plan_locality = NULL;
	if (sqlite3_step(s) == SQLITE_ROW) {
		plan = col_text(h->arena, s, 1);
		plan_locality = col_text(h->arena, s, 3);
	}
	sqlite3_reset(s);
	if (plan == NULL)
		return hctx_fail(h, PB__STATUS__NOT_FOUND, "no review %lld", (long long)in->review_id);
	int kind = c->has_kind && c->kind ? (int)c->kind : PB__CRITERION_KIND__CRITERION_KIND_MANUAL;
	if (check_criterion(h, c, kind) != OK)
		return h->resp->status;
	const char *locality = c->locality ? c->locality : plan_locality;
	if (kind != PB__CRITERION_KIND__CRITERION_KIND_MANUAL && locality == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "plan %s has no locality: give the criterion's locality", plan);
	s = store_stmt(h->st, "INSERT INTO criterion(review_id, text, kind, metric, locality, threshold, months,"
		" recorded_at) VALUES (?,?,?,?,?,?,?,?)");
	stmt_int(s, 1, in->review_id);
	stmt_text(s, 2, c->text);
	stmt_text(s, 3, enum_name(&pb__criterion_kind__descriptor, kind));
	stmt_text(s, 4, kind == PB__CRITERION_KIND__CRITERION_KIND_MANUAL ? NULL : c->metric);
	stmt_text(s, 5, kind == PB__CRITERION_KIND__CRITERION_KIND_MANUAL ? NULL : locality);
	if (c->has_threshold)
		stmt_real(s, 6, c->threshold);
	stmt_int(s, 7, c->has_months && c->months ? c->months : 1);
	stmt_text(s, 8, h->now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "adding the criterion");
	int64_t id = sqlite3_last_insert_rowid(store_db(h->st));
	if (hctx_event(h, "criterion", NULL, "add", plan, NULL, "criterion %lld of review %lld: %s", (long long)id,
		       (long long)in->review_id, c->text) != OK)
		return h->resp->status;
	s = store_stmt(h->st, "SELECT id, text, kind, metric, locality, threshold, months FROM criterion WHERE id = ?");
	stmt_int(s, 1, id);
	sqlite3_step(s);
	Pb__CriterionReply *r = arena_new(h->arena, Pb__CriterionReply);
	pb__criterion_reply__init(r);
	r->criterion = criterion_from_row(h, s);
	sqlite3_reset(s);
	if (kind == PB__CRITERION_KIND__CRITERION_KIND_MANUAL)
		load_judgement(h, r->criterion, NULL);
	SET_BODY(h, CRITERION, criterion, r);
	return OK;
}

int h_criterion_judge(struct hctx *h)
{
	const Pb__CriterionJudge *in = h->req->criterion_judge;
	if (check_enum(h, "verdict", &pb__verdict__descriptor, in->verdict) != OK ||
	    opt_text(h, "evidence", in->evidence, NOTE_MAX) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st, "SELECT c.id, c.text, c.kind, c.metric, c.locality, c.threshold,"
		" c.months, p.code FROM criterion c JOIN review r ON r.id = c.review_id JOIN plan p ON p.id = r.plan_id"
		" WHERE c.id = ?");
	stmt_int(s, 1, in->criterion_id);
	Pb__Criterion *c = NULL;
	char *plan = NULL;
	if (sqlite3_step(s) == SQLITE_ROW) {
		c = criterion_from_row(h, s);
		plan = col_text(h->arena, s, 7);
	}
	sqlite3_reset(s);
	if (c == NULL)
		return hctx_fail(h, PB__STATUS__NOT_FOUND, "no criterion %lld", (long long)in->criterion_id);
	if (c->kind != PB__CRITERION_KIND__CRITERION_KIND_MANUAL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
				 "criterion %lld is evaluated from metric %s; only manual criteria are judged",
				 (long long)c->id, c->metric);
	s = store_stmt(h->st, "INSERT INTO judgement(criterion_id, verdict, evidence, judged_by, judged_at)"
		" VALUES (?,?,?,?,?)");
	stmt_int(s, 1, c->id);
	stmt_text(s, 2, enum_name(&pb__verdict__descriptor, in->verdict));
	stmt_text(s, 3, in->evidence);
	stmt_text(s, 4, h->who->name);
	stmt_text(s, 5, h->now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "recording the judgement");
	if (hctx_event(h, "criterion", NULL, "judge", plan, NULL, "criterion %lld judged %s", (long long)c->id,
		       enum_name(&pb__verdict__descriptor, in->verdict)) != OK)
		return h->resp->status;
	load_judgement(h, c, NULL);
	Pb__CriterionReply *r = arena_new(h->arena, Pb__CriterionReply);
	pb__criterion_reply__init(r);
	r->criterion = c;
	SET_BODY(h, CRITERION, criterion, r);
	return OK;
}
