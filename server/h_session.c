/* h_session.c: Hello, Login, Logout, Whoami, Ping, ServerStatus. */
#include "auth.h"
#include "handlers.h"
#include "hutil.h"
#include "log.h"
#include "ratelimit.h"
#include "validate.h"

#include <event2/event.h>
#include <string.h>

int h_hello(struct hctx *h)
{
	const Pb__Hello *in = h->req->hello;
	if (h->conn->state != CONN_HELLO)
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "Hello was already sent");
	if (!in->has_protocol_version || in->protocol_version != PROTOCOL_VERSION)
		return hctx_fail(h, PB__STATUS__BAD_REQUEST,
				 "unsupported protocol version %u (this server speaks %u)",
				 in->has_protocol_version ? in->protocol_version : 0, PROTOCOL_VERSION);
	h->conn->state = CONN_LOGIN;
	Pb__HelloReply *r = arena_new(h->arena, Pb__HelloReply);
	pb__hello_reply__init(r);
	r->server_version = PLANBOARD_VERSION;
	r->has_protocol_version = 1;
	r->protocol_version = PROTOCOL_VERSION;
	r->server_time = arena_strdup(h->arena, h->now);
	h->resp->body_case = PB__RESPONSE__BODY_HELLO;
	h->resp->hello = r;
	return PB__STATUS__OK;
}

/* Find the user a token belongs to; 0 if the token is unknown, revoked or
 * expired, or its user is disabled. */
static int64_t token_user(struct hctx *h, const char *token, int64_t *token_id)
{
	uint8_t hash[TOKEN_HASH_LEN];
	auth_token_hash(token, hash);
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT t.id, t.user_id FROM token t JOIN user u ON u.id = t.user_id "
		"WHERE t.hash = ? AND t.revoked = 0 AND t.expires_at > ? AND u.disabled = 0");
	sqlite3_bind_blob(s, 1, hash, sizeof hash, SQLITE_TRANSIENT);
	stmt_text(s, 2, h->now);
	int64_t user = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*token_id = sqlite3_column_int64(s, 0);
		user = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return user;
}

/* Whether a token was ever issued (expired or revoked now): using an old
 * token is not guessing, so it does not count towards throttling. */
static bool token_known(struct hctx *h, const char *token)
{
	uint8_t hash[TOKEN_HASH_LEN];
	auth_token_hash(token, hash);
	sqlite3_stmt *s = store_stmt(h->st, "SELECT 1 FROM token WHERE hash = ?");
	sqlite3_bind_blob(s, 1, hash, sizeof hash, SQLITE_TRANSIENT);
	bool known = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return known;
}

static int64_t password_user(struct hctx *h, const char *name, const char *password)
{
	sqlite3_stmt *s = store_stmt(h->st, "SELECT id, password_hash, disabled FROM user WHERE name = ?");
	stmt_text(s, 1, name);
	int64_t id = 0;
	char *hash = NULL;
	int disabled = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		hash = col_text(h->arena, s, 1);
		disabled = sqlite3_column_int(s, 2);
	}
	sqlite3_reset(s);
	if (!auth_check_password(hash, password) || disabled)
		return 0;
	return id;
}

static int issue_token(struct hctx *h, int64_t user_id, Pb__LoginReply *r, int64_t *token_id)
{
	char token[TOKEN_LEN];
	uint8_t hash[TOKEN_HASH_LEN];
	char expires[ISO_TIME_LEN];
	auth_new_token(token, hash);
	time_to_iso(time(NULL) + (time_t)h->srv->cfg.token_ttl, expires);
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT INTO token(user_id, hash, created_at, expires_at) VALUES (?,?,?,?)");
	stmt_int(s, 1, user_id);
	sqlite3_bind_blob(s, 2, hash, sizeof hash, SQLITE_TRANSIENT);
	stmt_text(s, 3, h->now);
	stmt_text(s, 4, expires);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "issuing a token");
	*token_id = sqlite3_last_insert_rowid(store_db(h->st));
	r->token = arena_strdup(h->arena, token);
	r->expires_at = arena_strdup(h->arena, expires);
	return PB__STATUS__OK;
}

