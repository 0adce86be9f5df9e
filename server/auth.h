/* auth.h: password hashing (libsodium argon2id), login tokens (only their
 * BLAKE2b hash is stored), and user lookups shared by the handlers. */
#ifndef PLANBOARD_AUTH_H
#define PLANBOARD_AUTH_H

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "server.h"

#define TOKEN_PREFIX "pbt_"
#define TOKEN_HASH_LEN 32

int auth_init(void);
/* argon2id string in out; -1 if out of memory. */
int auth_hash_password(const char *password, char out[crypto_pwhash_STRBYTES]);
/* Always spends the hashing time, even for an unknown user (hash NULL). */
bool auth_check_password(const char *hash, const char *password);
/* A new random token (printable, NUL-terminated) and its hash. */
#define TOKEN_LEN 64
void auth_new_token(char token[TOKEN_LEN], uint8_t hash[TOKEN_HASH_LEN]);
void auth_token_hash(const char *token, uint8_t hash[TOKEN_HASH_LEN]);

/* Create a user; status code and message in *err (arena) on failure. */
int auth_create_user(struct store *st, struct arena *a, const char *name, int role,
		     const char *locality, const char *password, const char *now, char **err);

/* Load a session for a user id; 0 or -1 if not found / disabled. */
int auth_load_session(struct store *st, int64_t user_id, struct session *out);
/* Fill a Pb__User from the session. */
void auth_session_user(struct arena *a, const struct session *s, Pb__User *u);

#endif
