/* test_store.c: server/store.c on a real database file in a temporary
 * folder: migrations, pragmas, CHECK constraints, the statement cache,
 * savepoints inside the group-commit transaction, the event log, the
 * file's mode and refusing a database newer than the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hutil.h"
#include "log.h"
#include "store.h"
#include "store_ops.h"
#include "util.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/planboard-store.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
	char *err = NULL;
	f->st = store_open(f->path, &err);
	if (f->st == NULL) {
		fprintf(stderr, "store_open: %s\n", err);
		free(err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
		char p[160];
		snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* One integer from a query (-999 if no row). */
static int64_t query_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	int64_t v = -999;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static char *query_text(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK);
	char *v = NULL;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		v = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

/* Run SQL straight on the connection (not through store_exec, which logs
 * the failures these tests provoke on purpose). */
static int raw_exec(struct store *st, const char *sql)
{
	return sqlite3_exec(store_db(st), sql, NULL, NULL, NULL);
}

/* ------------------------------------------------------------ open, migrate */

static void test_migrations_reach_latest(void **state)
{
	struct fixture *f = *state;
	assert_true(store_migration_count >= 1);
	assert_int_equal(store_schema_version(f->st), store_migration_count);
	assert_int_equal(query_int(f->st, "PRAGMA user_version"), store_migration_count);
	assert_string_equal(store_path(f->st), f->path);
	/* The core tables exist. */
	static const char *const tables[] = { "locality", "plan", "theme", "action", "action_version",
					      "user", "token", "event" };
	for (size_t i = 0; i < ARRAY_LEN(tables); i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'",
			 tables[i]);
		if (query_int(f->st, sql) != 1)
			fail_msg("table %s missing", tables[i]);
	}
}

static void test_reopen_is_idempotent(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(raw_exec(f->st, "INSERT INTO locality(code, name) VALUES ('north', 'North')"), SQLITE_OK);
	int64_t objects = query_int(f->st, "SELECT count(*) FROM sqlite_master");
	for (int i = 0; i < 3; i++) {
		store_close(f->st);
		char *err = NULL;
		f->st = store_open(f->path, &err);
		assert_non_null(f->st);
		assert_null(err);
		assert_int_equal(store_schema_version(f->st), store_migration_count);
		assert_int_equal(query_int(f->st, "SELECT count(*) FROM sqlite_master"), objects);
		assert_int_equal(query_int(f->st, "SELECT count(*) FROM locality"), 1);
	}
}