/* The address part of "HOST:PORT" (IPv6 hosts contain colons too). */
static void peer_host(const char *peer, char *out, size_t len)
{
	snprintf(out, len, "%s", peer);
	char *colon = strrchr(out, ':');
	if (colon != NULL)
		*colon = '\0';
}

/* Refused Logins (failed or throttled) a connection may send before it is
 * closed: a client that pipelines Logins gets a few answers, not
 * thousands. */
#define LOGIN_REFUSALS_PER_CONN 10
/* Throttled attempts are logged at most once per this many seconds. */
#define THROTTLE_LOG_EVERY 60

/* One log line per window for throttled attempts, with how many there
 * were: an attacker hammering a throttled account must not fill the log.
 * Handlers run on the loop thread only, so plain statics are safe. */
static void log_throttled(const struct conn *c, const char *user, unsigned wait)
{
	static time_t window_start;
	static unsigned long suppressed;
	time_t now = time(NULL);
	if (now - window_start < THROTTLE_LOG_EVERY) {
		suppressed++;
		return;
	}
	log_info("login throttled peer=%s user=%s wait=%u (%lu more throttled attempts not logged in the last %d s)",
		 c->peer, user ? user : "-", wait, suppressed, THROTTLE_LOG_EVERY);
	window_start = now;
	suppressed = 0;
}

/* Every refusal delays the connection's next request (conn.c), and after
 * LOGIN_REFUSALS_PER_CONN the connection is closed once the answer has
 * gone out (the timer closes a closing connection after the grace). */
static void conn_refused(struct hctx *h)
{
	struct conn *c = h->conn;
	if (++c->login_failures < LOGIN_REFUSALS_PER_CONN)
		return;
	log_info("closing connection after %u refused logins peer=%s", c->login_failures, c->peer);
	hctx_fail(h, h->resp->status, "%s; too many refused logins on this connection: closing it",
		  h->resp->error_message);
	conn_close_after_reply(c);
}

/* A throttled login: answer with the wait, and record nothing (no event
 * row, one log line per window): the attempt was not even checked. */
static int login_throttled(struct hctx *h, const char *user, unsigned wait)
{
	log_throttled(h->conn, user, wait);
	hctx_fail(h, PB__STATUS__RESOURCE_EXHAUSTED, "too many failed logins; try again in %u s", wait);
	h->resp->has_retry_after_seconds = 1;
	h->resp->retry_after_seconds = (int32_t)wait;
	conn_refused(h);
	return PB__STATUS__RESOURCE_EXHAUSTED;
}

/* A failed login: throttle, answer, and record it in the event log. The
 * handler then returns OK so the dispatcher keeps (commits) the event
 * row; the response still carries the failure status set here. count:
 * whether it counts towards the user's and address's throttling (a
 * guess; an old token is not). */
static int login_refused(struct hctx *h, const char *user, const char *addr, int status, const char *msg,
			 bool count)
{
	if (count)
		login_failed(h->srv->limiter, user, addr, time(NULL));
	hctx_fail(h, status, "%s", msg);
	if (hctx_event(h, "login", user ? user : "-", "failed", NULL, NULL, "failed login from %s", addr) !=
	    PB__STATUS__OK) {
		/* Not even the event could be written: answer the login
		 * failure itself, and let the savepoint be rolled back. */
		hctx_fail(h, status, "%s", msg);
		return status;
	}
	conn_refused(h);
	return PB__STATUS__OK;
}

