/* store.c: SQLite with WAL, foreign keys, CHECK
 * constraints and migrations by user_version. */
#include "store.h"
#include "walbuf.h"
#include "log.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct stmt_slot {
	const char *sql;        /* key: the address of a constant string */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	struct stmt_slot *slots;
	size_t nslots, used;
	bool in_txn;
	bool in_read;           /* a read transaction (store_read_begin) is open */
	bool mapped;            /* a reader that maps the file (map_if_large) */
	struct timespec busy_since; /* when the current busy wait began */
	int schema_version;
	char **interned;        /* copies of dynamic SQL, keys of `slots` */
	size_t n_interned;
	void (*prepare_hook)(void *arg, const char *sql);
	void *prepare_arg;
	uint64_t rollbacks;     /* store_rollbacks */
};

void store_set_prepare_hook(struct store *st, void (*fn)(void *arg, const char *sql), void *arg)
{
	st->prepare_hook = fn;
	st->prepare_arg = arg;
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_path(struct store *st)
{
	return st->path;
}

int store_schema_version(struct store *st)
{
	return st->schema_version;
}

const char *store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

/* Any ROLLBACK, to a savepoint included (no SQLite hook sees those). */
static void note_rollback(struct store *st, const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n')
		sql++;
	if ((*sql | 0x20) == 'r' && strncasecmp(sql, "ROLLBACK", 8) == 0)
		st->rollbacks++;
}

/* Whole-transaction rollbacks, automatic ones (SQLITE_FULL...) too. */
static void rolled_back(void *arg)
{
	((struct store *)arg)->rollbacks++;
}

uint64_t store_rollbacks(const struct store *st)
{
	return st->rollbacks;
}

int store_exec(struct store *st, const char *sql)
{
	note_rollback(st, sql);
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		log_err("sqlite error=\"%s\" sql=\"%.80s\"", msg ? msg : sqlite3_errstr(rc), sql);
	sqlite3_free(msg);
	return rc;
}

static size_t slot_hash(const char *sql, size_t n)
{
	uintptr_t p = (uintptr_t)sql;
	return (size_t)((p >> 3) * 0x9E3779B97F4A7C15ull) & (n - 1);
}

static void slots_grow(struct store *st)
{
	size_t n = st->nslots ? st->nslots * 2 : 256;
	struct stmt_slot *slots = xcalloc(n, sizeof *slots);
	for (size_t i = 0; i < st->nslots; i++) {
		if (st->slots[i].sql == NULL)
			continue;
		size_t h = slot_hash(st->slots[i].sql, n);
		while (slots[h].sql != NULL)
			h = (h + 1) & (n - 1);
		slots[h] = st->slots[i];
	}
	free(st->slots);
	st->slots = slots;
	st->nslots = n;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
	note_rollback(st, sql);   /* counted when fetched: early is safe */
	if (st->used * 2 >= st->nslots)
		slots_grow(st);
	size_t h = slot_hash(sql, st->nslots);
	while (st->slots[h].sql != NULL && st->slots[h].sql != sql)
		h = (h + 1) & (st->nslots - 1);
	struct stmt_slot *slot = &st->slots[h];
	if (slot->sql == NULL) {
		sqlite3_stmt *stmt;
		if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
			fatal("prepare failed: %s: %s", sqlite3_errmsg(st->db), sql);
		slot->sql = sql;
		slot->stmt = stmt;
		if (st->prepare_hook)
			st->prepare_hook(st->prepare_arg, sql);
		st->used++;
		return stmt;
	}
	sqlite3_reset(slot->stmt);
	sqlite3_clear_bindings(slot->stmt);
	return slot->stmt;
}

sqlite3_stmt *store_stmt_dyn(struct store *st, const char *sql)
{
	for (size_t i = 0; i < st->n_interned; i++)
		if (strcmp(st->interned[i], sql) == 0)
			return store_stmt(st, st->interned[i]);
	st->interned = xrealloc(st->interned, (st->n_interned + 1) * sizeof(char *));
	st->interned[st->n_interned] = xstrdup(sql);
	return store_stmt(st, st->interned[st->n_interned++]);
}

void stmt_text(sqlite3_stmt *s, int idx, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(s, idx);
	else
		sqlite3_bind_text(s, idx, text, -1, SQLITE_TRANSIENT);
}

void stmt_int(sqlite3_stmt *s, int idx, int64_t v)
{
	sqlite3_bind_int64(s, idx, v);
}

void stmt_real(sqlite3_stmt *s, int idx, double v)
{
	sqlite3_bind_double(s, idx, v);
}

void stmt_null(sqlite3_stmt *s, int idx)
{
	sqlite3_bind_null(s, idx);
}

char *col_text(struct arena *a, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	if (t == NULL)
		return NULL;
	return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, col));
}

