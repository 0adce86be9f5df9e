/* test_read_txn.c: the reads of one loop iteration share one read
 * transaction (store_read_begin / store_read_end): they see one snapshot,
 * a write ends it first, and ending it resets statements left mid-row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"

static char path[64];

static int count_events(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM event");
	int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

static void add_event(struct store *st)
{
	struct event_row ev = { .time = "2024-01-01T00:00:00Z", .entity = "test", .op = "add" };
	assert_true(store_event_add(st, &ev) > 0);
}

static void test_snapshot_until_end(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *loop = store_open(path, &err), *other = store_open(path, &err);
	assert_non_null(loop);
	assert_non_null(other);
	assert_true(store_read_begin(loop));
	assert_true(store_in_read(loop));
	assert_false(store_read_begin(loop)); /* already open: shared */
	assert_int_equal(count_events(loop), 0);
	add_event(other); /* autocommit on another connection */
	assert_int_equal(count_events(loop), 0); /* same snapshot */
	store_read_end(loop);
	assert_false(store_in_read(loop));
	assert_int_equal(count_events(loop), 1);
	store_close(other);
	store_close(loop);
}

static void test_write_ends_the_read(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_non_null(st);
	add_event(st);
	assert_true(store_read_begin(st));
	/* A statement left on a row would pin the snapshot. */
	sqlite3_stmt *s = store_stmt(st, "SELECT seq FROM event");
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(store_begin(st), SQLITE_OK);
	assert_false(store_in_read(st));
	assert_true(store_in_txn(st));
	assert_false(store_read_begin(st)); /* reads go inside the write */
	add_event(st);
	assert_int_equal(store_commit(st), SQLITE_OK);
	/* Ending a read resets statements mid-row. */
	assert_true(store_read_begin(st));
	s = store_stmt(st, "SELECT seq FROM event");
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	store_read_end(st);
	assert_int_equal(sqlite3_stmt_busy(s), 0);
	assert_true(sqlite3_get_autocommit(store_db(st)));
	store_read_end(st); /* twice is harmless */
	store_close(st);
}

static int teardown(void **state)
{
	(void)state;
	char p[96];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
	return 0;
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/planboard-readtxn-%d.db", (int)getpid());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_snapshot_until_end, teardown),
		cmocka_unit_test_teardown(test_write_ends_the_read, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
