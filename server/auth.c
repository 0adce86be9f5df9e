/* auth.c: passwords, tokens and user records. */
#include "auth.h"
#include "enums.h"
#include "log.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

/* OWASP's argon2id parameters: 19 MiB, 2 passes. Hashing costs ~20 ms;
 * it happens only on password login and password changes, never on the
 * token path every CLI command takes. */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u << 20)

int auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int auth_hash_password(const char *password, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT);
}

bool auth_check_password(const char *hash, const char *password)
{
	static char dummy[crypto_pwhash_STRBYTES];
	if (hash == NULL) {
		/* Unknown user: spend the same time so timing does not tell. */
		if (dummy[0] == '\0')
			auth_hash_password("not-a-real-password-0", dummy);
		if (crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
			return false;
		return false;
	}
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_token_hash(const char *token, uint8_t hash[TOKEN_HASH_LEN])
{
	crypto_generichash(hash, TOKEN_HASH_LEN, (const unsigned char *)token, strlen(token), NULL, 0);
}

void auth_new_token(char token[TOKEN_LEN], uint8_t hash[TOKEN_HASH_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	strcpy(token, TOKEN_PREFIX);
	sodium_bin2base64(token + strlen(TOKEN_PREFIX), TOKEN_LEN - strlen(TOKEN_PREFIX), raw,
			  sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	auth_token_hash(token, hash);
}

int auth_create_user(struct store *st, struct arena *a, const char *name, int role,
		     const char *locality, const char *password, const char *now, char **err)
{
	if (!valid_user_name(name)) {
		*err = arena_strdup(a, "user name must be 1-64 characters of a-z, 0-9, '.', '_' or '-'");
		return PB__STATUS__INVALID_ARGUMENT;
	}
	const char *role_name = enum_name(&pb__role__descriptor, role);
	if (role <= 0 || role_name == NULL) {
		*err = arena_printf(a, "role must be one of %s", enum_choices(&pb__role__descriptor));
		return PB__STATUS__INVALID_ARGUMENT;
	}
	if ((role == PB__ROLE__ROLE_LOCALITY) != (locality != NULL && *locality != '\0')) {
		*err = arena_strdup(a, role == PB__ROLE__ROLE_LOCALITY
					       ? "a locality user needs --locality"
					       : "only locality users have a locality");
		return PB__STATUS__INVALID_ARGUMENT;
	}
	const char *weak = password ? password_weakness(password, name) : "a password is required";
	if (weak != NULL) {
		*err = arena_strdup(a, weak);
		return PB__STATUS__INVALID_ARGUMENT;
	}
	int64_t locality_id = 0;
	if (role == PB__ROLE__ROLE_LOCALITY) {
		sqlite3_stmt *s = store_stmt(st, "SELECT id FROM locality WHERE code = ?");
		stmt_text(s, 1, locality);
		if (sqlite3_step(s) == SQLITE_ROW)
			locality_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		if (locality_id == 0) {
			*err = arena_printf(a, "no locality '%s'", locality);
			return PB__STATUS__NOT_FOUND;
		}
	}
	sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM user WHERE name = ?");
	stmt_text(s, 1, name);
	int exists = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (exists) {
		*err = arena_printf(a, "user '%s' already exists", name);
		return PB__STATUS__CONFLICT;
	}
	char hash[crypto_pwhash_STRBYTES];
	if (auth_hash_password(password, hash) != 0) {
		*err = arena_strdup(a, "password hashing ran out of memory");
		return PB__STATUS__INTERNAL;
	}
	s = store_stmt(st, "INSERT INTO user(name, role, locality_id, password_hash, created_at) "
			   "VALUES (?,?,?,?,?)");
	stmt_text(s, 1, name);
	stmt_text(s, 2, role_name);
	if (locality_id)
		stmt_int(s, 3, locality_id);
	stmt_text(s, 4, hash);
	stmt_text(s, 5, now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		*err = arena_printf(a, "cannot add user: %s", store_errmsg(st));
		return PB__STATUS__INTERNAL;
	}
	return PB__STATUS__OK;
}

int auth_load_session(struct store *st, int64_t user_id, struct session *out)
{
	sqlite3_stmt *s = store_stmt(st,
		"SELECT u.name, u.role, u.locality_id, l.code, u.disabled FROM user u "
		"LEFT JOIN locality l ON l.id = u.locality_id WHERE u.id = ?");
	stmt_int(s, 1, user_id);
	int rc = -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 4) == 0) {
		free(out->name);
		free(out->locality);
		out->user_id = user_id;
		out->name = xstrdup((const char *)sqlite3_column_text(s, 0));
		out->role = enum_value(&pb__role__descriptor, (const char *)sqlite3_column_text(s, 1));
		out->locality_id = sqlite3_column_int64(s, 2);
		out->locality = sqlite3_column_text(s, 3) ? xstrdup((const char *)sqlite3_column_text(s, 3)) : NULL;
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

void auth_session_user(struct arena *a, const struct session *s, Pb__User *u)
{
	pb__user__init(u);
	u->name = arena_strdup(a, s->name);
	u->has_role = 1;
	u->role = s->role;
	u->locality = arena_strdup(a, s->locality);
}
