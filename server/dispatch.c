/* dispatch.c: the dispatch table and the checks every request passes
 * before its handler: handshake state, login, role, admin-only
 * recorded_at, and the savepoint of a write inside the group commit. */
#include "concurrency.h"
#include "dispatch.h"
#include "enums.h"
#include "handlers.h"
#include "log.h"
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define B(x) PB__REQUEST__BODY_##x

/* One entry per request type: find a request's handler here. */
static const struct handler handler_table[] = {
	{ B(HELLO), R_ANY, H_PRELOGIN, h_hello },
	{ B(LOGIN), R_ANY, H_PRELOGIN | H_WRITE, h_login },
	{ B(LOGOUT), R_ANY, H_WRITE, h_logout },
	{ B(WHOAMI), R_ANY, 0, h_whoami },
	{ B(PING), R_ANY, 0, h_ping },
	{ B(SERVER_STATUS), R_ANY, 0, h_server_status },

	{ B(LOCALITY_LIST), R_ANY, 0, h_locality_list },
	{ B(LOCALITY_ADD), R_ADMIN, H_WRITE, h_locality_add },
	{ B(PLAN_LIST), R_ANY, 0, h_plan_list },
	{ B(PLAN_SHOW), R_ANY, 0, h_plan_show },
	{ B(PLAN_ADD), R_ADMIN, H_WRITE, h_plan_add },
	{ B(THEME_LIST), R_ANY, 0, h_theme_list },
	{ B(THEME_ADD), R_ADMIN, H_WRITE, h_theme_add },

	{ B(ACTION_LIST), R_ANY, 0, h_action_list },
	{ B(ACTION_SHOW), R_ANY, 0, h_action_show },
	{ B(ACTION_ADD), R_ADMIN, H_WRITE, h_action_add },
	/* Locality users: only their own locality's actions (checked inside). */
	{ B(ACTION_UPDATE), R_ADMIN | R_LOCALITY, H_WRITE | H_CHECKS_FIRST, h_action_update },
	{ B(ACTION_HISTORY), R_ANY, 0, h_action_history },

	{ B(USER_ADD), R_ADMIN, H_WRITE, h_user_add },
	{ B(USER_LIST), R_ADMIN, 0, h_user_list },
	{ B(USER_DISABLE), R_ADMIN, H_WRITE, h_user_disable },
	/* Anyone may change their own password; admins anyone's (inside). */
	{ B(USER_PASSWD), R_ANY, H_WRITE, h_user_passwd },

	{ B(METRIC_LIST), R_ANY, 0, h_metric_list },
	{ B(METRIC_DEFINE), R_ADMIN | R_PERF, H_WRITE, h_metric_define },
	/* Locality users: only their own locality's figures (checked inside). */
	{ B(METRIC_SUBMIT), R_ADMIN | R_PERF | R_LOCALITY, H_WRITE, h_metric_submit },
	{ B(METRIC_SERIES), R_ANY, 0, h_metric_series },
	{ B(METRIC_COMPARE), R_ANY, 0, h_metric_compare },
	{ B(METRIC_HISTORY), R_ANY, 0, h_metric_history },
	{ B(AUDIT_SUBMIT), R_ADMIN | R_PERF | R_LOCALITY, H_WRITE, h_audit_submit },
	{ B(AUDIT_LIST), R_ANY, 0, h_audit_list },
	/* Kinds allowed per role are checked inside (actions: admin only). */
	{ B(IMPORT), R_ADMIN | R_PERF, H_WRITE, h_import },
	{ B(EXPORT), R_ANY, 0, h_export },

	{ B(RISK_LIST), R_ANY, 0, h_risk_list },
	{ B(RISK_SHOW), R_ANY, 0, h_risk_show },
	{ B(RISK_ADD), R_ADMIN | R_PERF, H_WRITE, h_risk_add },
	{ B(RISK_UPDATE), R_ADMIN | R_PERF, H_WRITE, h_risk_update },
	{ B(BOARD_SHOW), R_ANY, 0, h_board_show },
	{ B(BOARD_SET), R_ADMIN | R_PERF, H_WRITE, h_board_set },
	{ B(BOARD_MEMBER_ADD), R_ADMIN | R_PERF, H_WRITE, h_board_member_add },
	{ B(MEETING_ADD), R_ADMIN | R_PERF, H_WRITE, h_meeting_add },
	{ B(MEETING_LIST), R_ANY, 0, h_meeting_list },
	{ B(REVIEW_ADD), R_ADMIN | R_PERF, H_WRITE, h_review_add },
	{ B(REVIEW_LIST), R_ANY, 0, h_review_list },
	{ B(CRITERION_ADD), R_ADMIN | R_PERF, H_WRITE, h_criterion_add },
	{ B(CRITERION_JUDGE), R_ADMIN | R_PERF, H_WRITE, h_criterion_judge },
	{ B(REPORT), R_ANY, 0, h_report },
	{ B(WATCH), R_ANY, 0, h_watch },
	/* The requests of a batch are checked one by one when it runs. */
	{ B(BATCH_BEGIN), R_ANY, H_ON_WRITER, h_batch_begin },
	{ B(BATCH_END), R_ANY, H_ON_WRITER, h_batch_end },
	{ B(ADMIN_STATS), R_ADMIN, 0, h_admin_stats },
	{ B(ADMIN_BACKUP), R_ADMIN, 0, h_admin_backup },
};

