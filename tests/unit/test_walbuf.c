/* test_walbuf.c: server/walbuf.c on a real database file: a commit of
 * many WAL frames is one gathered write, and every committed frame is in
 * the file when COMMIT returns (a second connection through the default
 * VFS reads it, and a copy of the files taken then recovers it); a
 * transaction rolled back after spilling frames leaves nothing behind; a
 * transaction that changes pages it already spilled (SQLite rewrites
 * those frames and their checksums in place) is whole on disk; a large
 * transaction goes out in bounded pieces; the WAL restarts cleanly after
 * a checkpoint; a failed write fails the COMMIT, and one that fails under
 * a read loses no frame the transaction later commits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>
#include <sys/types.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "walbuf.h"

/* Writes fail with ENOSPC while set (the unix VFS's pwrite64 replaced). */
static bool fail_writes;
static sqlite3_syscall_ptr real_pwrite64;

static ssize_t failing_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (fail_writes) {
		errno = ENOSPC;
		return -1;
	}
	return ((ssize_t(*)(int, const void *, size_t, off_t))real_pwrite64)(fd, buf, n, off);
}

struct fixture {
	char dir[64], path[128];
	sqlite3 *w;   /* through walbuf, as the server's writer */
	sqlite3 *r;   /* the default VFS, as the reader and checkpointer */
};

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : sqlite3_errstr(rc));
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/planboard-walbuf.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	const char *vfs = walbuf_vfs();
	assert_non_null(vfs);
	assert_int_equal(sqlite3_open_v2(f->path, &f->w, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK);
	/* As the server's writer: WAL, synced by another thread, no
	 * automatic checkpoint, a small cache so a big transaction spills. */
	exec_ok(f->w, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;"
		      "PRAGMA cache_size = 20;"
		      "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v BLOB); CREATE INDEX t_k ON t(k);");
	assert_int_equal(sqlite3_open_v2(f->path, &f->r, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	sqlite3_close(f->r);
	sqlite3_close(f->w);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* n rows of 1 KiB at random keys: many pages touched. */
static void insert_rows(sqlite3 *db, int n)
{
	char sql[160];
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d)"
		 " INSERT INTO t(k, v) SELECT abs(random()) %% 100000, randomblob(1024) FROM c",
		 n);
	exec_ok(db, sql);
}

/* n rows in a transaction of their own. */
static void commit_rows(sqlite3 *db, int n)
{
	exec_ok(db, "BEGIN");
	insert_rows(db, n);
	exec_ok(db, "COMMIT");
}

/* 4 rows committed, then 8 whose COMMIT cannot write its frames: it must
 * fail, and the transaction is rolled back. */
static void commit_fails_after_four(struct fixture *f)
{
	commit_rows(f->w, 4);
	exec_ok(f->w, "BEGIN");
	insert_rows(f->w, 8);
	fail_writes = true;
	int rc = sqlite3_exec(f->w, "COMMIT", NULL, NULL, NULL);
	fail_writes = false;
	assert_int_not_equal(rc, SQLITE_OK);
	if (!sqlite3_get_autocommit(f->w))
		exec_ok(f->w, "ROLLBACK");
}

static void test_one_write_per_commit(void **state)
{
	struct fixture *f = *state;
	for (int round = 1; round <= 20; round++) {
		unsigned long before = walbuf_flushes();
		exec_ok(f->w, "BEGIN");
		insert_rows(f->w, 8);   /* fits the cache: frames are written at COMMIT */
		exec_ok(f->w, "COMMIT");
		/* Ten or more frames (rows, index, page 1) in one write. */
		assert_int_equal(walbuf_flushes() - before, 1);
		/* Readable by another connection as soon as COMMIT returned. */
		assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), round * 8);
	}
	assert_true(one_int(f->r, "PRAGMA wal_checkpoint") == 0);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 160);
}

/* What a crash now would leave: a copy of the database and its WAL,
 * opened fresh, recovers `rows` rows and is intact. */
static void check_crash_copy(struct fixture *f, int64_t rows)
{
	char cmd[640];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s/copy.db' && cp '%s-wal' '%s/copy.db-wal' && rm -f '%s/copy.db-shm'",
		 f->path, f->dir, f->path, f->dir, f->dir);
	assert_int_equal(system(cmd), 0);
	char copy[96];
	snprintf(copy, sizeof copy, "%s/copy.db", f->dir);
	sqlite3 *c;
	assert_int_equal(sqlite3_open_v2(copy, &c, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(one_int(c, "SELECT count(*) FROM t"), rows);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	sqlite3_close(c);
}

static void test_committed_frames_are_in_the_file(void **state)
{
	struct fixture *f = *state;
	commit_rows(f->w, 30);
	check_crash_copy(f, 30);
}

/* Pages changed again after the cache spilled them: SQLite overwrites
 * their frames in place and, at COMMIT, rewrites the checksums of every
 * frame from there to the commit frame (headers only, the last one with
 * no page written after it). All of it must be in the file at COMMIT,
 * also once another connection has checkpointed it into the database. */
static void test_frames_rewritten_after_spill(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->w, "BEGIN");
	insert_rows(f->w, 500);
	exec_ok(f->w, "UPDATE t SET k = k + 1");
	exec_ok(f->w, "COMMIT");
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 500);
	check_crash_copy(f, 500);
	exec_ok(f->r, "PRAGMA wal_checkpoint(PASSIVE)");
	check_crash_copy(f, 500);
}

/* The write of a commit's frames fails: the COMMIT fails, no reader sees
 * any of it, and once the disk has room again the next commit is whole. */
