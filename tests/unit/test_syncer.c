/* test_syncer.c: the WAL sync thread reports, on the loop, the highest
 * generation requested before a sync; one sync covers several requests;
 * a missing WAL file is an error at start; stopping with a request
 * pending still syncs and joins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "syncer.h"

static uint64_t last_gen;
static int calls;

static void on_done(void *arg, uint64_t gen)
{
	struct event_base *base = arg;
	assert_true(gen > last_gen);   /* generations only go forward */
	last_gen = gen;
	calls++;
	event_base_loopbreak(base);
}

static char wal[64];

static int setup(void **state)
{
	(void)state;
	snprintf(wal, sizeof wal, "/tmp/pb-syncer-%d-wal", (int)getpid());
	FILE *f = fopen(wal, "w");
	assert_non_null(f);
	fputs("frames", f);
	fclose(f);
	last_gen = 0;
	calls = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(wal);
	return 0;
}

/* Run the loop until the done callback has reported `gen`. */
static void run_until(struct event_base *base, uint64_t gen)
{
	struct timeval tv = { 5, 0 };
	while (last_gen < gen) {
		int before = calls;
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		assert_true(calls > before);   /* not the 5 s timeout */
	}
}

static void test_reports_generations(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	event_base_priority_init(base, 3);
	char *err = NULL;
	struct syncer *s = syncer_start(base, wal, on_done, base, &err);
	assert_non_null(s);
	assert_null(err);
	syncer_request(s, 1);
	run_until(base, 1);
	assert_int_equal(last_gen, 1);
	/* Several requests before the loop looks: it ends at the highest. */
	syncer_request(s, 2);
	syncer_request(s, 5);
	syncer_request(s, 3);   /* older than one already asked: ignored */
	run_until(base, 5);
	assert_int_equal(last_gen, 5);
	assert_int_equal(syncer_sync_now(s), 0);
	syncer_request(s, 6);
	syncer_stop(s);          /* with a request possibly pending */
	event_base_free(base);
}

static void test_missing_wal(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	char *err = NULL;
	assert_null(syncer_start(base, "/nonexistent-dir/x.db-wal", on_done, base, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "cannot open the WAL"));
	free(err);
	syncer_stop(NULL);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reports_generations, setup, teardown),
		cmocka_unit_test(test_missing_wal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