const struct handler *dispatch_lookup(Pb__Request__BodyCase body)
{
	static const struct handler *by_case[128];
	static bool built;
	if (!built) {
		for (size_t i = 0; i < ARRAY_LEN(handler_table); i++)
			by_case[handler_table[i].body] = &handler_table[i];
		built = true;
	}
	if ((unsigned)body >= ARRAY_LEN(by_case))
		return NULL;
	return by_case[body];
}

int hctx_fail(struct hctx *h, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	h->resp->has_status = 1;
	h->resp->status = status;
	h->resp->error_message = arena_strdup(h->arena, msg);
	return status;
}

int hctx_db_fail(struct hctx *h, const char *what)
{
	sqlite3 *db = store_db(h->st);
	int code = sqlite3_errcode(db);
	log_err("database error during=%s code=%d error=\"%s\"", what, code, sqlite3_errmsg(db));
	if (code == SQLITE_FULL)
		return hctx_fail(h, PB__STATUS__RESOURCE_EXHAUSTED, "the database is full; %s was not saved", what);
	if (code == SQLITE_CONSTRAINT)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s breaks a data constraint: %s", what, sqlite3_errmsg(db));
	return hctx_fail(h, PB__STATUS__INTERNAL, "database error during %s", what);
}

int hctx_event(struct hctx *h, const char *entity, const char *ref, const char *op,
	       const char *plan, const char *locality, const char *summary_fmt, ...)
{
	char summary[512];
	va_list ap;
	va_start(ap, summary_fmt);
	vsnprintf(summary, sizeof summary, summary_fmt, ap);
	va_end(ap);
	struct event_row ev = {
		.time = h->now,
		.user = h->who ? h->who->name : NULL,
		.entity = entity,
		.ref = ref,
		.op = op,
		.summary = summary,
		.plan = plan,
		.locality = locality,
	};
	if (store_event_add(h->st, &ev) < 0)
		return hctx_db_fail(h, "recording the event");
	return PB__STATUS__OK;
}

static const char *role_list(unsigned roles, char *out, size_t len)
{
	out[0] = '\0';
	for (int r = PB__ROLE__ROLE_ADMIN; r <= PB__ROLE__ROLE_VIEWER; r++) {
		if (!(roles & (1u << r)))
			continue;
		if (out[0])
			strncat(out, " or ", len - strlen(out) - 1);
		strncat(out, enum_name(&pb__role__descriptor, r), len - strlen(out) - 1);
	}
	return out;
}

