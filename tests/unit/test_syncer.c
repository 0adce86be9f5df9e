/* test_syncer.c: the WAL sync thread reports, on the loop, the highest
 * generation requested before a sync; one sync covers several requests;
 * a missing WAL file is an error at start; stopping with a request
 * pending still syncs and joins; work given with a request runs on the
 * sync thread once its generation is synced, in order, before the loop
 * hears of it, and none is left behind by a stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>
#include <event2/event.h>

#include "syncer.h"

static uint64_t last_gen;
static int calls;

static void on_done(void *arg, uint64_t gen)
{
	struct event_base *base = arg;
	assert_true(gen > last_gen);   /* generations only go forward */
	__atomic_store_n(&last_gen, gen, __ATOMIC_SEQ_CST);   /* read by `after` too */
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
	syncer_request(s, 1, NULL);
	run_until(base, 1);
	assert_int_equal(last_gen, 1);
	/* Several requests before the loop looks: it ends at the highest. */
	syncer_request(s, 2, NULL);
	syncer_request(s, 5, NULL);
	syncer_request(s, 3, NULL);   /* older than one already asked: ignored */
	run_until(base, 5);
	assert_int_equal(last_gen, 5);
	assert_int_equal(syncer_sync_now(s), 0);
	syncer_request(s, 6, NULL);
	syncer_stop(s);          /* with a request possibly pending */
	event_base_free(base);
}

/* What the after-sync work saw, filled on the sync thread. */
static pthread_mutex_t after_mu = PTHREAD_MUTEX_INITIALIZER;
static int after_ran[8];
static uint64_t after_seen_done[8];   /* last_gen (the loop's) when each ran */
static size_t n_after;
static pthread_t after_thread;

static void after(void *arg, void *work)
{
	assert_ptr_equal(arg, &n_after);
	pthread_mutex_lock(&after_mu);
	if (n_after < 8) {
		after_ran[n_after] = *(int *)work;
		after_seen_done[n_after] = __atomic_load_n(&last_gen, __ATOMIC_SEQ_CST);
		n_after++;
	}
	after_thread = pthread_self();
	pthread_mutex_unlock(&after_mu);
}

static void test_work_after_sync(void **state)
{
	(void)state;
	struct event_base *base = event_base_new();
	event_base_priority_init(base, 3);
	char *err = NULL;
	struct syncer *s = syncer_start(base, wal, on_done, base, &err);
	assert_non_null(s);
	syncer_set_after(s, after, &n_after);
	static int w1 = 1, w2 = 2, w4 = 4, w7 = 7;
	syncer_request(s, 1, &w1);
	run_until(base, 1);
	/* Run before the loop heard of generation 1, and not on the loop. */
	pthread_mutex_lock(&after_mu);
	assert_int_equal(n_after, 1);
	assert_int_equal(after_ran[0], 1);
	assert_int_equal(after_seen_done[0], 0);
	assert_false(pthread_equal(after_thread, pthread_self()));
	pthread_mutex_unlock(&after_mu);
	syncer_request(s, 2, &w2);
	syncer_request(s, 3, NULL);
	syncer_request(s, 4, &w4);
	run_until(base, 4);
	pthread_mutex_lock(&after_mu);
	assert_int_equal(n_after, 3);
	assert_int_equal(after_ran[1], 2);   /* in generation order */
	assert_int_equal(after_ran[2], 4);
	pthread_mutex_unlock(&after_mu);
	syncer_request(s, 7, &w7);
	syncer_stop(s);          /* the pending work still runs */
	assert_int_equal(n_after, 4);
	assert_int_equal(after_ran[3], 7);
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
		cmocka_unit_test_setup_teardown(test_work_after_sync, setup, teardown),
		cmocka_unit_test(test_missing_wal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
