/* h_user.c: user accounts. */
#include "auth.h"
#include "enums.h"
#include "handlers.h"
#include "hutil.h"
#include "log.h"
#include "validate.h"

#include <string.h>

int h_user_add(struct hctx *h)
{
	const Pb__UserAdd *in = h->req->user_add;
	if (in->user == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "user is required");
	const Pb__User *u = in->user;
	char *err = NULL;
	int rc = auth_create_user(h->st, h->arena, u->name, u->has_role ? (int)u->role : 0, u->locality,
				  in->password, h->now, &err);
	if (rc != OK)
		return hctx_fail(h, rc, "%s", err);
	if (hctx_event(h, "user", u->name, "add", NULL, u->locality, "user %s added with role %s", u->name,
		       enum_name(&pb__role__descriptor, u->role)) != OK)
		return h->resp->status;
	Pb__UserReply *r = arena_new(h->arena, Pb__UserReply);
	pb__user_reply__init(r);
	r->user = (Pb__User *)u;
	SET_BODY(h, USER, user, r);
	return OK;
}

int h_user_list(struct hctx *h)
{
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT u.name, u.role, l.code, u.disabled, u.created_at FROM user u "
		"LEFT JOIN locality l ON l.id = u.locality_id ORDER BY u.name");
	Pb__UserListReply *r = arena_new(h->arena, Pb__UserListReply);
	pb__user_list_reply__init(r);
	size_t cap = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		Pb__User *u = arena_new(h->arena, Pb__User);
		pb__user__init(u);
		u->name = col_text(h->arena, s, 0);
		u->has_role = u->has_disabled = 1;
		u->role = enum_value(&pb__role__descriptor, (const char *)sqlite3_column_text(s, 1));
		u->locality = col_text(h->arena, s, 2);
		u->disabled = sqlite3_column_int(s, 3);
		u->created_at = col_text(h->arena, s, 4);
		ARENA_PUSH(h->arena, r->users, r->n_users, cap, u);
	}
	sqlite3_reset(s);
	SET_BODY(h, USER_LIST, user_list, r);
	return OK;
}

static int64_t find_user(struct hctx *h, const char *name)
{
	if (name == NULL || *name == '\0') {
		hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "user name is required");
		return 0;
	}
	sqlite3_stmt *s = store_stmt(h->st, "SELECT id FROM user WHERE name = ?");
	stmt_text(s, 1, name);
	int64_t id = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (id == 0)
		hctx_fail(h, PB__STATUS__NOT_FOUND, "no user '%s'", name);
	return id;
}

/* Revoke a user's tokens, except `keep` (0: all). */
static int revoke_tokens(struct hctx *h, int64_t user_id, int64_t keep)
{
	sqlite3_stmt *s = store_stmt(h->st, "UPDATE token SET revoked = 1 WHERE user_id = ? AND id <> ? AND revoked = 0");
	stmt_int(s, 1, user_id);
	stmt_int(s, 2, keep);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? OK : hctx_db_fail(h, "revoking tokens");
}

int h_user_disable(struct hctx *h)
{
	const char *name = h->req->user_disable->name;
	int64_t id = find_user(h, name);
	if (id == 0)
		return h->resp->status;
	if (id == h->who->user_id)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "you cannot disable yourself");
	sqlite3_stmt *s = store_stmt(h->st, "UPDATE user SET disabled = 1 WHERE id = ?");
	stmt_int(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "disabling the user");
	if (revoke_tokens(h, id, 0) != OK ||
	    hctx_event(h, "user", name, "disable", NULL, NULL, "user %s disabled; tokens revoked", name) != OK)
		return h->resp->status;
	conn_drop_user(h->srv, id, h->conn, "the account was disabled");
	Pb__UserReply *r = arena_new(h->arena, Pb__UserReply);
	pb__user_reply__init(r);
	r->user = arena_new(h->arena, Pb__User);
	pb__user__init(r->user);
	r->user->name = arena_strdup(h->arena, name);
	r->user->has_disabled = 1;
	r->user->disabled = 1;
	SET_BODY(h, USER, user, r);
	return OK;
}

int h_user_passwd(struct hctx *h)
{
	const Pb__UserPasswd *in = h->req->user_passwd;
	const char *name = in->name ? in->name : h->who->name;
	bool self = strcmp(name, h->who->name) == 0;
	if (!self && h->who->role != PB__ROLE__ROLE_ADMIN)
		return hctx_fail(h, PB__STATUS__FORBIDDEN, "only admins may change another user's password");
	int64_t id = find_user(h, name);
	if (id == 0)
		return h->resp->status;
	if (in->password == NULL)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "a new password is required");
	const char *weak = password_weakness(in->password, name);
	if (weak)
		return hctx_fail(h, PB__STATUS__INVALID_ARGUMENT, "%s", weak);
	char hash[crypto_pwhash_STRBYTES];
	if (auth_hash_password(in->password, hash) != 0)
		return hctx_fail(h, PB__STATUS__INTERNAL, "password hashing ran out of memory");
	sqlite3_stmt *s = store_stmt(h->st, "UPDATE user SET password_hash = ? WHERE id = ?");
	stmt_text(s, 1, hash);
	stmt_int(s, 2, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return hctx_db_fail(h, "changing the password");
	/* A password change ends every other login of that user. */
	if (revoke_tokens(h, id, self ? h->who->token_id : 0) != OK ||
	    hctx_event(h, "user", name, "passwd", NULL, NULL, "password of %s changed", name) != OK)
		return h->resp->status;
	conn_drop_user(h->srv, id, h->conn, "the password was changed; log in again");
	Pb__UserReply *r = arena_new(h->arena, Pb__UserReply);
	pb__user_reply__init(r);
	r->user = arena_new(h->arena, Pb__User);
	pb__user__init(r->user);
	r->user->name = arena_strdup(h->arena, name);
	SET_BODY(h, USER, user, r);
	return OK;
}
