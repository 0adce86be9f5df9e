/* test_action_cache.c: kept "action show" answers: a packed copy is kept
 * per (plan as asked, ref, as_of) and goes out as the Response's action
 * body byte for byte; a write forgets every answer of its action; clear
 * forgets all; an answer too large is not kept; a kept answer tells the
 * commit generation whose state it shows; a thousand actions are all kept
 * at once (no two evicting each other). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "action_cache.h"
#include "wire.h"

static Pb__Action action;
static Pb__ActionReply reply;
static uint64_t gen;
static Pb__Response *decoded;

/* The kept answer sent as a Response body (as set_packed_body does), then
 * decoded as a client would; NULL if none is kept. */
static const Pb__ActionReply *kept(struct action_cache *c, const char *plan, const char *ref, const char *as_of)
{
	struct action_cache_hit hit;
	if (!action_cache_get(c, plan, ref, as_of, &hit))
		return NULL;
	gen = hit.gen;
	ProtobufCMessageUnknownField f = { .tag = PB__RESPONSE__BODY_ACTION,
					   .wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED,
					   .len = hit.field_len,
					   .data = (uint8_t *)hit.field };
	Pb__Response r = PB__RESPONSE__INIT;
	r.has_id = 1;
	r.id = 42;
	r.base.n_unknown_fields = 1;
	r.base.unknown_fields = &f;
	uint8_t buf[1 << 16];
	size_t n = pb__response__pack(&r, buf);
	assert_int_equal(n, pb__response__get_packed_size(&r));
	wire_free(decoded);
	decoded = pb__response__unpack(NULL, n, buf);
	assert_non_null(decoded);
	assert_int_equal(decoded->id, 42);
	assert_int_equal(decoded->body_case, PB__RESPONSE__BODY_ACTION);
	assert_int_equal(decoded->base.n_unknown_fields, 0);
	return decoded->action;
}

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
	assert_null(kept(c, "north", "1.1", "2026-11-26"));
	make_reply("1.1", 3);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply, NULL);
	action.version = 99;   /* the caller's copy changes; the kept one does not */
	const Pb__ActionReply *k = kept(c, "north", "1.1", "2026-11-26");
	assert_non_null(k);
	assert_string_equal(k->action->plan, "north");
	assert_string_equal(k->action->ref, "1.1");
	assert_int_equal(k->action->version, 3);
	assert_int_equal(gen, 4);   /* the commit whose state it shows */
	/* Another date, another plan spelling, no plan: other answers. */
	assert_null(kept(c, "north", "1.1", "2026-11-27"));
	assert_null(kept(c, NULL, "1.1", "2026-11-26"));
	assert_null(kept(c, "", "1.1", "2026-11-26"));
	assert_null(kept(c, "north", "1.2", "2026-11-26"));
	action_cache_free(c);
}

static void test_forget_and_clear(void **state)
{
	(void)state;
	struct action_cache *c = action_cache_new();
	make_reply("1.1", 1);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply, NULL);
	action_cache_put(c, NULL, "1.1", "2026-11-26", 7, 4, &reply, NULL);
	make_reply("1.2", 1);
	action_cache_put(c, "north", "1.2", "2026-11-26", 8, 5, &reply, NULL);
	action_cache_forget(c, 7);
	assert_null(kept(c, "north", "1.1", "2026-11-26"));
	assert_null(kept(c, NULL, "1.1", "2026-11-26"));
	assert_non_null(kept(c, "north", "1.2", "2026-11-26"));
	action_cache_clear(c);
	assert_null(kept(c, "north", "1.2", "2026-11-26"));
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
	assert_false(action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply, NULL));
	assert_null(kept(c, "north", "1.1", "2026-11-26"));
	make_reply("1.2", 1);
	action_cache_put(c, "north", "1.2", "2026-11-26", 8, 4, &reply, NULL);
	assert_non_null(kept(c, "north", "1.2", "2026-11-26"));
	action_cache_txn_end(c);
	make_reply("1.1", 2);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 5, &reply, NULL);
	const Pb__ActionReply *k = kept(c, "north", "1.1", "2026-11-26");
	assert_non_null(k);
	assert_int_equal(k->action->version, 2);
	action_cache_clear(c);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 6, &reply, NULL);
	assert_null(kept(c, "north", "1.1", "2026-11-26"));
	action_cache_txn_end(c);
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 6, &reply, NULL);
	assert_non_null(kept(c, "north", "1.1", "2026-11-26"));
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
	action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply, NULL);
	assert_null(kept(c, "north", "1.1", "2026-11-26"));
	free(big);
	action_cache_free(c);
}

/* The kept bytes are what packing the reply as the body gives. */
static void test_same_bytes_as_packing(void **state)
{
	(void)state;
	struct action_cache *c = action_cache_new();
	make_reply("1.1", 3);
	action.title = "Audit of step-down decisions";
	struct action_cache_hit put, hit;
	assert_true(action_cache_put(c, "north", "1.1", "2026-11-26", 7, 4, &reply, &put));
	assert_true(action_cache_get(c, "north", "1.1", "2026-11-26", &hit));
	/* put hands out the kept bytes themselves, to send at once */
	assert_ptr_equal(put.field, hit.field);
	assert_int_equal(put.field_len, hit.field_len);
	assert_int_equal(put.gen, 4);
	Pb__Response with_body = PB__RESPONSE__INIT;
	with_body.body_case = PB__RESPONSE__BODY_ACTION;
	with_body.action = &reply;
	uint8_t want[4096];
	size_t n = pb__response__pack(&with_body, want);
	/* One tag byte pair for field 31, then the kept value. */
	assert_int_equal(n, 2 + hit.field_len);
	assert_memory_equal(want + 2, hit.field, hit.field_len);
	action_cache_free(c);
}

/* A thousand actions shown in turn all stay kept: with one slot per hash,
 * the pairs sharing a slot evicted each other on every show. */
static void test_thousand_all_kept(void **state)
{
	(void)state;
	struct action_cache *c = action_cache_new();
	char ref[16];
	for (int i = 1; i <= 1000; i++) {
		snprintf(ref, sizeof ref, "%d.%d", i / 10, i % 10);
		make_reply(ref, 1);
		action_cache_put(c, "north", ref, "2026-11-26", i, 4, &reply, NULL);
	}
	for (int i = 1; i <= 1000; i++) {
		snprintf(ref, sizeof ref, "%d.%d", i / 10, i % 10);
		const Pb__ActionReply *k = kept(c, "north", ref, "2026-11-26");
		assert_non_null(k);
		assert_string_equal(k->action->ref, ref);
	}
	action_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_a_copy),
		cmocka_unit_test(test_forget_and_clear),
		cmocka_unit_test(test_nothing_kept_while_written),
		cmocka_unit_test(test_large_not_kept),
		cmocka_unit_test(test_same_bytes_as_packing),
		cmocka_unit_test(test_thousand_all_kept),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	wire_free(decoded);
	return rc;
}