/* Checks that do not depend on the request's content. */
static int precheck(struct hctx *h, const struct handler *hd, struct conn *c, const Pb__Request *req)
{
	if (hd == NULL)
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "unknown or missing request type (%d)",
				 (int)req->body_case);
	if (c->state == CONN_HELLO && req->body_case != PB__REQUEST__BODY_HELLO)
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "the connection must open with Hello");
	if (hd->flags & H_PRELOGIN)
		return PB__STATUS__OK;
	if (c->state != CONN_READY)
		return hctx_fail(h, PB__STATUS__UNAUTHENTICATED, "log in first");
	if (!(hd->roles & (1u << c->who.role))) {
		char roles[128], what[64];
		/* "user list needs role admin", as the command is typed, not user_list */
		snprintf(what, sizeof what, "%s", wire_request_name(req->body_case));
		for (char *p = what; *p; p++)
			*p = *p == '_' ? ' ' : *p;
		return hctx_fail(h, PB__STATUS__FORBIDDEN, "%s needs role %s; you are %s", what,
				 role_list(hd->roles, roles, sizeof roles), enum_name(&pb__role__descriptor, c->who.role));
	}
	if (req->recorded_at != NULL) {
		if (c->who.role != PB__ROLE__ROLE_ADMIN)
			return hctx_fail(h, PB__STATUS__FORBIDDEN, "only admins may set recorded_at");
		if (!valid_time(req->recorded_at))
			return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
					 "recorded_at must be YYYY-MM-DDTHH:MM:SSZ");
		h->now = req->recorded_at;
	}
	return PB__STATUS__OK;
}

/* Open the group-commit transaction (if needed) and, when the request
 * must be undoable alone, its savepoint. */
static int begin_write(struct hctx *h, bool savepoint)
{
	/* A snapshot the reader still holds would make a RESTART checkpoint
	 * (holding the write lock) wait for it while this thread waits for
	 * the write lock: let it go first. */
	if (h->srv != NULL)
		store_read_end(h->srv->reader);
	if (store_begin(h->st) != SQLITE_OK || (savepoint && store_savepoint(h->st) != SQLITE_OK))
		return hctx_db_fail(h, "starting the write");
	return PB__STATUS__OK;
}

/* A write in its savepoint. With an idempotency key it may instead be
 * answered from the key's stored response (*replay), or refused. */
static void run_write(struct hctx *h, const struct handler *hd, Pb__Response **replay)
{
	/* Inside a batch a failed line must be undone alone, always. */
	bool savepoint = !(hd->flags & H_CHECKS_FIRST) || h->conn->in_batch || batch_running(h->conn);
	if (begin_write(h, savepoint) != PB__STATUS__OK)
		return;
	sqlite3_int64 changes = sqlite3_total_changes64(store_db(h->st));
	/* Not Login: its answer holds a token, which is never stored in clear. */
	bool keyed = h->req->idempotency_key != NULL && h->who != NULL && !(hd->flags & H_PRELOGIN);
	enum idem_result ir = keyed ? idem_begin(h, replay) : IDEM_NEW;
	int rc = ir == IDEM_NEW ? hd->fn(h) : (int)h->resp->status;
	if (ir == IDEM_NEW && rc == PB__STATUS__OK) {
		if (keyed)
			idem_record(h);
		if (savepoint)
			store_release(h->st);
		return;
	}
	if (savepoint) {
		store_rollback_savepoint(h->st);
	} else if (sqlite3_total_changes64(store_db(h->st)) != changes) {
		/* Failed half-way: only the whole group can be undone. The
		 * lost transaction is answered at once (dispatch_request). */
		log_err("write failed after changing data; rolling back its group type=%s",
			wire_request_name(h->req->body_case));
		store_abandon(h->st);
		return;
	}
	/* A refusal is kept too, outside the undone savepoint: a retry gets
	 * the same answer even if the data has changed since. */
	if (ir == IDEM_NEW && keyed)
		idem_record(h);
}

