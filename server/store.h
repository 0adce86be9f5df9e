/* store.h: the SQLite database: open, pragmas, migrations, a cache of
 * prepared statements, transactions and savepoints, the event log.
 * Only the event-loop thread uses a store. */
#ifndef PLANBOARD_STORE_H
#define PLANBOARD_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

struct store;

/* Open (creating if needed, mode 0600) and migrate to the latest schema.
 * NULL on failure with *err set (free it). ":memory:" works for tests. */
struct store *store_open(const char *path, char **err);
struct store *store_open_reader(const char *path, char **err);
/* The database has grown: a reader maps it once it is large (see
 * READER_MAP_MIN_BYTES in store.c). Ends the reader's read transaction.
 * NULL (no reader) is fine. */
void store_reader_map_if_large(struct store *rd);
void store_close(struct store *st);
sqlite3 *store_db(struct store *st);
const char *store_path(struct store *st);
int store_schema_version(struct store *st);

/* A cached prepared statement for a constant SQL string, reset and with
 * its bindings cleared. A statement that does not compile is a bug: fatal. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/* The same for SQL built at run time from constant fragments (never from
 * user input: values are always bound). Cached by content. */
sqlite3_stmt *store_stmt_dyn(struct store *st, const char *sql);
/* Tests (tests/unit/test_query_plans.c): fn is called with the SQL of
 * every statement store_stmt prepares from now on. NULL to stop. */
void store_set_prepare_hook(struct store *st, void (*fn)(void *arg, const char *sql), void *arg);
/* Run SQL with no result rows; SQLITE_OK or the error code. */
int store_exec(struct store *st, const char *sql);
/* Last error message of the connection. */
const char *store_errmsg(struct store *st);

/* Write transactions (group commit): store_begin opens one if none is
 * open; each request runs in a savepoint inside it. */
bool store_in_txn(struct store *st);
/* Rollbacks on this connection so far: whole transactions (explicit or
 * automatic, seen by SQLite's rollback hook) and any ROLLBACK (TO a
 * savepoint) run through store_exec or a statement from store_stmt /
 * store_stmt_dyn, counted when fetched. What was remembered of the data
 * before one may have been undone. Run SQL only through these. */
uint64_t store_rollbacks(const struct store *st);
int store_begin(struct store *st);
int store_commit(struct store *st);
/* Roll the open transaction back and leave it marked lost
 * (store_txn_lost), so its commit fails and its writes are answered as
 * not saved. */
void store_abandon(struct store *st);
/* Some errors (SQLITE_FULL among them) make SQLite roll back the whole
 * transaction, every savepoint in it: the group's writes are gone. */
bool store_txn_lost(struct store *st);
void store_rollback(struct store *st);
int store_savepoint(struct store *st);
void store_release(struct store *st);
void store_rollback_savepoint(struct store *st);

/* One read transaction for the reads of a loop iteration: store_read_begin
 * opens it unless a transaction is open (true if it opened one);
 * store_read_end closes it. store_begin ends it first. */
bool store_read_begin(struct store *st);
void store_read_end(struct store *st);
bool store_in_read(struct store *st);

/* Bind helpers: NULL text binds NULL. */
void stmt_text(sqlite3_stmt *s, int idx, const char *text);
void stmt_int(sqlite3_stmt *s, int idx, int64_t v);
void stmt_real(sqlite3_stmt *s, int idx, double v);
void stmt_null(sqlite3_stmt *s, int idx);
/* Column text copied into the arena (NULL if SQL NULL). */
char *col_text(struct arena *a, sqlite3_stmt *s, int col);

/* Append to the event log; returns the new seq, or -1 on error. */
struct event_row {
	const char *time, *user, *entity, *ref, *op, *summary, *plan, *locality;
};
int64_t store_event_add(struct store *st, const struct event_row *ev);
int64_t store_last_event_seq(struct store *st);

/* Schema migrations (schema.c). Migration i brings user_version to i+1.
 * One that starts with MIGRATION_REBUILDS rebuilds a table other tables
 * refer to: it runs with foreign keys off, and must leave no violation
 * (PRAGMA foreign_key_check) to commit. */
#define MIGRATION_REBUILDS "-- rebuilds a table: foreign keys off\n"
extern const char *const store_migrations[];
extern const int store_migration_count;

#endif
