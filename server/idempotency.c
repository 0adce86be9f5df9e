/* idempotency.c: exactly-once writes. A write that carries an idempotency
 * key stores its packed response under (user, key) in the same savepoint
 * as the change, so both commit or neither does. A retry with the same
 * key gets that response back (replayed = true) and changes nothing; the
 * same key with a different request is refused, since answering it with
 * another request's result would be a lie. Keys are purged after IDEM_TTL
 * by a timer, never on the request path. */
#include "concurrency.h"
#include "frame.h"
#include "log.h"

#include <sodium.h>
#include <string.h>

#define HASH_LEN 32

/* Hash of what the request asks for: everything but its id and key, and
 * the version an update is based on: the client reads that afresh when it
 * retries a command, and the retry is still the same change. */
static void request_hash(const Pb__Request *req, uint8_t out[HASH_LEN])
{
	Pb__Request tmp = *req;
	tmp.has_id = 0;
	tmp.id = 0;
	tmp.idempotency_key = NULL;
	Pb__ActionUpdate au;
	Pb__RiskUpdate ru;
	if (req->body_case == PB__REQUEST__BODY_ACTION_UPDATE && req->action_update) {
		au = *req->action_update;
		au.has_if_version = 0;
		au.if_version = 0;
		tmp.action_update = &au;
	} else if (req->body_case == PB__REQUEST__BODY_RISK_UPDATE && req->risk_update) {
		ru = *req->risk_update;
		ru.has_if_version = 0;
		ru.if_version = 0;
		tmp.risk_update = &ru;
	}
	struct buf b = { 0 };
	if (wire_frame_append(&b, &tmp.base, UINT32_MAX) != 0)
		fatal("cannot pack a request to hash it");
	crypto_generichash(out, HASH_LEN, b.data, b.len, NULL, 0);
	buf_free(&b);
}

static bool valid_key(const char *key)
{
	size_t n = strlen(key);
	if (n == 0 || n > IDEM_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)key[i] <= ' ' || (unsigned char)key[i] >= 0x7f)
			return false;
	return true;
}

static void cutoff_time(time_t now, char out[ISO_TIME_LEN])
{
	time_to_iso(now - IDEM_TTL, out);
}

enum idem_result idem_begin(struct hctx *h, Pb__Response **replay)
{
	const char *key = h->req->idempotency_key;
	*replay = NULL;
	if (!valid_key(key)) {
		hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
			  "an idempotency key is 1 to %d printable characters without spaces", IDEM_KEY_MAX);
		return IDEM_REFUSED;
	}
	char cutoff[ISO_TIME_LEN];
	cutoff_time(time(NULL), cutoff);
	sqlite3_stmt *s = store_stmt(h->st,
		"SELECT request_hash, response FROM idempotency "
		"WHERE user_id = ? AND key = ? AND created_at >= ?");
	stmt_int(s, 1, h->who->user_id);
	stmt_text(s, 2, key);
	stmt_text(s, 3, cutoff);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return IDEM_NEW;
	}
	uint8_t want[HASH_LEN];
	request_hash(h->req, want);
	const void *got = sqlite3_column_blob(s, 0);
	bool same = sqlite3_column_bytes(s, 0) == HASH_LEN && memcmp(got, want, HASH_LEN) == 0;
	if (same) {
		const uint8_t *data = sqlite3_column_blob(s, 1);
		int len = sqlite3_column_bytes(s, 1);
		*replay = wire_unpack_response(data, (size_t)len);
	}
	sqlite3_reset(s);
	if (!same) {
		hctx_fail(h, PB__STATUS__INVALID_ARGUMENT,
			  "idempotency key '%s' was already used for a different request; use a new key", key);
		return IDEM_REFUSED;
	}
	if (*replay == NULL) {
		hctx_fail(h, PB__STATUS__INTERNAL, "the stored result for key '%s' is unreadable", key);
		return IDEM_REFUSED;
	}
	(*replay)->has_id = 1;
	(*replay)->id = h->req->id;
	(*replay)->has_replayed = 1;
	(*replay)->replayed = 1;
	log_debug("idempotent replay user=%s key=%s", h->who->name, key);
	return IDEM_REPLAY;
}

/* Failures that say nothing about the request itself (a full disk, a
 * database error) are not kept: a retry may well succeed. */
static bool worth_keeping(const Pb__Response *resp)
{
	switch (resp->status) {
	case PB__STATUS__INTERNAL:
	case PB__STATUS__RESOURCE_EXHAUSTED:
	case PB__STATUS__UNAVAILABLE:
		return false;
	default:
		return true;
	}
}

void idem_record(struct hctx *h)
{
	if (!worth_keeping(h->resp))
		return;
	uint8_t hash[HASH_LEN];
	request_hash(h->req, hash);
	Pb__Response tmp = *h->resp;
	tmp.has_id = 0;
	tmp.id = 0;
	struct buf b = { 0 };
	if (wire_frame_append(&b, &tmp.base, UINT32_MAX) != 0)
		fatal("cannot pack a response to keep it");
	sqlite3_stmt *s = store_stmt(h->st,
		"INSERT OR REPLACE INTO idempotency(user_id, key, request_hash, response, created_at) "
		"VALUES (?,?,?,?,?)");
	stmt_int(s, 1, h->who->user_id);
	stmt_text(s, 2, h->req->idempotency_key);
	sqlite3_bind_blob(s, 3, hash, HASH_LEN, SQLITE_TRANSIENT);
	/* Skip the frame header: the blob is the bare Response. */
	sqlite3_bind_blob(s, 4, b.data + FRAME_HEADER_LEN, (int)(b.len - FRAME_HEADER_LEN), SQLITE_TRANSIENT);
	/* Now, not h->now: an admin's recorded_at must not age the key. */
	char now[ISO_TIME_LEN];
	time_to_iso(time(NULL), now);
	stmt_text(s, 5, now);
	if (sqlite3_step(s) != SQLITE_DONE)
		log_err("cannot keep idempotency key user=%s error=\"%s\"", h->who->name,
			store_errmsg(h->st));
	sqlite3_reset(s);
	buf_free(&b);
}

int idem_purge(struct store *st, time_t now)
{
	char cutoff[ISO_TIME_LEN];
	cutoff_time(now, cutoff);
	sqlite3_stmt *s = store_stmt(st, "DELETE FROM idempotency WHERE created_at < ?");
	stmt_text(s, 1, cutoff);
	int rc = sqlite3_step(s);
	int n = sqlite3_changes(store_db(st));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (n > 0)
		log_info("idempotency keys purged count=%d", n);
	return n;
}