/* The connection has responses to release when the group commits. */
static void wait_for_commit(struct server *srv, struct conn *c)
{
	if (!c->in_commit_list) {
		c->in_commit_list = true;
		c->commit_next = srv->commit_list;
		srv->commit_list = c;
	}
}

static void join_commit(struct server *srv, struct conn *c)
{
	c->write_gen = srv->commit_gen + 1;
	srv->txn_writes++;
	srv->stats.write_requests++;
	if (!c->in_commit_list) {
		c->in_commit_list = true;
		c->commit_next = srv->commit_list;
		srv->commit_list = c;
	}
}

/* The time of a request, formatted once per second (gmtime + strftime
 * per request showed in profiles). Loop thread only. */
static const char *now_iso(void)
{
	static time_t at = -1;
	static char buf[ISO_TIME_LEN];
	time_t t = time(NULL);
	if (t != at) {
		time_to_iso(t, buf);
		at = t;
	}
	return buf;
}

/* Every other client waited while this request ran. */
static void log_if_slow(struct conn *c, const Pb__Request *req, double ms)
{
	static struct log_gate gate;
	unsigned long quiet;
	if (ms >= log_slow_ms() && log_gate_open(&gate, &quiet))
		log_warn("slow request type=%s ms=%.1f peer=%s (%lu more not logged)", wire_request_name(req->body_case),
			 ms, c->peer, quiet);
}

int dispatch_request(struct conn *c, const Pb__Request *req)
{
	if (batch_capture(c, req))
		return PB__STATUS__OK;
	double started = mono_ms();
	struct arena arena = { 0 };
	Pb__Response resp = PB__RESPONSE__INIT;
	char now[ISO_TIME_LEN];
	memcpy(now, now_iso(), ISO_TIME_LEN);
	resp.has_id = 1;
	resp.id = req->id;
	resp.has_status = 1;
	resp.status = PB__STATUS__OK;
	struct hctx h = {
		.srv = c->srv,
		.conn = c,
		.st = c->srv->store,
		.arena = &arena,
		.req = req,
		.resp = &resp,
		.who = c->state == CONN_READY ? &c->who : NULL,
		.now = now,
	};
	const struct handler *hd = dispatch_lookup(req->body_case);
	bool is_write = false, lost = false, held = false;
	Pb__Response *replay = NULL;
	if (precheck(&h, hd, c, req) == PB__STATUS__OK) {
		if (hd->flags & H_WRITE) {
			is_write = true;
			run_write(&h, hd, &replay);
			join_commit(c->srv, c);
			lost = store_txn_lost(h.st);
		} else {
			if (!(hd->flags & H_ON_WRITER))
				h.st = server_read_store(c->srv, c);
			server_read_begin(c->srv, h.st);
			hd->fn(&h);
			/* A read inside the open group transaction may have seen its
			 * uncommitted writes: answer only once they are committed. */
			if (store_in_txn(h.st)) {
				held = true;
				wait_for_commit(c->srv, c);
			}
		}
	}
	if (resp.status != PB__STATUS__OK)
		log_debug("request failed peer=%s type=%s status=%d message=\"%s\"", c->peer,
			  wire_request_name(req->body_case), (int)resp.status,
			  resp.error_message ? resp.error_message : "");
	conn_send_response(c, replay ? replay : &resp, is_write || held, is_write);
	int status = replay ? (int)replay->status : (int)resp.status;
	wire_free(replay);
	watch_after_response(c);
	arena_free(&arena);
	log_if_slow(c, req, mono_ms() - started);
	if (lost)
		server_commit_now(c->srv);   /* answer the lost group now: nothing in it was saved */
	/* A running batch is committed as one, after its last request. */
	else if (is_write && !c->in_batch)
		server_schedule_commit(c->srv);
	return status;
}
