/* h_plan.c: localities, plans and their themes. */
#include "handlers.h"
#include "hutil.h"
#include "validate.h"

#include <string.h>

static int step_done(struct hctx *h, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return OK;
	if (rc == SQLITE_CONSTRAINT)
		return hctx_fail(h, PB__STATUS__CONFLICT, "%s already exists", what);
	return hctx_db_fail(h, what);
}

int h_locality_list(struct hctx *h)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT code, name FROM locality ORDER BY code");
	Pb__LocalityListReply *r = arena_new(h->arena, Pb__LocalityListReply);
	pb__locality_list_reply__init(r);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		Pb__Locality *l = arena_new(h->arena, Pb__Locality);
		pb__locality__init(l);
		l->code = col_text(h->arena, s, 0);
		l->name = col_text(h->arena, s, 1);
		ARENA_PUSH(h->arena, r->localities, r->n_localities, cap, l);
	}
	sqlite3_reset(s);
	SET_BODY(h, LOCALITY_LIST, locality_list, r);
	return OK;
}

int h_locality_add(struct hctx *h)
{
	const Pb__Locality *in = h->req->locality_add->locality;
	if (in == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "locality is required");
	if (need_code(h, "code", in->code) != OK || need_text(h, "name", in->name, NAME_MAX_CHARS) != OK)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st, "INSERT INTO locality(code, name) VALUES (?,?)");
	stmt_text(s, 1, in->code);
	stmt_text(s, 2, in->name);
	char *what = arena_printf(h->arena, "locality '%s'", in->code);
	if (step_done(h, s, what) != OK)
		return h->resp->status;
	if (hctx_event(h, "locality", in->code, "add", NULL, in->code, "locality %s added: %s", in->code, in->name) != OK)
		return h->resp->status;
	Pb__LocalityReply *r = arena_new(h->arena, Pb__LocalityReply);
	pb__locality_reply__init(r);
	r->locality = (Pb__Locality *)in;
	SET_BODY(h, LOCALITY, locality, r);
	return OK;
}

#define PLAN_COLUMNS                                                                  \
	"SELECT p.code, p.title, l.code, p.start_date, p.end_date,"                  \
	" (SELECT count(*) FROM theme t WHERE t.plan_id = p.id),"                    \
	" (SELECT count(*) FROM action a WHERE a.plan_id = p.id) "                   \
	"FROM plan p LEFT JOIN locality l ON l.id = p.locality_id "

static Pb__Plan *plan_row(struct hctx *h, sqlite3_stmt *s)
{
	Pb__Plan *p = arena_new(h->arena, Pb__Plan);
	pb__plan__init(p);
	p->code = col_text(h->arena, s, 0);
	p->title = col_text(h->arena, s, 1);
	p->locality = col_text(h->arena, s, 2);
	p->start_date = col_text(h->arena, s, 3);
	p->end_date = col_text(h->arena, s, 4);
	p->has_themes = p->has_actions = 1;
	p->themes = (uint32_t)sqlite3_column_int(s, 5);
	p->actions = (uint32_t)sqlite3_column_int(s, 6);
	return p;
}

int h_plan_list(struct hctx *h)
{
	sqlite3_stmt *s = store_stmt(h->st, PLAN_COLUMNS "ORDER BY p.code");
	Pb__PlanListReply *r = arena_new(h->arena, Pb__PlanListReply);
	pb__plan_list_reply__init(r);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		ARENA_PUSH(h->arena, r->plans, r->n_plans, cap, plan_row(h, s));
	}
	sqlite3_reset(s);
	SET_BODY(h, PLAN_LIST, plan_list, r);
	return OK;
}

static Pb__Theme **list_themes(struct hctx *h, int64_t plan_id, const char *plan, size_t *n)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT t.code, t.title, t.position,"
		" (SELECT count(*) FROM action a WHERE a.theme_id = t.id) "
		"FROM theme t WHERE t.plan_id = ? ORDER BY t.position, t.code");
	stmt_int(s, 1, plan_id);
	Pb__Theme **v = NULL;
	size_t cap = 0;
	*n = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		Pb__Theme *t = arena_new(h->arena, Pb__Theme);
		pb__theme__init(t);
		t->plan = (char *)plan;
		t->code = col_text(h->arena, s, 0);
		t->title = col_text(h->arena, s, 1);
		t->has_position = t->has_actions = 1;
		t->position = (uint32_t)sqlite3_column_int(s, 2);
		t->actions = (uint32_t)sqlite3_column_int(s, 3);
		ARENA_PUSH(h->arena, v, *n, cap, t);
	}
	sqlite3_reset(s);
	return v;
}