static void test_pragmas(void **state)
{
	struct fixture *f = *state;
	char *mode = query_text(f->st, "PRAGMA journal_mode");
	assert_non_null(mode);
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(query_int(f->st, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(query_int(f->st, "PRAGMA foreign_keys"), 1);
}

/* The file and its WAL are private to the server's user, whatever the
 * umask. */
static void test_file_mode_0600(void **state)
{
	struct fixture *f = *state;
	store_close(f->st);
	f->st = NULL;
	unlink(f->path);
	char wal[160], shm[160];
	snprintf(wal, sizeof wal, "%s-wal", f->path);
	snprintf(shm, sizeof shm, "%s-shm", f->path);
	unlink(wal);
	unlink(shm);
	mode_t old = umask(0);
	char *err = NULL;
	f->st = store_open(f->path, &err);
	mode_t during = umask(old);
	assert_non_null(f->st);
	assert_int_equal(during, 0); /* store_open put the umask back */
	assert_int_equal(raw_exec(f->st, "INSERT INTO locality(code, name) VALUES ('south', 'South')"), SQLITE_OK);
	struct stat sb;
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(wal, &sb), 0);
	assert_int_equal(sb.st_mode & 0077, 0);
}

/* A database at schema version `version` built by hand: the migrations
 * up to it, then `rows` (which sets PRAGMA user_version). */
static void build_old_db(const char *path, int version, const char *rows)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_true(store_migration_count > version);
	for (int v = 0; v < version; v++)
		assert_int_equal(sqlite3_exec(db, store_migrations[v], NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* One integer from a database file, opened on its own (no migration). */
static int file_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void remove_db(const char *path, const char *dir)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
		char p[128];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* Migration 7 turns action_version into a rowid table (a new version is
 * appended instead of inserted mid-tree): every history survives the
 * rebuild unchanged, in (action, version) order, and later versions are
 * appended after it. The database is built at version 6 by hand. */
static void test_version_table_rebuilt(void **state)
{
	(void)state;
	char dir[] = "/tmp/planboard-mig7.XXXXXX", path[96];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/old.db", dir);
	static const char rows[] =
		"PRAGMA user_version = 6;"
		"INSERT INTO plan(id, code, title) VALUES (1, 'p', 'Plan');"
		"INSERT INTO theme(id, plan_id, code, title, position) VALUES (1, 1, 't', 'Theme', 0);"
		"INSERT INTO action(id, plan_id, ref, theme_id, title, source, status, rag, version, created_at, updated_at)"
		" VALUES (1, 1, '1.1', 1, 'One', 'service_wide', 'in_progress', 'amber', 2, 'x', 'x'),"
		"        (2, 1, '1.2', 1, 'Two', 'service_wide', 'completed', 'green', 3, 'x', 'x');"
		/* Written interleaved, as updates arrive. */
		"INSERT INTO action_version(action_id, version, recorded_at, recorded_by, theme_id, title, source, status, rag, note)"
		" VALUES (2, 1, '2017-01-01', 'a', 1, 'Two', 'service_wide', 'not_started', 'red', 'created'),"
		"        (1, 1, '2017-01-02', 'a', 1, 'One', 'service_wide', 'not_started', 'red', 'created'),"
		"        (2, 2, '2017-02-01', 'b', 1, 'Two', 'service_wide', 'in_progress', 'amber', NULL),"
		"        (1, 2, '2017-02-02', 'b', 1, 'One', 'service_wide', 'in_progress', 'amber', 'started'),"
		"        (2, 3, '2017-03-01', 'c', 1, 'Two', 'service_wide', 'completed', 'green', 'done');";
	build_old_db(path, 6, rows);

	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(query_int(st, "PRAGMA user_version"), store_migration_count);
	char *all = query_text(st, "SELECT group_concat(r, ';') FROM (SELECT action_id || ',' || version || ','"
				   " || recorded_at || ',' || recorded_by || ',' || status || ',' || ifnull(note, '-') AS r"
				   " FROM action_version ORDER BY rowid)");
	assert_string_equal(all, "1,1,2017-01-02,a,not_started,created;1,2,2017-02-02,b,in_progress,started;"
				 "2,1,2017-01-01,a,not_started,created;2,2,2017-02-01,b,in_progress,-;"
				 "2,3,2017-03-01,c,completed,done");
	free(all);
	/* A new version goes at the end. (Migration 10 replaced the key
	 * (action_id, version) by chains: test_version_chains_built.) */
	assert_int_equal(raw_exec(st, "INSERT INTO action_version(action_id, version, recorded_at, recorded_by,"
				      " theme_id, title, source, status, rag) VALUES (1, 3, '2017-04-01', 'd', 1, 'One',"
				      " 'service_wide', 'completed', 'green')"), SQLITE_OK);
	assert_int_equal(query_int(st, "SELECT action_id * 10 + version FROM action_version ORDER BY rowid DESC LIMIT 1"),
			 13);
	assert_int_equal(query_int(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'action_version_append'"), 0);
	char *check = query_text(st, "PRAGMA integrity_check");
	assert_string_equal(check, "ok");
	free(check);
	store_close(st);
	remove_db(path, dir);
}

/* Migration 8 drops AUTOINCREMENT from the event log: every event keeps
 * its seq, the next one is max(seq) + 1 (above the numbers of events
 * deleted by hand before it, which a row keeps), and sqlite_sequence no
 * longer has a row for it. The database is built at version 7 by hand. */
static void test_event_seq_plain(void **state)
{
	(void)state;
	char dir[] = "/tmp/planboard-mig8.XXXXXX", path[96];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/old.db", dir);
	static const char rows[] =
		"PRAGMA user_version = 7;"
		"INSERT INTO event(time, user, entity, ref, op, summary) VALUES"
		" ('2017-01-01', 'a', 'action', '1.1', 'add', 'one'),"
		" ('2017-01-02', 'b', 'action', '1.2', 'update', 'two');"
		"INSERT INTO event(seq, time, user, entity, ref, op, summary, plan, locality) VALUES"
		" (7, '2017-01-03', 'c', 'metric', NULL, 'submit', 'three', 'p', 'north'),"
		" (8, '2017-01-04', 'd', 'action', '1.3', 'add', 'deleted later', NULL, NULL),"
		" (9, '2017-01-05', 'd', 'action', '1.4', 'add', 'deleted later', NULL, NULL);"
		/* The newest two deleted by hand: AUTOINCREMENT kept 9. */
		"DELETE FROM event WHERE seq >= 8;";
	build_old_db(path, 7, rows);

	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(query_int(st, "PRAGMA user_version"), store_migration_count);
	char *sql = query_text(st, "SELECT sql FROM sqlite_schema WHERE name = 'event'");
	assert_non_null(strstr(sql, "seq INTEGER PRIMARY KEY,"));
	assert_null(strstr(sql, "AUTOINCREMENT"));
	free(sql);
	char *all = query_text(st, "SELECT group_concat(r, ';') FROM (SELECT seq || ',' || time || ',' || user || ','"
				   " || entity || ',' || ifnull(ref, '-') || ',' || op || ',' || summary || ','"
				   " || ifnull(plan, '-') || ',' || ifnull(locality, '-') AS r FROM event WHERE seq < 9 ORDER BY seq)");
	assert_string_equal(all, "1,2017-01-01,a,action,1.1,add,one,-,-;2,2017-01-02,b,action,1.2,update,two,-,-;"
				 "7,2017-01-03,c,metric,-,submit,three,p,north");
	free(all);
	/* The high-water mark of the deleted tail is kept by a row of its own. */
	char *kept = query_text(st, "SELECT seq || ',' || entity || ',' || op || ',' || ifnull(user, '-')"
				    " FROM event WHERE seq >= 8");
	assert_string_equal(kept, "9,event,sequence-kept,-");
	free(kept);
	assert_int_equal(query_int(st, "SELECT count(*) FROM sqlite_sequence WHERE name LIKE 'event%'"), 0);
	assert_int_equal(query_int(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'event_plain_seq'"), 0);
	struct event_row ev = { .time = "2017-02-01", .user = "d", .entity = "action", .op = "update" };
	assert_int_equal(store_event_add(st, &ev), 10);
	assert_int_equal(store_last_event_seq(st), 10);
	char *check = query_text(st, "PRAGMA integrity_check");
	assert_string_equal(check, "ok");
	free(check);
	store_close(st);
	remove_db(path, dir);
}

/* A database at schema version 8 with two actions and their versions. */
static void build_v8(const char *path, bool dangling)
{
	static const char rows[] =
		"PRAGMA user_version = 8;"
		"INSERT INTO plan(id, code, title) VALUES (1, 'p', 'Plan');"
		"INSERT INTO theme(id, plan_id, code, title, position) VALUES (1, 1, 't', 'Theme', 0);"
		"INSERT INTO action(id, plan_id, ref, theme_id, title, source, status, rag, version, created_at, updated_at)"
		" VALUES (4, 1, '1.1', 1, 'One', 'service_wide', 'in_progress', 'amber', 2, 'x', 'y'),"
		"        (9, 1, '1.2', 1, 'Two', 'locality', 'blocked', 'blue', 1, 'x', 'z');"
		"INSERT INTO action_version(action_id, version, recorded_at, recorded_by, theme_id, title, source, status, rag)"
		" VALUES (4, 1, '2017-01-01', 'a', 1, 'One', 'service_wide', 'not_started', 'red'),"
		"        (9, 1, '2017-01-01', 'a', 1, 'Two', 'locality', 'blocked', 'blue'),"
		"        (4, 2, '2017-01-02', 'a', 1, 'One', 'service_wide', 'in_progress', 'amber');";
	static const char dangling_row[] =   /* written with foreign keys off: refers to no action */
		"INSERT INTO action_version(action_id, version, recorded_at, recorded_by, theme_id, title, source,"
		" status, rag) VALUES (77, 1, 'x', 'a', 1, 'Gone', 'locality', 'completed', 'green');";
	char sql[sizeof rows + sizeof dangling_row];
	snprintf(sql, sizeof sql, "%s%s", rows, dangling ? dangling_row : "");
	build_old_db(path, 8, sql);
}

/* Does the statement's program build a temporary B-tree? */
static bool uses_ephemeral(struct store *st, const char *sql)
{
	char explain[512];
	snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), explain, -1, &s, NULL), SQLITE_OK);
	bool found = false;
	while (sqlite3_step(s) == SQLITE_ROW)
		found |= strcmp((const char *)sqlite3_column_text(s, 1), "OpenEphemeral") == 0;
	sqlite3_finalize(s);
	return found;
}

/* Migration 9 rebuilds action with its enumeration CHECKs as comparisons:
 * rows, ids, indexes, planner statistics and foreign keys survive; the
 * CHECKs refuse what they refused; setting a RAG rating or a status no
 * longer builds a temporary B-tree. */
static void test_action_checks_rebuilt(void **state)
{
	(void)state;
	char dir[] = "/tmp/planboard-mig9.XXXXXX", path[96];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/old.db", dir);
	assert_true(store_migration_count >= 9);
	build_v8(path, false);
	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(query_int(st, "PRAGMA user_version"), store_migration_count);
	char *all = query_text(st, "SELECT group_concat(r, ';') FROM (SELECT id || ',' || ref || ',' || source || ','"
				   " || status || ',' || rag || ',' || version || ',' || updated_at AS r FROM action ORDER BY id)");
	assert_string_equal(all, "4,1.1,service_wide,in_progress,amber,2,y;9,1.2,locality,blocked,blue,1,z");
	free(all);
	assert_int_equal(query_int(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'action'"
				   " AND name IN ('action_theme', 'action_locality', 'action_plan_due', 'action_plan_status',"
				   " 'action_plan_rag', 'action_owner', 'action_ref', 'action_assigned')"), 8);
	assert_int_equal(query_int(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'action_checks'"), 0);
	assert_int_equal(query_int(st, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'action'"), 9);
	assert_int_equal(query_int(st, "PRAGMA foreign_keys"), 1);
	/* Refused as before; a good value still goes in. */
	assert_int_equal(raw_exec(st, "UPDATE action SET rag = 'purple' WHERE id = 4"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "UPDATE action SET status = 'done' WHERE id = 4"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "UPDATE action SET source = 'both' WHERE id = 4"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "UPDATE action SET rag = NULL WHERE id = 4"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "UPDATE action SET rag = 'Red' WHERE id = 4"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "UPDATE action SET rag = 'green', status = 'completed' WHERE id = 4"), SQLITE_OK);
	/* Foreign keys are enforced again, both ways. */
	assert_int_equal(raw_exec(st, "INSERT INTO action_version(action_id, version, recorded_at, recorded_by, theme_id,"
				      " title, source, status, rag) VALUES (5, 1, 'x', 'a', 1, 'No', 'locality',"
				      " 'completed', 'green')"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "DELETE FROM action WHERE id = 4"), SQLITE_CONSTRAINT);
	assert_false(uses_ephemeral(st, "UPDATE action SET rag = 'red', status = 'blocked' WHERE id = 9"));
	assert_false(uses_ephemeral(st, "INSERT INTO action(plan_id, ref, theme_id, title, source, status, rag, version,"
					" created_at, updated_at) VALUES (1, 'n', 1, 'N', 'locality', 'not_started', 'red', 1,"
					" 'x', 'x')"));
	char *check = query_text(st, "PRAGMA integrity_check");
	assert_string_equal(check, "ok");
	free(check);
	store_close(st);
	remove_db(path, dir);
}

/* A rebuild that would leave a row referring to nothing is refused and
 * rolled back: the database stays at version 8, as it was. */
static void test_rebuild_refused_on_dangling_row(void **state)
{
	(void)state;
	char dir[] = "/tmp/planboard-mig9x.XXXXXX", path[96];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/old.db", dir);
	build_v8(path, true);
	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_null(st);
	assert_non_null(err);
	assert_non_null(strstr(err, "migration to schema version 9 failed: row 4 of table action_version refers to a"
				    " missing row of action (foreign_key_check)"));
	free(err);
	assert_int_equal(file_int(path, "PRAGMA user_version"), 8);
	assert_int_equal(file_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'action_checks'"), 0);
	assert_int_equal(file_int(path, "SELECT count(*) FROM action"), 2);
	remove_db(path, dir);
}

/* The version (or NULL) of each action as recorded by `bound`, walking
 * the chains as the server does, "id:version;..." (free it). */
static char *as_recorded(struct store *st, const char *bound)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT group_concat(a.id || ':' || ifnull((SELECT version"
					    " FROM action_version WHERE id = " VERSION_AS_RECORDED("a") "), '-'), ';')"
					    " FROM (SELECT * FROM action ORDER BY id) a", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, bound, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	char *out = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return out;
}

/* What `planboardd --check` says of the file: its return and output. */
static int check_file(const char *path, char *out, size_t len)
{
	FILE *f = fmemopen(out, len, "w");
	assert_non_null(f);
	int rc = store_check_file(path, f);
	fclose(f);
	return rc;
}

/* Migration 10 turns each action's versions into a chain: every row keeps
 * its id, each points at the version before it and the action at its
 * current one; the index (action_id, version) is gone; "as recorded by"
 * gives what max(version) gave; --check finds a broken chain. */
static void test_version_chains_built(void **state)
{
	(void)state;
	char dir[] = "/tmp/planboard-mig10.XXXXXX", path[96];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/old.db", dir);
	static const char rows[] =
		"PRAGMA user_version = 9;"
		"INSERT INTO plan(id, code, title) VALUES (1, 'p', 'Plan');"
		"INSERT INTO theme(id, plan_id, code, title, position) VALUES (1, 1, 't', 'Theme', 0);"
		"INSERT INTO action(id, plan_id, ref, theme_id, title, source, status, rag, version, created_at, updated_at)"
		" VALUES (1, 1, '1.1', 1, 'One', 'service_wide', 'in_progress', 'amber', 2, 'x', 'x'),"
		"        (2, 1, '1.2', 1, 'Two', 'service_wide', 'completed', 'green', 3, 'x', 'x'),"
		"        (3, 1, '1.3', 1, 'Three', 'service_wide', 'not_started', 'red', 2, 'x', 'x');"
		/* Interleaved, as updates arrive; ids as a version 9 server
		 * left them (after migration 7: one action's rows together). */
		"INSERT INTO action_version(rowid, action_id, version, recorded_at, recorded_by, theme_id, title, source,"
		" status, rag) VALUES"
		" (10, 2, 1, '2017-01-01', 'a', 1, 'Two', 'service_wide', 'not_started', 'red'),"
		" (11, 1, 1, '2017-01-02', 'a', 1, 'One', 'service_wide', 'not_started', 'red'),"
		" (12, 2, 2, '2017-02-01', 'b', 1, 'Two', 'service_wide', 'in_progress', 'amber'),"
		" (13, 1, 2, '2017-02-02', 'b', 1, 'One', 'service_wide', 'in_progress', 'amber'),"
		" (15, 2, 3, '2017-03-01', 'c', 1, 'Two', 'service_wide', 'completed', 'green'),"
		" (16, 3, 1, '2017-03-05', 'c', 1, 'Three', 'service_wide', 'not_started', 'red'),"
		/* The clock went back: version 2 recorded before version 1. */
		" (17, 3, 2, '2017-03-04', 'c', 1, 'Three', 'service_wide', 'not_started', 'red');";
	build_old_db(path, 9, rows);
	/* What the keyed table answers, before the migration. */
	static const char *const bounds[] = { "2016-12-31", "2017-01-01", "2017-01-15", "2017-02-01T12:00:00Z",
					      "2017-02-28", "2017-03-01", "2017-03-04", "2017-03-05", "2099-01-01" };
	char *before[ARRAY_LEN(bounds)];
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < ARRAY_LEN(bounds); i++) {
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(a.id || ':' || ifnull((SELECT max(v.version)"
						    " FROM action_version v WHERE v.action_id = a.id AND v.recorded_at <= ?1),"
						    " '-'), ';') FROM (SELECT * FROM action ORDER BY id) a", -1, &s, NULL),
				 SQLITE_OK);
		sqlite3_bind_text(s, 1, bounds[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		before[i] = xstrdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	sqlite3_close(db);

	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(query_int(st, "PRAGMA user_version"), store_migration_count);
	char *links = query_text(st, "SELECT group_concat(id || '<' || ifnull(prev, '-'), ' ') FROM"
				     " (SELECT id, prev FROM action_version ORDER BY id)");
	assert_string_equal(links, "10<- 11<- 12<10 13<11 15<12 16<- 17<16");
	free(links);
	char *heads = query_text(st, "SELECT group_concat(id || '>' || version_row, ' ') FROM"
				     " (SELECT id, version_row FROM action ORDER BY id)");
	assert_string_equal(heads, "1>13 2>15 3>17");
	free(heads);
	assert_int_equal(query_int(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
				   " AND tbl_name = 'action_version'"), 0);
	assert_int_equal(query_int(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'action_version_chain'"), 0);
	for (size_t i = 0; i < ARRAY_LEN(bounds); i++) {
		char *after = as_recorded(st, bounds[i]);
		assert_string_equal(after, before[i]);
		free(after);
		free(before[i]);
	}
	char *at = as_recorded(st, "2017-01-15");
	assert_string_equal(at, "1:1;2:1;3:-");
	free(at);
	at = as_recorded(st, "2017-03-04");   /* the newest recorded by then */
	assert_string_equal(at, "1:2;2:3;3:2");
	free(at);
	char *check = query_text(st, "PRAGMA integrity_check");
	assert_string_equal(check, "ok");
	free(check);
	store_close(st);

	char out[4096];
	assert_int_equal(check_file(path, out, sizeof out), 0);
	assert_non_null(strstr(out, "integrity ok, foreign keys ok, version chains ok, schema version"));
	/* Each way a chain can break, one at a time, then put right. */
	static const struct {
		const char *breaks, *mends, *says;
	} faults[] = {
		{ "UPDATE action_version SET prev = 11 WHERE id = 12", "UPDATE action_version SET prev = 10 WHERE id = 12",
		  "version chains: version row 12 (action 2 version 2) points at row 11 (action 1 version 1)" },
		{ "UPDATE action_version SET prev = 99 WHERE id = 12", "UPDATE action_version SET prev = 10 WHERE id = 12",
		  "version chains: version row 12 (action 2 version 2) points at missing row 99" },
		{ "UPDATE action_version SET prev = NULL WHERE id = 13", "UPDATE action_version SET prev = 11 WHERE id = 13",
		  "version chains: version row 13 (action 1 version 2) starts a chain but is not version 1" },
		{ "INSERT INTO action_version(id, action_id, version, recorded_at, recorded_by, theme_id, title, source,"
		  " status, rag, prev) VALUES (19, 1, 2, 'x', 'd', 1, 'One', 'service_wide', 'completed', 'green', 11)",
		  "DELETE FROM action_version WHERE id = 19", "version chains: action 1 has 2 rows of version 2" },
		{ "UPDATE action SET version_row = 12 WHERE id = 1", "UPDATE action SET version_row = 13 WHERE id = 1",
		  "version chains: action 1 (version 2) points at row 12 (action 2 version 2)" },
		{ "UPDATE action SET version_row = NULL WHERE id = 3", "UPDATE action SET version_row = 17 WHERE id = 3",
		  "version chains: action 3 (version 2) points at no version row" },
		{ "INSERT INTO action_version(id, action_id, version, recorded_at, recorded_by, theme_id, title, source,"
		  " status, rag, prev) VALUES (18, 2, 4, 'x', 'd', 1, 'Two', 'service_wide', 'completed', 'green', 15)",
		  "DELETE FROM action_version WHERE id = 18",
		  "version chains: version row 18 (action 2 version 4) is past the action's version 3" },
	};
	for (size_t i = 0; i < ARRAY_LEN(faults); i++) {
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, faults[i].breaks, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(check_file(path, out, sizeof out), -1);
		assert_non_null(strstr(out, faults[i].says));
		assert_non_null(strstr(out, "version chains FAILED"));
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, faults[i].mends, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(check_file(path, out, sizeof out), 0);
	}
	remove_db(path, dir);
}

/* An action without the row of its current version has no chain to
 * start from: migration 10 refuses, names the check and leaves the
 * database at version 9. */
static void test_version_chains_refused(void **state)
{
	(void)state;
	char dir[] = "/tmp/planboard-mig10x.XXXXXX", path[96];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/old.db", dir);
	build_old_db(path, 9,
		     "PRAGMA user_version = 9;"
		     "INSERT INTO plan(id, code, title) VALUES (1, 'p', 'Plan');"
		     "INSERT INTO theme(id, plan_id, code, title, position) VALUES (1, 1, 't', 'Theme', 0);"
		     "INSERT INTO action(id, plan_id, ref, theme_id, title, source, status, rag, version, created_at,"
		     " updated_at) VALUES (1, 1, '1.1', 1, 'One', 'service_wide', 'in_progress', 'amber', 2, 'x', 'x');"
		     "INSERT INTO action_version(action_id, version, recorded_at, recorded_by, theme_id, title, source,"
		     " status, rag) VALUES (1, 1, '2017-01-01', 'a', 1, 'One', 'service_wide', 'not_started', 'red');");
	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_null(st);
	assert_non_null(err);
	assert_non_null(strstr(err, "migration to schema version 10 failed"));
	assert_non_null(strstr(err, "every_action_has_the_row_of_its_current_version"));
	free(err);
	assert_int_equal(file_int(path, "PRAGMA user_version"), 9);
	assert_int_equal(file_int(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'action_version_chain'"), 0);
	remove_db(path, dir);
}

/* The read-only connection sees committed data only, cannot write, and
 * maps the file once it is large (64 MB), not before. */
static void test_reader(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;
	struct store *rd = store_open_reader(f->path, &err);
	assert_non_null(rd);
	assert_null(err);
	assert_int_equal(query_int(rd, "PRAGMA mmap_size"), 0);
	assert_int_equal(query_int(f->st, "PRAGMA mmap_size"), 0);
	assert_int_equal(raw_exec(f->st, "BEGIN; INSERT INTO locality(code, name) VALUES ('east', 'East')"), SQLITE_OK);
	assert_int_equal(query_int(rd, "SELECT count(*) FROM locality WHERE code = 'east'"), 0);
	assert_int_equal(raw_exec(f->st, "COMMIT"), SQLITE_OK);
	assert_int_equal(query_int(rd, "SELECT count(*) FROM locality WHERE code = 'east'"), 1);
	assert_int_equal(raw_exec(rd, "INSERT INTO locality(code, name) VALUES ('west', 'West')"), SQLITE_READONLY);
	store_reader_map_if_large(rd);   /* still small */
	store_reader_map_if_large(NULL); /* a server without a reader (in memory) */
	assert_int_equal(query_int(rd, "PRAGMA mmap_size"), 0);
	/* 64 MB of data, checkpointed into the file: the reader, told the
	 * database grew, maps it, and so does a new reader at once. */
	assert_int_equal(raw_exec(f->st, "CREATE TABLE filler(b BLOB);"
					 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 65)"
					 " INSERT INTO filler SELECT zeroblob(1 << 20) FROM c;"
					 "PRAGMA wal_checkpoint(TRUNCATE)"),
			 SQLITE_OK);
	store_reader_map_if_large(rd);
	assert_int_equal(query_int(rd, "PRAGMA mmap_size"), 1073741824);
	assert_int_equal(query_int(rd, "SELECT count(*) FROM filler"), 65);
	store_close(rd);
	rd = store_open_reader(f->path, &err);
	assert_non_null(rd);
	assert_int_equal(query_int(rd, "PRAGMA mmap_size"), 1073741824);
	store_close(rd);
}

static void test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_migration_count + 1);
	assert_int_equal(raw_exec(f->st, sql), SQLITE_OK);
	store_close(f->st);
	char *err = NULL;
	f->st = store_open(f->path, &err);
	assert_null(f->st);
	assert_non_null(err);
	char want[128];
	snprintf(want, sizeof want, "database schema version %d is newer than this server (%d)",
		 store_migration_count + 1, store_migration_count);
	assert_string_equal(err, want);
	free(err);
	/* Put it back so teardown (and the file) are ordinary again. */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_migration_count);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
}

static void test_open_errors(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *st = store_open("/nonexistent-planboard-dir/x.db", &err);
	assert_null(st);
	assert_non_null(err);
	assert_non_null(strstr(err, "/nonexistent-planboard-dir/x.db"));
	free(err);
	/* A file that is not a database. */
	char path[] = "/tmp/planboard-notdb.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char junk[] = "this is not an SQLite database, just text that is long enough to matter...";
	assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
	close(fd);
	err = NULL;
	st = store_open(path, &err);
	assert_null(st);
	assert_non_null(err);
	free(err);
	unlink(path);
	store_close(NULL); /* harmless */
}

static void test_memory_database(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *st = store_open(":memory:", &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), store_migration_count);
	store_close(st);
}

/* ------------------------------------------------------------ CHECK constraints */

static void test_check_constraints(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->st;
	assert_int_equal(raw_exec(st,
		"INSERT INTO locality(id, code, name) VALUES (1, 'north', 'North');"
		"INSERT INTO plan(id, code, title) VALUES (1, 'north-2017', 'Plan');"
		"INSERT INTO theme(id, plan_id, code, title, position) VALUES (1, 1, 'core', 'Core', 0);"),
		SQLITE_OK);
	static const char good[] =
		"INSERT INTO action(plan_id, ref, theme_id, title, source, status, rag, version, created_at, updated_at)"
		" VALUES (1, 'N-%d', 1, 'T', '%s', '%s', '%s', 1, 'x', 'x')";
	static const struct {
		const char *source, *status, *rag;
		bool ok;
	} cases[] = {
		{ "locality", "not_started", "red", true },
		{ "service_wide", "blocked", "blue", true },
		{ "locality", "done", "red", false },
		{ "locality", "NOT_STARTED", "red", false },
		{ "locality", "in_progress", "purple", false },
		{ "locality", "in_progress", "", false },
		{ "everywhere", "in_progress", "red", false },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char sql[512];
		snprintf(sql, sizeof sql, good, (int)i, cases[i].source, cases[i].status, cases[i].rag);
		int rc = raw_exec(st, sql);
		if ((rc == SQLITE_OK) != cases[i].ok)
			fail_msg("action %s/%s/%s: rc %d", cases[i].source, cases[i].status, cases[i].rag, rc);
		if (!cases[i].ok)
			assert_int_equal(rc, SQLITE_CONSTRAINT);
	}
	/* Roles, and a locality user must have a locality (and only they). */
	assert_int_equal(raw_exec(st, "INSERT INTO user(name, role, password_hash, created_at)"
				      " VALUES ('a', 'admin', 'h', 'x')"), SQLITE_OK);
	assert_int_equal(raw_exec(st, "INSERT INTO user(name, role, password_hash, created_at)"
				      " VALUES ('r', 'root', 'h', 'x')"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "INSERT INTO user(name, role, password_hash, created_at)"
				      " VALUES ('l', 'locality', 'h', 'x')"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "INSERT INTO user(name, role, locality_id, password_hash, created_at)"
				      " VALUES ('l', 'locality', 1, 'h', 'x')"), SQLITE_OK);
	assert_int_equal(raw_exec(st, "INSERT INTO user(name, role, locality_id, password_hash, created_at)"
				      " VALUES ('v', 'viewer', 1, 'h', 'x')"), SQLITE_CONSTRAINT);
	/* Foreign keys are enforced. */
	assert_int_equal(raw_exec(st, "INSERT INTO theme(plan_id, code, title, position) VALUES (99, 'x', 'X', 0)"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(query_int(st, "SELECT count(*) FROM action"), 2);
}

/* ------------------------------------------------------------ statement cache */

static const char sql_select_param[] = "SELECT ?";

static void test_stmt_cache_same_pointer(void **state)
{
	struct fixture *f = *state;
	sqlite3_stmt *a = store_stmt(f->st, sql_select_param);
	assert_non_null(a);
	sqlite3_bind_int(a, 1, 42);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 42);
	assert_true(sqlite3_stmt_busy(a));
	/* Same SQL pointer: the same statement, reset and with its binding
	 * cleared, even though it was left mid-result. */
	sqlite3_stmt *b = store_stmt(f->st, sql_select_param);
	assert_ptr_equal(a, b);
	assert_false(sqlite3_stmt_busy(b));
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
	sqlite3_reset(b);
	/* The same text at another address is another entry of the cache. */
	char copy[sizeof sql_select_param];
	memcpy(copy, sql_select_param, sizeof copy);
	sqlite3_stmt *c = store_stmt(f->st, copy);
	assert_ptr_not_equal(c, a);
}

static void test_stmt_cache_dynamic(void **state)
{
	struct fixture *f = *state;
	char *one = xasprintf("SELECT %d", 7);
	char *two = xasprintf("SELECT %d", 7);
	sqlite3_stmt *a = store_stmt_dyn(f->st, one);
	/* Cached by content: the caller's buffer may be freed. */
	free(one);
	sqlite3_stmt *b = store_stmt_dyn(f->st, two);
	free(two);
	assert_ptr_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(b, 0), 7);
	sqlite3_reset(b);
}

/* Hundreds of statements: the table grows and every statement is still
 * found again (and not prepared twice). */
static void test_stmt_cache_growth(void **state)
{
	struct fixture *f = *state;
	enum { N = 700 };
	sqlite3_stmt **first = calloc(N, sizeof *first);
	assert_non_null(first);
	for (int i = 0; i < N; i++) {
		char sql[64];
		snprintf(sql, sizeof sql, "SELECT %d + 0", i);
		first[i] = store_stmt_dyn(f->st, sql);
	}
	for (int i = 0; i < N; i++) {
		char sql[64];
		snprintf(sql, sizeof sql, "SELECT %d + 0", i);
		sqlite3_stmt *s = store_stmt_dyn(f->st, sql);
		assert_ptr_equal(s, first[i]);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), i);
		sqlite3_reset(s);
	}
	free(first);
}

/* ------------------------------------------------------------ transactions */

static void add_locality(struct store *st, const char *code)
{
	sqlite3_stmt *s = store_stmt(st, "INSERT INTO locality(code, name) VALUES (?, ?)");
	stmt_text(s, 1, code);
	stmt_text(s, 2, code);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
}

static bool has_locality(struct store *st, const char *code)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM locality WHERE code = ?");
	stmt_text(s, 1, code);
	bool found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return found;
}

/* Group commit: each request in its own savepoint; a failed one is rolled
 * back alone and its neighbours are committed. */
static void test_savepoint_rollback_keeps_outer(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->st;
	assert_false(store_in_txn(st));
	assert_int_equal(store_begin(st), SQLITE_OK);
	assert_true(store_in_txn(st));
	assert_int_equal(store_begin(st), SQLITE_OK); /* already open: no-op */

	assert_int_equal(store_savepoint(st), SQLITE_OK);
	add_locality(st, "first");
	store_release(st);

	assert_int_equal(store_savepoint(st), SQLITE_OK);
	add_locality(st, "failed");
	assert_true(has_locality(st, "failed"));
	store_rollback_savepoint(st);
	assert_false(has_locality(st, "failed"));
	assert_true(has_locality(st, "first"));
	assert_true(store_in_txn(st));
	assert_false(sqlite3_get_autocommit(store_db(st)));

	assert_int_equal(store_savepoint(st), SQLITE_OK);
	add_locality(st, "third");
	store_release(st);

	assert_int_equal(store_commit(st), SQLITE_OK);
	assert_false(store_in_txn(st));
	assert_true(sqlite3_get_autocommit(store_db(st)));
	assert_int_equal(store_commit(st), SQLITE_OK); /* nothing open: no-op */

	/* Committed for real: visible after reopening. */
	store_close(st);
	char *err = NULL;
	f->st = st = store_open(f->path, &err);
	assert_non_null(st);
	assert_true(has_locality(st, "first"));
	assert_false(has_locality(st, "failed"));
	assert_true(has_locality(st, "third"));
}

static void test_rollback_drops_all(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->st;
	assert_int_equal(store_begin(st), SQLITE_OK);
	assert_int_equal(store_savepoint(st), SQLITE_OK);
	add_locality(st, "gone");
	store_release(st);
	store_rollback(st);
	assert_false(store_in_txn(st));
	assert_false(has_locality(st, "gone"));
	store_rollback(st); /* nothing open: harmless */
}

/* Closing with a transaction open rolls it back. */
static void test_close_in_txn(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(store_begin(f->st), SQLITE_OK);
	add_locality(f->st, "unsaved");
	store_close(f->st);
	char *err = NULL;
	f->st = store_open(f->path, &err);
	assert_non_null(f->st);
	assert_false(has_locality(f->st, "unsaved"));
}

/* ------------------------------------------------------------ event log */

static void test_event_seq_grows(void **state)
{
	struct fixture *f = *state;
	struct store *st = f->st;
	assert_int_equal(store_last_event_seq(st), 0);
	int64_t prev = 0;
	for (int i = 0; i < 5; i++) {
		struct event_row ev = {
			.time = "2017-09-30T12:00:00Z",
			.user = "admin",
			.entity = "action",
			.ref = "N-2.3",
			.op = "update",
			.summary = "status in_progress",
			.plan = "north-2017",
			.locality = i % 2 ? "north" : NULL,
		};
		int64_t seq = store_event_add(st, &ev);
		assert_true(seq > prev);
		assert_int_equal(store_last_event_seq(st), seq);
		prev = seq;
	}
	assert_int_equal(query_int(st, "SELECT count(*) FROM event"), 5);
	assert_int_equal(query_int(st, "SELECT count(*) FROM event WHERE locality IS NULL"), 3);
	char *summary = query_text(st, "SELECT summary FROM event ORDER BY seq DESC LIMIT 1");
	assert_string_equal(summary, "status in_progress");
	free(summary);
	/* A row that breaks a NOT NULL column: -1, and the log is unchanged. */
	struct event_row bad = { .time = "2017-09-30T12:00:00Z", .entity = NULL, .op = "x" };
	assert_int_equal(store_event_add(st, &bad), -1);
	assert_int_equal(store_last_event_seq(st), prev);
	/* A seq is never reused (watch --since relies on it): the log is
	 * append-only, so its newest row cannot be deleted or renumbered. */
	assert_int_equal(raw_exec(st, "DELETE FROM event WHERE seq = (SELECT max(seq) FROM event)"), SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "UPDATE event SET seq = seq + 100 WHERE seq = (SELECT max(seq) FROM event)"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(raw_exec(st, "UPDATE event SET summary = 'changed'"), SQLITE_CONSTRAINT);
	assert_int_equal(query_int(st, "SELECT count(*) FROM event"), 5);
	struct event_row ev = { .time = "2017-09-30T12:00:01Z", .entity = "plan", .op = "add" };
	assert_int_equal(store_event_add(st, &ev), prev + 1);
}

/* ------------------------------------------------------------ helpers */

static void test_bind_helpers(void **state)
{
	struct fixture *f = *state;
	sqlite3_stmt *s = store_stmt(f->st, "SELECT ?, ?, ?, ?, ?");
	stmt_text(s, 1, "text");
	stmt_text(s, 2, NULL);
	stmt_int(s, 3, INT64_MAX);
	stmt_real(s, 4, 82.5);
	stmt_null(s, 5);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	struct arena a = { 0 };
	assert_string_equal(col_text(&a, s, 0), "text");
	assert_null(col_text(&a, s, 1));
	assert_true(sqlite3_column_int64(s, 2) == INT64_MAX);
	assert_true(sqlite3_column_double(s, 3) == 82.5);
	assert_null(col_text(&a, s, 4));
	sqlite3_reset(s);
	arena_free(&a);
}

int main(void)
{
	log_set_level(LOG_ERR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrations_reach_latest, setup, teardown),
		cmocka_unit_test(test_version_table_rebuilt),
		cmocka_unit_test(test_event_seq_plain),
		cmocka_unit_test(test_action_checks_rebuilt),
		cmocka_unit_test(test_rebuild_refused_on_dangling_row),
		cmocka_unit_test_setup_teardown(test_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_mode_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_memory_database),
		cmocka_unit_test_setup_teardown(test_check_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt_cache_same_pointer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt_cache_dynamic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stmt_cache_growth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_savepoint_rollback_keeps_outer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_drops_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_in_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_seq_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_helpers, setup, teardown),
		cmocka_unit_test(test_version_chains_built),
		cmocka_unit_test(test_version_chains_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
