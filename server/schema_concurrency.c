/* schema_concurrency.c: the idempotency store (migration appended in
 * schema.c). One row per (user, key): the hash of the request it first
 * came with and the packed response it got, so a retry is answered
 * without running again. */
#include "store.h"

const char schema_concurrency[] =
	"CREATE TABLE idempotency ("
	"  user_id INTEGER NOT NULL REFERENCES user(id),"
	"  key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 128),"
	"  request_hash BLOB NOT NULL,"
	"  response BLOB NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  PRIMARY KEY (user_id, key)) WITHOUT ROWID;"
	"CREATE INDEX idempotency_created ON idempotency(created_at);";