/* Run a cached statement that returns no rows (no parsing per request:
 * every write runs a savepoint and its release). */
static int store_step_cached(struct store *st, const char *sql)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return SQLITE_OK;
	log_err("sqlite error=\"%s\" sql=\"%s\"", sqlite3_errmsg(st->db), sql);
	return rc;
}

bool store_in_txn(struct store *st)
{
	return st->in_txn;
}

/* Reads of one loop iteration share one read transaction: every statement
 * outside a transaction would otherwise take and drop the WAL read lock
 * (fcntl system calls) by itself, and a request's statements see one
 * snapshot. A write ends it and opens the write transaction instead. */
bool store_read_begin(struct store *st)
{
	if (st->in_txn || st->in_read)
		return false;
	sqlite3_stmt *s = store_stmt(st, "BEGIN");
	if (sqlite3_step(s) != SQLITE_DONE)
		return false;
	st->in_read = true;
	return true;
}

void store_read_end(struct store *st)
{
	if (st == NULL || !st->in_read)
		return;
	st->in_read = false;
	/* Statements still holding a row would keep the snapshot: reset them
	 * first (the statement cache resets on the next use anyway). */
	for (size_t i = 0; i < st->nslots; i++)
		if (st->slots[i].stmt != NULL && sqlite3_stmt_busy(st->slots[i].stmt))
			sqlite3_reset(st->slots[i].stmt);
	sqlite3_stmt *s = store_stmt(st, "COMMIT");
	if (sqlite3_step(s) != SQLITE_DONE && !sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
}

bool store_in_read(struct store *st)
{
	return st->in_read;
}

int store_begin(struct store *st)
{
	if (st->in_txn)
		return SQLITE_OK;
	store_read_end(st);
	double started = mono_ms();
	int rc = store_step_cached(st, "BEGIN IMMEDIATE");
	double ms = mono_ms() - started;
	static struct log_gate gate;
	unsigned long quiet;
	/* The write lock was held elsewhere: a RESTART checkpoint, a backup. */
	if (ms >= log_slow_ms() && log_gate_open(&gate, &quiet))
		log_warn("slow start of a write transaction (waiting for the write lock) ms=%.1f (%lu more not logged)",
			 ms, quiet);
	if (rc == SQLITE_OK)
		st->in_txn = true;
	return rc;
}

bool store_txn_lost(struct store *st)
{
	return st->in_txn && sqlite3_get_autocommit(st->db);
}

int store_commit(struct store *st)
{
	if (!st->in_txn)
		return SQLITE_OK;
	if (store_txn_lost(st)) {
		/* SQLite already rolled it back (SQLITE_FULL, IOERR...). */
		st->in_txn = false;
		return SQLITE_ABORT;
	}
	int rc = store_step_cached(st, "COMMIT");
	if (rc != SQLITE_OK) {
		/* A failed COMMIT may leave the transaction open: end it. */
		if (!sqlite3_get_autocommit(st->db))
			store_exec(st, "ROLLBACK");
	}
	st->in_txn = false;
	return rc;
}

void store_abandon(struct store *st)
{
	if (st->in_txn && !sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
	/* in_txn stays set: store_txn_lost() now says the group was lost. */
}

void store_rollback(struct store *st)
{
	if (st->in_txn && !sqlite3_get_autocommit(st->db))
		store_exec(st, "ROLLBACK");
	st->in_txn = false;
}

int store_savepoint(struct store *st)
{
	return store_step_cached(st, "SAVEPOINT req");
}

void store_release(struct store *st)
{
	store_step_cached(st, "RELEASE req");
}

void store_rollback_savepoint(struct store *st)
{
	if (store_txn_lost(st))
		return;   /* the savepoint went with the whole transaction */
	store_step_cached(st, "ROLLBACK TO req");
	store_step_cached(st, "RELEASE req");
}

int64_t store_event_add(struct store *st, const struct event_row *ev)
{
	sqlite3_stmt *s = store_stmt(st,
		"INSERT INTO event(time, user, entity, ref, op, summary, plan, locality) "
		"VALUES (?,?,?,?,?,?,?,?)");
	stmt_text(s, 1, ev->time);
	stmt_text(s, 2, ev->user);
	stmt_text(s, 3, ev->entity);
	stmt_text(s, 4, ev->ref);
	stmt_text(s, 5, ev->op);
	stmt_text(s, 6, ev->summary);
	stmt_text(s, 7, ev->plan);
	stmt_text(s, 8, ev->locality);
	if (sqlite3_step(s) != SQLITE_DONE)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

int64_t store_last_event_seq(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT coalesce(max(seq), 0) FROM event");
	int64_t seq = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		seq = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return seq;
}

/* After a table rebuild with foreign keys off: does any row now refer to
 * nothing? NULL if not; else what is wrong (free it). */
static char *foreign_key_violation(struct store *st)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
		return xasprintf("foreign_key_check: %s", sqlite3_errmsg(st->db));
	char *why = NULL;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 1) == SQLITE_NULL)   /* WITHOUT ROWID */
		why = xasprintf("a row of table %s refers to a missing row of %s (foreign_key_check)",
				(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 2));
	else if (rc == SQLITE_ROW)
		why = xasprintf("row %lld of table %s refers to a missing row of %s (foreign_key_check)",
				(long long)sqlite3_column_int64(s, 1), (const char *)sqlite3_column_text(s, 0),
				(const char *)sqlite3_column_text(s, 2));
	else if (rc != SQLITE_DONE)
		why = xasprintf("foreign_key_check: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return why;
}

static int migrate(struct store *st, char **err)
{
	sqlite3_stmt *s;
	int version = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > store_migration_count) {
		*err = xasprintf("database schema version %d is newer than this server (%d)",
				 version, store_migration_count);
		return -1;
	}
	for (int v = version; v < store_migration_count; v++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		/* foreign_keys cannot change inside a transaction. */
		bool rebuild = strncmp(store_migrations[v], MIGRATION_REBUILDS, strlen(MIGRATION_REBUILDS)) == 0;
		char *fk_broken = NULL;
		if ((rebuild && store_exec(st, "PRAGMA foreign_keys = OFF") != SQLITE_OK) ||
		    store_exec(st, "BEGIN IMMEDIATE") != SQLITE_OK ||
		    store_exec(st, store_migrations[v]) != SQLITE_OK ||
		    (rebuild && (fk_broken = foreign_key_violation(st)) != NULL) ||
		    store_exec(st, pragma) != SQLITE_OK || store_exec(st, "COMMIT") != SQLITE_OK) {
			*err = xasprintf("migration to schema version %d failed: %s", v + 1,
					 fk_broken ? fk_broken : sqlite3_errmsg(st->db));
			free(fk_broken);
			store_exec(st, "ROLLBACK");
			if (rebuild)
				store_exec(st, "PRAGMA foreign_keys = ON");
			return -1;
		}
		if (rebuild && store_exec(st, "PRAGMA foreign_keys = ON") != SQLITE_OK) {
			*err = xasprintf("turning foreign keys back on: %s", sqlite3_errmsg(st->db));
			return -1;
		}
		log_info("migrated schema to version=%d", v + 1);
	}
	st->schema_version = store_migration_count;
	return 0;
fail:
	*err = xasprintf("reading schema version: %s", sqlite3_errmsg(st->db));
	return -1;
}

