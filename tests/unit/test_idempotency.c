/* test_idempotency.c: the idempotency store on its own: a keyed write is
 * kept with its response; the same request again is a replay of that
 * response (even with a fresh if_version, as a retried CLI command sends);
 * another request under the key is refused; keys are per user; expired
 * keys are purged and then no longer replayed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "concurrency.h"
#include "hutil.h"

struct fixture {
	struct store *st;
	struct session who;
	struct arena arena;
	Pb__ActionUpdate upd;
	Pb__Request req;
	Pb__Response resp;
	struct hctx h;
	char now[ISO_TIME_LEN];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *err = NULL;
	f->st = store_open(":memory:", &err);
	assert_non_null(f->st);
	assert_int_equal(store_exec(f->st,
		"INSERT INTO user(id, name, role, password_hash, created_at) VALUES "
		"(1, 'ann', 'admin', 'x', '2017-01-01T00:00:00Z'),"
		"(2, 'bob', 'admin', 'x', '2017-01-01T00:00:00Z')"), SQLITE_OK);
	f->who.user_id = 1;
	f->who.name = "ann";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(&f->arena);
	store_close(f->st);
	free(f);
	return 0;
}

/* A fresh request: update N-1 with a note, based on version `based_on`. */
static struct hctx *request(struct fixture *f, const char *key, const char *note, int64_t based_on)
{
	pb__action_update__init(&f->upd);
	f->upd.plan = "p1";
	f->upd.ref = "N-1";
	f->upd.note = (char *)note;
	f->upd.has_if_version = 1;
	f->upd.if_version = based_on;
	pb__request__init(&f->req);
	f->req.has_id = 1;
	f->req.id = 7;
	f->req.idempotency_key = (char *)key;
	f->req.body_case = PB__REQUEST__BODY_ACTION_UPDATE;
	f->req.action_update = &f->upd;
	pb__response__init(&f->resp);
	f->resp.has_status = 1;
	f->resp.status = PB__STATUS__OK;
	time_to_iso(time(NULL), f->now);
	f->h = (struct hctx){ .st = f->st, .arena = &f->arena, .req = &f->req, .resp = &f->resp,
			      .who = &f->who, .now = f->now };
	return &f->h;
}

/* Pretend the write ran and answered with version `version`. */
static void answer(struct fixture *f, int64_t version)
{
	Pb__ActionReply *r = arena_new(&f->arena, Pb__ActionReply);
	pb__action_reply__init(r);
	r->action = arena_new(&f->arena, Pb__Action);
	pb__action__init(r->action);
	r->action->ref = "N-1";
	r->action->has_version = 1;
	r->action->version = version;
	SET_BODY(&f->h, ACTION, action, r);
	idem_record(&f->h);
}

static void test_new_then_replay(void **state)
{
	struct fixture *f = *state;
	Pb__Response *replay;
	assert_int_equal(idem_begin(request(f, "k1", "done", 1), &replay), IDEM_NEW);
	assert_null(replay);
	answer(f, 2);

	/* The retry reads the version afresh (now 2): still the same change. */
	f->req.id = 99;
	assert_int_equal(idem_begin(request(f, "k1", "done", 2), &replay), IDEM_REPLAY);
	assert_non_null(replay);
	assert_true(replay->replayed);
	assert_int_equal(replay->id, 7);   /* request() sets id 7 again */
	assert_int_equal(replay->body_case, PB__RESPONSE__BODY_ACTION);
	assert_int_equal(replay->action->action->version, 2);
	wire_free(replay);
}

static void test_other_request_refused(void **state)
{
	struct fixture *f = *state;
	Pb__Response *replay;
	assert_int_equal(idem_begin(request(f, "k2", "first", 1), &replay), IDEM_NEW);
	answer(f, 2);
	assert_int_equal(idem_begin(request(f, "k2", "second", 2), &replay), IDEM_REFUSED);
	assert_null(replay);
	assert_int_equal(f->resp.status, PB__STATUS__INVALID_ARGUMENT);
	assert_non_null(strstr(f->resp.error_message, "different request"));
}

static void test_keys_are_per_user(void **state)
{
	struct fixture *f = *state;
	Pb__Response *replay;
	assert_int_equal(idem_begin(request(f, "k3", "ann's", 1), &replay), IDEM_NEW);
	answer(f, 2);
	struct hctx *h = request(f, "k3", "bob's", 2);
	struct session bob = { .user_id = 2, .name = "bob" };
	h->who = &bob;
	assert_int_equal(idem_begin(h, &replay), IDEM_NEW);
}

static void test_bad_keys(void **state)
{
	struct fixture *f = *state;
	Pb__Response *replay;
	char longkey[IDEM_KEY_MAX + 2];
	memset(longkey, 'a', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = '\0';
	const char *bad[] = { "", "with space", "tab\there", longkey };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(idem_begin(request(f, bad[i], "x", 1), &replay), IDEM_REFUSED);
		assert_int_equal(f->resp.status, PB__STATUS__INVALID_ARGUMENT);
	}
	longkey[IDEM_KEY_MAX] = '\0';   /* exactly the maximum is fine */
	assert_int_equal(idem_begin(request(f, longkey, "x", 1), &replay), IDEM_NEW);
}

static void test_failures_kept_but_not_transient_ones(void **state)
{
	struct fixture *f = *state;
	Pb__Response *replay;
	request(f, "k4", "stale", 1);
	hctx_fail(&f->h, PB__STATUS__CONFLICT, "someone else changed it");
	idem_record(&f->h);
	assert_int_equal(idem_begin(request(f, "k4", "stale", 1), &replay), IDEM_REPLAY);
	assert_int_equal(replay->status, PB__STATUS__CONFLICT);
	wire_free(replay);

	request(f, "k5", "disk full", 1);
	hctx_fail(&f->h, PB__STATUS__RESOURCE_EXHAUSTED, "the database is full");
	idem_record(&f->h);
	assert_int_equal(idem_begin(request(f, "k5", "disk full", 1), &replay), IDEM_NEW);
}

static void test_purge_after_ttl(void **state)
{
	struct fixture *f = *state;
	Pb__Response *replay;
	assert_int_equal(idem_begin(request(f, "k6", "old", 1), &replay), IDEM_NEW);
	answer(f, 2);
	assert_int_equal(idem_purge(f->st, time(NULL)), 0);           /* young: kept */
	assert_int_equal(idem_purge(f->st, time(NULL) + IDEM_TTL - 60), 0);
	assert_int_equal(idem_purge(f->st, time(NULL) + IDEM_TTL + 60), 1);
	assert_int_equal(idem_begin(request(f, "k6", "old", 1), &replay), IDEM_NEW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_then_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_request_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_are_per_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_kept_but_not_transient_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge_after_ttl, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
