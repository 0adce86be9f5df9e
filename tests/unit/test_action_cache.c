/* test_action_cache.c: kept "action show" answers: a deep copy is kept
 * per (plan as asked, ref, as_of); a write forgets every answer of its
 * action; clear forgets all; an answer too large is not kept; a kept
 * answer tells the commit generation whose state it shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "action_cache.h"

static Pb__Action action;
static Pb__ActionReply reply;
static uint64_t gen;

static void make_reply(const char *ref, int64_t version)
{
	pb__action__init(&action);
	action.plan = "north";
	action.ref = (char *)ref;
	action.has_version = 1;
	action.version = version;
	pb__action_reply__init(&reply);
	reply.action = &action;
}

static void test_keeps_a_copy(void **state)
{
	(void)state;
	struct action_cache *c = action_cache_new();
	assert_null(action_cache_get(c, "north", "1.1", "2026-11-26", &gen));
	make_reply("1.1", 3);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply);
	action.version = 99;   /* the caller's copy changes; the kept one does not */
	const Pb__ActionReply *k = action_cache_get(c, "north", "1.1", "2026-11-26", &gen);
	assert_non_null(k);
	assert_string_equal(k->action->ref, "1.1");
	assert_int_equal(k->action->version, 3);
	assert_int_equal(gen, 4);   /* the commit whose state it shows */
	/* Another date, another plan spelling, no plan: other answers. */
	assert_null(action_cache_get(c, "north", "1.1", "2026-11-27", &gen));
	assert_null(action_cache_get(c, NULL, "1.1", "2026-11-26", &gen));
	assert_null(action_cache_get(c, "", "1.1", "2026-11-26", &gen));
	assert_null(action_cache_get(c, "north", "1.2", "2026-11-26", &gen));
	action_cache_free(c);
}

static void test_forget_and_clear(void **state)
{
	(void)state;
	struct action_cache *c = action_cache_new();
	make_reply("1.1", 1);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply);
	action_cache_put(c, NULL, "1.1", "2026-11-26", 7, 4, &reply);
	make_reply("1.2", 1);
	action_cache_put(c, "north", "1.2", "2026-11-26", 8, 5, &reply);
	action_cache_forget(c, 7);
	assert_null(action_cache_get(c, "north", "1.1", "2026-11-26", &gen));
	assert_null(action_cache_get(c, NULL, "1.1", "2026-11-26", &gen));
	assert_non_null(action_cache_get(c, "north", "1.2", "2026-11-26", &gen));
	action_cache_clear(c);
	assert_null(action_cache_get(c, "north", "1.2", "2026-11-26", &gen));
	action_cache_free(c);
	action_cache_free(NULL);
}

/* While the write transaction that forgot an action (or cleared all) is
 * open, reads on the read-only connection still see the old state: none
 * of it is kept until the transaction ends. Other actions are. */
static void test_nothing_kept_while_written(void **state)
{
	(void)state;
	struct action_cache *c = action_cache_new();
	make_reply("1.1", 1);
	action_cache_forget(c, 7);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply);
	assert_null(action_cache_get(c, "north", "1.1", "2026-11-26", &gen));
	make_reply("1.2", 1);
	action_cache_put(c, "north", "1.2", "2026-11-26", 8, 4, &reply);
	assert_non_null(action_cache_get(c, "north", "1.2", "2026-11-26", &gen));
	action_cache_txn_end(c);
	make_reply("1.1", 2);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 5, &reply);
	const Pb__ActionReply *k = action_cache_get(c, "north", "1.1", "2026-11-26", &gen);
	assert_non_null(k);
	assert_int_equal(k->action->version, 2);
	action_cache_clear(c);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 6, &reply);
	assert_null(action_cache_get(c, "north", "1.1", "2026-11-26", &gen));
	action_cache_txn_end(c);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 6, &reply);
	assert_non_null(action_cache_get(c, "north", "1.1", "2026-11-26", &gen));
	action_cache_free(c);
}

static void test_large_not_kept(void **state)
{
	(void)state;
	struct action_cache *c = action_cache_new();
	make_reply("1.1", 1);
	char *big = malloc(20000);
	memset(big, 'x', 19999);
	big[19999] = '\0';
	action.description = big;
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply);
	assert_null(action_cache_get(c, "north", "1.1", "2026-11-26", &gen));
	free(big);
	action_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_a_copy),
		cmocka_unit_test(test_forget_and_clear),
		cmocka_unit_test(test_nothing_kept_while_written),
		cmocka_unit_test(test_large_not_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