/* Create the file ourselves so it is readable by its owner only. */
static int create_private(const char *path, char **err)
{
	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return 0;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*err = xasprintf("cannot open database %s: %m", path);
		return -1;
	}
	close(fd);
	return 0;
}

/* The lock is held by the checkpoint thread (a RESTART holds the write
 * lock while it copies and syncs) or a backup: wait in short steps,
 * since SQLite's own busy timeout sleeps 1, 2, 5, 10... ms and would
 * stall the loop well past the release. Gives up after 5 s. */
static int busy_wait(void *arg, int tries)
{
	struct store *st = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (tries == 0)
		st->busy_since = now;
	double waited = (double)(now.tv_sec - st->busy_since.tv_sec) +
			(double)(now.tv_nsec - st->busy_since.tv_nsec) / 1e9;
	if (waited >= 5.0)
		return 0;
	struct timespec step = { 0, 50 * 1000 };
	nanosleep(&step, NULL);
	return 1;
}

static int exec_all(struct store *st, const char *const *sql, size_t n, char **err)
{
	for (size_t i = 0; i < n; i++) {
		if (store_exec(st, sql[i]) != SQLITE_OK) {
			*err = xasprintf("%s: %s", sql[i], sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

/* Settings of a fresh connection; the writer's also make the database
 * WAL, durable and checked (a read-only connection cannot set those). */
static int configure(struct store *st, bool writer, char **err)
{
	static const char *const writer_pragmas[] = {
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = FULL",
		"PRAGMA foreign_keys = ON",
	};
	static const char *const pragmas[] = {
		"PRAGMA trusted_schema = OFF",
		"PRAGMA cache_size = -16000",
		"PRAGMA temp_store = MEMORY",
	};
	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_handler(st->db, busy_wait, st);
	if (writer && exec_all(st, writer_pragmas, ARRAY_LEN(writer_pragmas), err) != 0)
		return -1;
	return exec_all(st, pragmas, ARRAY_LEN(pragmas), err);
}

/* A database this large is mapped by the reader (checked when it opens
 * and as the database grows: store_reader_map_if_large). A page that is not in the reader's 16 MB cache is then a memory read,
 * not a pread system call and a copy: an action's history is spread
 * through the version table (one row appended per update), and on the
 * 100k-action benchmark database (545 MB) an "action show" that misses
 * the answer cache went from 0.129 to 0.110 ms. A smaller database stays
 * in the page cache, where a mapping only costs: with it every page
 * fetch checks the WAL first, and a metric comparison on the demo-size
 * database took 1.11-1.39 ms instead of 0.99. The mapping is read-only
 * (SQLite writes through the writer's pwrite). */
#define READER_MAP_MIN_BYTES (64LL << 20)

static int map_if_large(struct store *st, const char *path, char **err)
{
	struct stat sb;
	if (st->mapped || stat(path, &sb) != 0 || sb.st_size < READER_MAP_MIN_BYTES)
		return 0;
	static const char *const map[] = { "PRAGMA mmap_size = 1073741824" };
	if (exec_all(st, map, ARRAY_LEN(map), err) != 0)
		return -1;
	st->mapped = true;
	return 0;
}

void store_reader_map_if_large(struct store *rd)
{
	char *err = NULL;
	if (rd == NULL)   /* an in-memory or URI database has no reader */
		return;
	store_read_end(rd);
	if (map_if_large(rd, rd->path, &err) != 0) {
		log_warn("cannot map the database for reading: %s", err);
		free(err);
	}
}

/* A second, read-only connection to an open database: reads run on it so
 * that they see only committed data, never the group transaction the
 * loop's writer keeps open (see server.c). No migrations: the writer's
 * store_open ran them. */
struct store *store_open_reader(const char *path, char **err)
{
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	*err = NULL;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		*err = xasprintf("cannot open database %s for reading: %s", path,
				 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return NULL;
	}
	if (configure(st, false, err) != 0 || map_if_large(st, path, err) != 0) {
		store_close(st);
		return NULL;
	}
	return st;
}

struct store *store_open(const char *path, char **err)
{
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	*err = NULL;
	mode_t old = umask(077); /* -wal and -shm files too */
	int rc = create_private(path, err);
	if (rc == 0 && sqlite3_open_v2(path, &st->db,
				       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
					       SQLITE_OPEN_NOMUTEX,
				       walbuf_vfs()) != SQLITE_OK) {
		*err = xasprintf("cannot open database %s: %s", path,
				 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		rc = -1;
	}
	umask(old);
	if (rc != 0)
		goto fail;
	sqlite3_rollback_hook(st->db, rolled_back, st);
	if (configure(st, true, err) != 0)
		goto fail;
	if (migrate(st, err) != 0)
		goto fail;
	/* Load the planner statistics (sqlite_stat1) a migration wrote. */
	store_exec(st, "ANALYZE sqlite_schema");
	return st;
fail:
	store_close(st);
	return NULL;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->in_txn)
		store_rollback(st);
	store_read_end(st);
	for (size_t i = 0; i < st->nslots; i++)
		if (st->slots[i].stmt != NULL)
			sqlite3_finalize(st->slots[i].stmt);
	free(st->slots);
	for (size_t i = 0; i < st->n_interned; i++)
		free(st->interned[i]);
	free(st->interned);
	if (st->db != NULL)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}