int h_plan_show(struct hctx *h)
{
	const char *code = h->req->plan_show->code;
	int64_t plan_id = find_plan(h, code);
	if (plan_id == 0)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st, PLAN_COLUMNS "WHERE p.id = ?");
	stmt_int(s, 1, plan_id);
	Pb__PlanReply *r = arena_new(h->arena, Pb__PlanReply);
	pb__plan_reply__init(r);
	if (sqlite3_step(s) == SQLITE_ROW)
		r->plan = plan_row(h, s);
	sqlite3_reset(s);
	r->themes = list_themes(h, plan_id, r->plan ? r->plan->code : code, &r->n_themes);
	SET_BODY(h, PLAN, plan, r);
	return OK;
}

int h_plan_add(struct hctx *h)
{
	const Pb__Plan *in = h->req->plan_add->plan;
	if (in == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "plan is required");
	if (need_code(h, "code", in->code) != OK || need_text(h, "title", in->title, TITLE_MAX) != OK ||
	    check_date(h, "start", in->start_date, true) != OK ||
	    check_date(h, "end", in->end_date, true) != OK)
		return h->resp->status;
	if (in->start_date && in->end_date && strcmp(in->start_date, in->end_date) > 0)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "the plan ends before it starts");
	int64_t locality_id = 0;
	if (in->locality != NULL && (locality_id = find_locality(h, in->locality)) == 0)
		return h->resp->status;
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO plan(code, title, locality_id, start_date, end_date) VALUES (?,?,?,?,?)");
	stmt_text(s, 1, in->code);
	stmt_text(s, 2, in->title);
	if (locality_id)
		stmt_int(s, 3, locality_id);
	stmt_text(s, 4, in->start_date);
	stmt_text(s, 5, in->end_date);
	if (step_done(h, s, arena_printf(h->arena, "plan '%s'", in->code)) != OK)
		return h->resp->status;
	if (hctx_event(h, "plan", in->code, "add", in->code, in->locality, "plan %s added: %s", in->code, in->title) != OK)
		return h->resp->status;
	Pb__PlanReply *r = arena_new(h->arena, Pb__PlanReply);
	pb__plan_reply__init(r);
	r->plan = (Pb__Plan *)in;
	SET_BODY(h, PLAN, plan, r);
	return OK;
}

int h_theme_list(struct hctx *h)
{
	const char *plan = h->req->theme_list->plan;
	int64_t plan_id = find_plan(h, plan);
	if (plan_id == 0)
		return h->resp->status;
	Pb__ThemeListReply *r = arena_new(h->arena, Pb__ThemeListReply);
	pb__theme_list_reply__init(r);
	r->themes = list_themes(h, plan_id, plan, &r->n_themes);
	SET_BODY(h, THEME_LIST, theme_list, r);
	return OK;
}

int h_theme_add(struct hctx *h)
{
	Pb__Theme *in = h->req->theme_add->theme;
	if (in == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "theme is required");
	int64_t plan_id = find_plan(h, in->plan);
	if (plan_id == 0)
		return h->resp->status;
	if (need_code(h, "code", in->code) != OK || need_text(h, "title", in->title, TITLE_MAX) != OK)
		return h->resp->status;
	uint32_t position = in->has_position ? in->position : 0;
	if (!in->has_position) {
		sqlite3_stmt *p = store_stmt(h->st, "SELECT coalesce(max(position), 0) + 1 FROM theme WHERE plan_id = ?");
		stmt_int(p, 1, plan_id);
		if (sqlite3_step(p) == SQLITE_ROW)
			position = (uint32_t)sqlite3_column_int(p, 0);
		sqlite3_reset(p);
	}
	sqlite3_stmt *s = store_stmt(h->st, "INSERT INTO theme(plan_id, code, title, position) VALUES (?,?,?,?)");
	stmt_int(s, 1, plan_id);
	stmt_text(s, 2, in->code);
	stmt_text(s, 3, in->title);
	stmt_int(s, 4, position);
	if (step_done(h, s, arena_printf(h->arena, "theme '%s' in plan '%s'", in->code, in->plan)) != OK)
		return h->resp->status;
	if (hctx_event(h, "theme", in->code, "add", in->plan, NULL, "theme %s added: %s", in->code, in->title) != OK)
		return h->resp->status;
	in->has_position = 1;
	in->position = position;
	Pb__ThemeReply *r = arena_new(h->arena, Pb__ThemeReply);
	pb__theme_reply__init(r);
	r->theme = in;
	SET_BODY(h, THEME, theme, r);
	return OK;
}