int h_login(struct hctx *h)
{
	const Pb__Login *in = h->req->login;
	struct conn *c = h->conn;
	if (c->state == CONN_READY)
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "already logged in");
	Pb__LoginReply *r = arena_new(h->arena, Pb__LoginReply);
	pb__login_reply__init(r);
	int64_t user_id = 0, token_id = 0;
	char addr[sizeof c->peer];
	peer_host(c->peer, addr, sizeof addr);
	const char *user = in->token == NULL ? in->user : NULL;
	if (user != NULL && (strlen(user) > 64 || !valid_utf8(user, 64)))
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "the user name is not valid");
	unsigned wait = login_wait(h->srv->limiter, user, addr, time(NULL));
	if (wait > 0)
		return login_throttled(h, user, wait);
	if (in->token != NULL) {
		user_id = token_user(h, in->token, &token_id);
		if (user_id == 0)
			return login_refused(h, NULL, addr, PB__STATUS__UNAUTHENTICATED,
					     "the saved login has expired or was revoked; run 'planboard login'",
					     !token_known(h, in->token));
	} else if (in->user != NULL && in->password != NULL) {
		user_id = password_user(h, in->user, in->password);
		if (user_id == 0) {
			log_info("login failed peer=%s user=%s", c->peer, in->user);
			return login_refused(h, user, addr, PB__STATUS__UNAUTHENTICATED, "wrong user name or password",
					     true);
		}
		login_succeeded(h->srv->limiter, user);
		if (in->has_issue_token && in->issue_token) {
			int rc = issue_token(h, user_id, r, &token_id);
			if (rc != PB__STATUS__OK)
				return rc;
		}
	} else {
		return hctx_fail(h, PB__STATUS__BAD_REQUEST, "Login needs a token, or a user and password");
	}
	if (auth_load_session(h->st, user_id, &c->who) != 0)
		return hctx_fail(h, PB__STATUS__UNAUTHENTICATED, "the account is disabled");
	c->who.token_id = token_id;
	c->state = CONN_READY;
	h->who = &c->who;
	struct timeval tv = { (time_t)h->srv->cfg.idle_timeout, 0 };
	evtimer_add(c->timer, &tv);
	r->user = arena_new(h->arena, Pb__User);
	auth_session_user(h->arena, &c->who, r->user);
	h->resp->body_case = PB__RESPONSE__BODY_LOGIN;
	h->resp->login = r;
	return PB__STATUS__OK;
}

int h_logout(struct hctx *h)
{
	if (h->who->token_id != 0) {
		sqlite3_stmt *s = store_stmt(h->st, "UPDATE token SET revoked = 1 WHERE id = ?");
		stmt_int(s, 1, h->who->token_id);
		int rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return hctx_db_fail(h, "revoking the token");
	}
	h->resp->body_case = PB__RESPONSE__BODY_EMPTY;
	h->resp->empty = arena_new(h->arena, Pb__Empty);
	pb__empty__init(h->resp->empty);
	return PB__STATUS__OK;
}

int h_whoami(struct hctx *h)
{
	Pb__WhoamiReply *r = arena_new(h->arena, Pb__WhoamiReply);
	pb__whoami_reply__init(r);
	r->user = arena_new(h->arena, Pb__User);
	auth_session_user(h->arena, h->who, r->user);
	h->resp->body_case = PB__RESPONSE__BODY_WHOAMI;
	h->resp->whoami = r;
	return PB__STATUS__OK;
}

int h_ping(struct hctx *h)
{
	h->resp->body_case = PB__RESPONSE__BODY_EMPTY;
	h->resp->empty = arena_new(h->arena, Pb__Empty);
	pb__empty__init(h->resp->empty);
	return PB__STATUS__OK;
}

int h_server_status(struct hctx *h)
{
	Pb__ServerStatusReply *r = arena_new(h->arena, Pb__ServerStatusReply);
	pb__server_status_reply__init(r);
	r->server_version = PLANBOARD_VERSION;
	r->has_protocol_version = 1;
	r->protocol_version = PROTOCOL_VERSION;
	r->server_time = arena_strdup(h->arena, h->now);
	r->has_uptime_seconds = 1;
	r->uptime_seconds = (int64_t)(time(NULL) - h->srv->started);
	r->has_schema_version = 1;
	r->schema_version = (uint32_t)store_schema_version(h->st);
	r->has_connections = 1;
	r->connections = h->srv->n_conns;
	r->has_last_event_seq = 1;
	r->last_event_seq = store_last_event_seq(h->st);
	h->resp->body_case = PB__RESPONSE__BODY_SERVER_STATUS;
	h->resp->server_status = r;
	return PB__STATUS__OK;
}