static void test_failed_commit(void **state)
{
	struct fixture *f = *state;
	commit_fails_after_four(f);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 4);
	commit_rows(f->w, 5);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 9);
	check_crash_copy(f, 9);
}

/* A COMMIT whose write failed is reported failed and rolled back; its
 * frames (a valid commit frame among them) must not reach the file later,
 * when the disk has room again and the writer touches the WAL (here a
 * read), or a crash before the next commit would bring it back. */
static void test_failed_commit_stays_failed(void **state)
{
	struct fixture *f = *state;
	commit_fails_after_four(f);
	assert_int_equal(one_int(f->w, "SELECT count(*) FROM t"), 4);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 4);
	check_crash_copy(f, 4);
}

/* A read of a spilled page writes the gathered frames first; if that
 * fails, the read fails and the frames are kept. SQLite 3.40 rolls the
 * whole transaction back on that error (SQLITE_FULL or SQLITE_IOERR);
 * were it to go on and commit, the kept frames would make it whole.
 * Either way: whole if committed, absent if not, never part of it. */
static void test_failed_write_under_a_read(void **state)
{
	struct fixture *f = *state;
	commit_rows(f->w, 10);
	exec_ok(f->w, "BEGIN");
	insert_rows(f->w, 300);   /* 300 KiB through a 20-page cache: spilled, gathered */
	fail_writes = true;
	int rc = sqlite3_exec(f->w, "SELECT sum(length(v)) FROM t", NULL, NULL, NULL);
	fail_writes = false;
	assert_int_not_equal(rc, SQLITE_OK);   /* it had to read a spilled page */
	int64_t want = 10;
	if (!sqlite3_get_autocommit(f->w)) {
		if (sqlite3_exec(f->w, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
			want = 310;
		else
			exec_ok(f->w, "ROLLBACK");
	}
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), want);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t WHERE length(v) = 1024"), want);
	check_crash_copy(f, want);
	exec_ok(f->r, "PRAGMA wal_checkpoint(PASSIVE)");
	check_crash_copy(f, want);
}

/* A transaction larger than the cache spills frames before COMMIT; rolled
 * back, none of it is seen, and the next commit is whole. */
static void test_spill_then_rollback(void **state)
{
	struct fixture *f = *state;
	commit_rows(f->w, 10);
	exec_ok(f->w, "BEGIN");
	insert_rows(f->w, 2000);   /* 2 MiB through a 20-page cache */
	exec_ok(f->w, "ROLLBACK");
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 10);
	commit_rows(f->w, 5);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 15);
	assert_int_equal(one_int(f->w, "SELECT count(*) FROM t"), 15);
}

/* Frames a rolled-back transaction spilled can still be gathered when
 * the WAL starts over (a RESTART checkpoint, then a commit writes a new
 * WAL header at offset 0): the new header and frames go where SQLite
 * writes them, not after the old bytes. */
static void test_restart_after_rolled_back_spill(void **state)
{
	struct fixture *f = *state;
	commit_rows(f->w, 10);
	exec_ok(f->w, "BEGIN");
	insert_rows(f->w, 1500);
	exec_ok(f->w, "ROLLBACK");
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(f->r, "PRAGMA wal_checkpoint(RESTART)", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 0);
	sqlite3_finalize(s);
	commit_rows(f->w, 7);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 17);
	assert_int_equal(one_int(f->w, "SELECT count(*) FROM t"), 17);
	check_crash_copy(f, 17);
}

/* 6 MiB in one transaction: written in pieces of at most 4 MiB, all of it
 * readable after. */
static void test_large_transaction(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->w, "PRAGMA cache_size = 4000");
	unsigned long before = walbuf_flushes();
	commit_rows(f->w, 6000);
	unsigned long writes = walbuf_flushes() - before;
	assert_true(writes >= 2);
	assert_true(writes <= 4);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 6000);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t WHERE length(v) = 1024"), 6000);
}

/* After a full checkpoint the next writer restarts the WAL from its
 * start (a 32-byte header, then frames over the old ones): the gathered
 * writes follow it there. */
static void test_restart(void **state)
{
	struct fixture *f = *state;
	for (int round = 1; round <= 5; round++) {
		commit_rows(f->w, 20);
		sqlite3_stmt *s;
		assert_int_equal(sqlite3_prepare_v2(f->r, "PRAGMA wal_checkpoint(RESTART)", -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), 0);   /* not busy */
		assert_int_equal(sqlite3_column_int(s, 1), sqlite3_column_int(s, 2));
		sqlite3_finalize(s);
	}
	commit_rows(f->w, 3);
	assert_int_equal(one_int(f->r, "SELECT count(*) FROM t"), 103);
	assert_int_equal(one_int(f->w, "SELECT count(*) FROM t"), 103);
}

int main(void)
{
	/* Before any connection opens a file through the unix VFS. */
	sqlite3_vfs *unix_vfs = sqlite3_vfs_find(NULL);
	real_pwrite64 = unix_vfs->xGetSystemCall(unix_vfs, "pwrite64");
	if (real_pwrite64 == NULL ||
	    unix_vfs->xSetSystemCall(unix_vfs, "pwrite64", (sqlite3_syscall_ptr)failing_pwrite64) != SQLITE_OK) {
		fprintf(stderr, "cannot replace the unix VFS's pwrite64\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_write_per_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_committed_frames_are_in_the_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spill_then_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frames_rewritten_after_spill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit_stays_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_after_rolled_back_spill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_under_a_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
