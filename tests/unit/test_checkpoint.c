/* test_checkpoint.c: WAL checkpoints run on their own thread: the loop's
 * connection no longer checkpoints, the thread does once the WAL passes
 * its threshold, shrinks the WAL when idle (a large one is started over
 * first, not truncated at once), and stops cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "checkpoint.h"
#include "log.h"
#include "store.h"

static char path[64], wal[80];

static long wal_size(void)
{
	struct stat sb;
	return stat(wal, &sb) == 0 ? (long)sb.st_size : -1;
}

static int pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);
	int v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	return v;
}

/* n small commits, like the group commit does, at most one per 0.5 ms
 * (the server's pace under load): the checkpoint thread runs at nice 10,
 * and on a busy machine (tests run in parallel) commits back to back
 * could outrun it, which is not what this tests. */
static void commits(struct store *st, int n)
{
	for (int i = 0; i < n; i++) {
		usleep(500);
		assert_int_equal(store_begin(st), SQLITE_OK);
		struct event_row ev = { .time = "2024-01-01T00:00:00Z", .entity = "test", .op = "add",
					.summary = "a row to make the WAL grow a little each commit" };
		assert_true(store_event_add(st, &ev) > 0);
		assert_int_equal(store_commit(st), SQLITE_OK);
	}
}

static void test_thread_checkpoints_and_truncates(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_non_null(st);
	struct checkpointer *cp = checkpointer_start(path, store_db(st), 20, &err);
	assert_non_null(cp);
	assert_null(err);
	assert_int_equal(pragma_int(st, "PRAGMA wal_autocheckpoint"), 0);
	assert_int_equal(checkpointer_count(cp), 0);

	commits(st, 200);
	for (int i = 0; i < 500 && checkpointer_count(cp) == 0; i++)
		usleep(20000);
	assert_true(checkpointer_count(cp) > 0);
	/* Steady writes while the thread works: the WAL is restarted from its
	 * beginning now and then, so the file stays bounded (about 1,250 frames of
	 * 4 KiB would be written without restarts). The writes come in chunks,
	 * each after the thread has checkpointed once more: on a loaded machine
	 * the thread (at nice 10, fsyncing) could otherwise fall behind, and
	 * this tests the restarts, not the scheduler. */
	for (int chunk = 0; chunk < 4; chunk++) {
		uint64_t seen = checkpointer_count(cp);
		commits(st, 50);
		for (int i = 0; i < 500 && checkpointer_count(cp) == seen; i++)
			usleep(20000);
		assert_true(checkpointer_count(cp) > seen);
	}
	printf("wal after 400 commits: %ld bytes\n", wal_size());
	assert_true(wal_size() < 800 * 4120);

	/* Idle for a while: the thread truncates the WAL to nothing. */
	uint64_t before = checkpointer_count(cp);
	for (int i = 0; i < 300 && wal_size() != 0; i++)
		usleep(100000);
	assert_int_equal(wal_size(), 0);
	/* The file is truncated inside the checkpoint call, counted after it
	 * returns: the thread (at nice 10) may not have got that far yet. */
	for (int i = 0; i < 300 && checkpointer_count(cp) == before; i++)
		usleep(100000);
	assert_true(checkpointer_count(cp) > before);

	checkpointer_stop(cp);
	/* The data is all there. */
	assert_int_equal(pragma_int(st, "SELECT count(*) FROM event"), 400);
	store_close(st);
}

/* A WAL over 32 MB, idle 5 s: started over (RESTART), not truncated,
 * since truncating a large file holds the write lock for long; the next
 * commit writes at its start, so the file does not grow. */
static void test_large_wal_restarted_when_idle(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_non_null(st);
	/* A threshold no write here reaches: only the idle rule runs. */
	struct checkpointer *cp = checkpointer_start(path, store_db(st), 1000000, &err);
	assert_non_null(cp);
	assert_int_equal(sqlite3_exec(store_db(st), "CREATE TABLE big(v BLOB)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_begin(st), SQLITE_OK);
	assert_int_equal(sqlite3_exec(store_db(st),
				      "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 40)"
				      " INSERT INTO big SELECT randomblob(1 << 20) FROM c",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(store_commit(st), SQLITE_OK);
	long large = wal_size();
	assert_true(large > 40L << 20);
	for (int i = 0; i < 600 && checkpointer_count(cp) == 0; i++)
		usleep(100000);
	assert_int_equal(checkpointer_count(cp), 1);
	assert_int_equal(wal_size(), large);
	commits(st, 5);
	assert_int_equal(wal_size(), large);
	usleep(1500000);   /* still idle since the commits: no second checkpoint yet */
	assert_int_equal(checkpointer_count(cp), 1);
	checkpointer_stop(cp);
	assert_int_equal(pragma_int(st, "SELECT count(*) FROM big"), 40);
	store_close(st);
}

static void test_memory_database_has_none(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *st = store_open(":memory:", &err);
	assert_non_null(st);
	assert_null(checkpointer_start(":memory:", store_db(st), 20, &err));
	assert_null(err);
	checkpointer_stop(NULL);
	assert_int_equal(checkpointer_count(NULL), 0);
	store_close(st);
}

static void test_missing_file_is_an_error(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *st = store_open(":memory:", &err);
	assert_non_null(st);
	assert_null(checkpointer_start("/nonexistent-dir/x.db", store_db(st), 20, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "checkpoint connection"));
	free(err);
	store_close(st);
}

static int teardown(void **state)
{
	(void)state;
	char p[96];
	unlink(path);
	unlink(wal);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	return 0;
}

int main(void)
{
	log_set_level(getenv("PLANBOARD_TEST_DEBUG") ? LOG_DEBUG : LOG_WARN);
	snprintf(path, sizeof path, "/tmp/planboard-ckpt-%d.db", (int)getpid());
	snprintf(wal, sizeof wal, "%s-wal", path);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_checkpoints_and_truncates),
		cmocka_unit_test(test_large_wal_restarted_when_idle),
		cmocka_unit_test(test_memory_database_has_none),
		cmocka_unit_test(test_missing_file_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
