/* test_validate.c: checks of user-supplied text (common/validate.c), enum
 * names (common/enums.c), message -> JSON (common/pbjson.c) and the arena
 * (common/arena.c). Each check is a table of inputs with the expected
 * answer, so a new edge case is one line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "enums.h"
#include "pbjson.h"
#include "planboard.pb-c.h"
#include "util.h"
#include "validate.h"

struct str_case {
	const char *in;
	bool ok;
};

static void run_str_cases(const char *what, bool (*fn)(const char *), const struct str_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fn(c[i].in) != c[i].ok)
			fail_msg("%s(\"%s\") should be %s", what, c[i].in ? c[i].in : "(null)",
				 c[i].ok ? "true" : "false");
}

#define RUN(fn, table) run_str_cases(#fn, fn, table, ARRAY_LEN(table))

/* A string of n copies of c (static buffer, one at a time). */
static const char *rep(char c, size_t n)
{
	static char b[2][2048];
	static int which;
	which ^= 1;
	assert_true(n < sizeof b[0]);
	memset(b[which], c, n);
	b[which][n] = '\0';
	return b[which];
}

/* ------------------------------------------------------------ UTF-8 */

static void test_utf8(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{ "", true },
		{ "plain ASCII ~", true },
		{ "caf\xc3\xa9", true },                   /* é, 2 bytes */
		{ "\xe2\x82\xac 5", true },                /* €, 3 bytes */
		{ "\xf0\x9f\x98\x80", true },              /* U+1F600, 4 bytes */
		{ "\xed\x9f\xbf", true },                  /* U+D7FF, just below the surrogates */
		{ "\xee\x80\x80", true },                  /* U+E000, just above */
		{ "\xef\xbf\xbf", true },                  /* U+FFFF */
		{ "\xf4\x8f\xbf\xbf", true },              /* U+10FFFF, the last code point */
		{ "\xc2\x80", true },                      /* U+0080, smallest 2-byte */
		{ "\xe0\xa0\x80", true },                  /* U+0800, smallest 3-byte */
		{ "\xf0\x90\x80\x80", true },              /* U+10000, smallest 4-byte */
		{ "\xc0\x80", false },                     /* overlong NUL */
		{ "\xc1\xbf", false },                     /* overlong 2-byte */
		{ "\xe0\x80\x80", false },                 /* overlong 3-byte */
		{ "\xe0\x9f\xbf", false },                 /* overlong U+07FF */
		{ "\xf0\x80\x80\x80", false },             /* overlong 4-byte */
		{ "\xf0\x8f\xbf\xbf", false },             /* overlong U+FFFF */
		{ "\xed\xa0\x80", false },                 /* U+D800, high surrogate */
		{ "\xed\xbf\xbf", false },                 /* U+DFFF, low surrogate */
		{ "\xed\xa0\xbd\xed\xb8\x80", false },     /* CESU-8 surrogate pair */
		{ "\xf4\x90\x80\x80", false },             /* U+110000 */
		{ "\xf5\x80\x80\x80", false },             /* lead byte F5 */
		{ "\xf8\x88\x80\x80\x80", false },         /* 5-byte form */
		{ "\xfc\x84\x80\x80\x80\x80", false },     /* 6-byte form */
		{ "\xfe", false },
		{ "\xff", false },
		{ "\x80", false },                         /* lone continuation */
		{ "a\xbf", false },
		{ "\xc3", false },                         /* truncated at the end */
		{ "\xe2\x82", false },
		{ "\xf0\x9f\x98", false },
		{ "\xc3" "A", false },                     /* truncated in the middle */
		{ "\xe2\x82" "A", false },
		{ "\xf0\x9f\x98" "A", false },
		{ "\xe2\x82\xac\xac", false },             /* one continuation too many */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (valid_utf8(cases[i].in, 100) != cases[i].ok)
			fail_msg("valid_utf8 case %zu should be %s", i, cases[i].ok ? "true" : "false");
}

/* The limit counts code points, not bytes. */
static void test_utf8_max_chars(void **state)
{
	(void)state;
	assert_true(valid_utf8(rep('a', 200), 200));
	assert_false(valid_utf8(rep('a', 201), 200));
	assert_true(valid_utf8("", 0));
	assert_false(valid_utf8("a", 0));
	/* 200 euro signs are 600 bytes but 200 characters. */
	char euros[3 * 201 + 1] = "";
	for (int i = 0; i < 200; i++)
		strcat(euros, "\xe2\x82\xac");
	assert_true(valid_utf8(euros, 200));
	assert_int_equal(utf8_chars(euros), 200);
	strcat(euros, "\xe2\x82\xac");
	assert_false(valid_utf8(euros, 200));
	assert_int_equal(utf8_chars(euros), 201);
	assert_int_equal(utf8_chars(""), 0);
	assert_int_equal(utf8_chars("caf\xc3\xa9 \xf0\x9f\x98\x80"), 6);
}

/* ------------------------------------------------------------ codes, refs, names */

static void test_code(void **state)
{
	(void)state;
	char c64[65], c65[66];
	snprintf(c64, sizeof c64, "%s", rep('a', 64));
	snprintf(c65, sizeof c65, "%s", rep('a', 65));
	const struct str_case cases[] = {
		{ "north", true },
		{ "north-2017", true },
		{ "cp_visits_timely_pct", true },
		{ "9north", true },
		{ "a", true },
		{ c64, true },
		{ c65, false },
		{ "", false },
		{ NULL, false },
		{ "North", false },
		{ "-north", false },
		{ "_north", false },
		{ "no rth", false },
		{ "north.2017", false },
		{ "north/", false },
		{ "n\xc3\xb6rth", false },
		{ "north\n", false },
	};
	RUN(valid_code, cases);
}

static void test_ref(void **state)
{
	(void)state;
	char r32[33], r33[34];
	snprintf(r32, sizeof r32, "%s", rep('N', 32));
	snprintf(r33, sizeof r33, "%s", rep('N', 33));
	const struct str_case cases[] = {
		{ "N-2.3", true },
		{ "n_1", true },
		{ "2.3", true },
		{ r32, true },
		{ r33, false },
		{ "", false },
		{ NULL, false },
		{ ".3", false },
		{ "-3", false },
		{ "N 2.3", false },
		{ "N/2", false },
		{ "N-2.3;", false },
	};
	RUN(valid_ref, cases);
}

static void test_user_name(void **state)
{
	(void)state;
	char u64[65], u65[66];
	snprintf(u64, sizeof u64, "%s", rep('u', 64));
	snprintf(u65, sizeof u65, "%s", rep('u', 65));
	const struct str_case cases[] = {
		{ "admin", true },
		{ "j.smith", true },
		{ "team-north_2", true },
		{ "7", true },
		{ u64, true },
		{ u65, false },
		{ "", false },
		{ NULL, false },
		{ "Admin", false },
		{ ".admin", false },
		{ "j smith", false },
		{ "j@smith", false },
	};
	RUN(valid_user_name, cases);
}

/* ------------------------------------------------------------ dates */

static void test_date(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{ "2017-09-30", true },
		{ "2017-01-01", true },
		{ "2017-12-31", true },
		{ "2016-02-29", true },   /* leap year */
		{ "2000-02-29", true },   /* divisible by 400 */
		{ "2017-02-28", true },
		{ "2017-02-29", false },
		{ "2100-02-29", false },  /* divisible by 100 */
		{ "1900-02-29", false },
		{ "2017-04-30", true },
		{ "2017-04-31", false },
		{ "2017-01-00", false },
		{ "2017-01-32", false },
		{ "2017-00-10", false },
		{ "2017-13-01", false },
		{ "1900-01-01", true },
		{ "1899-12-31", false },
		{ "2999-12-31", true },
		{ "3000-01-01", false },
		{ "2017-1-01", false },
		{ "2017-01-1", false },
		{ "2017/01/01", false },
		{ " 2017-01-01", false },
		{ "2017-01-01 ", false },
		{ "2017-01-01T00:00:00Z", false },
		{ "+017-01-01", false },
		{ "2017--1-01", false },
		{ "2017-01-+1", false },
		{ "", false },
		{ NULL, false },
	};
	RUN(valid_date, cases);
}

static void test_period(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{ "2017-09", true },
		{ "2017-01", true },
		{ "2017-12", true },
		{ "2017-00", false },
		{ "2017-13", false },
		{ "2017-9", false },
		{ "2017-09-01", false },
		{ "17-09", false },
		{ "2017 09", false },
		{ "1899-12", false },
		{ "", false },
		{ NULL, false },
	};
	RUN(valid_period, cases);
}

static void test_time(void **state)
{
	(void)state;
	static const struct str_case cases[] = {
		{ "2017-09-30T23:59:59Z", true },
		{ "2016-02-29T00:00:00Z", true },
		{ "2017-02-29T00:00:00Z", false },
		{ "2017-09-30T24:00:00Z", false },
		{ "2017-09-30T23:60:00Z", false },
		{ "2017-09-30T23:59:60Z", false },
		{ "2017-09-30T23:59:59z", false },
		{ "2017-09-30T23:59:59", false },
		{ "2017-09-30 23:59:59Z", false },
		{ "2017-09-30T23:59:59+00:00", false },
		{ "2017-09-30T2:59:59Z", false },
		{ "2017-09-30T-1:59:59Z", false },
		{ "2017-09-30", false },
		{ "", false },
		{ NULL, false },
	};
	RUN(valid_time, cases);
}

/* ------------------------------------------------------------ passwords */

static void test_password_strength(void **state)
{
	(void)state;
	static const struct {
		const char *pw, *user, *why; /* why: a word of the reason, NULL = accepted */
	} cases[] = {
		{ "Board-Secret-2017", "admin", NULL },
		{ "abcdefgh12", NULL, NULL },             /* exactly 10, two classes */
		{ "abcdefg12", NULL, "at least 10" },     /* 9 */
		{ "", NULL, "at least 10" },
		{ "abcdefghijkl", NULL, "mix" },          /* one class */
		{ "ABCDEFGHIJKL", NULL, "mix" },
		{ "12345678901", NULL, "mix" },
		{ "Password123", NULL, "common" },        /* case-insensitive list */
		{ "PLANBOARD1", NULL, NULL },             /* not on the list exactly */
		{ "planboard", NULL, "at least 10" },
		{ "Xadmin-2017!", "admin", "user name" },
		{ "XADMIN-2017!", "admin", "user name" }, /* case-insensitive */
		{ "Xadmin-2017!", "", NULL },
		{ "Xadmin-2017!", NULL, NULL },
		{ "abababab12", NULL, "distinct" },       /* 4 distinct characters */
		{ "aaaaaaaaa1", NULL, "distinct" },
		{ "ababababcd1", NULL, NULL },            /* 5 distinct */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *got = password_weakness(cases[i].pw, cases[i].user);
		if (cases[i].why == NULL && got != NULL)
			fail_msg("password '%s' refused: %s", cases[i].pw, got);
		if (cases[i].why != NULL && (got == NULL || strstr(got, cases[i].why) == NULL))
			fail_msg("password '%s': expected a reason with '%s', got '%s'", cases[i].pw,
				 cases[i].why, got ? got : "(accepted)");
	}
	/* Length limit: 1024 is accepted, 1025 is not. */
	char *pw = malloc(1026);
	assert_non_null(pw);
	for (int i = 0; i < 1025; i++)
		pw[i] = "abcdefghij0123456789"[i % 20];
	pw[1024] = '\0';
	assert_null(password_weakness(pw, NULL));
	pw[1024] = 'x';
	pw[1025] = '\0';
	assert_non_null(strstr(password_weakness(pw, NULL), "1024"));
	free(pw);
}

/* ------------------------------------------------------------ enums */

/* A hand-made enum whose names share more than the prefix: the common
 * prefix is cut back to the last underscore ("SHADE_", not "SHADE_BL"). */
static const ProtobufCEnumValue shade_values[] = {
	{ "SHADE_BLUE", "SHADE_BLUE", 1 },
	{ "SHADE_BLACK", "SHADE_BLACK", 2 },
};
static const ProtobufCEnumDescriptor shade_descriptor = {
	.name = "test.Shade",
	.n_values = 2,
	.values = shade_values,
};

static void test_enums(void **state)
{
	(void)state;
	assert_string_equal(enum_name(&shade_descriptor, 1), "blue");
	assert_string_equal(enum_name(&shade_descriptor, 2), "black");
	assert_int_equal(enum_value(&shade_descriptor, "BLACK"), 2);
	assert_string_equal(enum_choices(&shade_descriptor), "blue|black");
	assert_null(enum_name(&shade_descriptor, 0));

	const ProtobufCEnumDescriptor *st = &pb__action_status__descriptor;
	assert_string_equal(enum_choices(st), "not_started|in_progress|completed|blocked");
	assert_int_equal(enum_value(st, "not-started"), PB__ACTION_STATUS__ACTION_STATUS_NOT_STARTED);
	assert_int_equal(enum_value(st, "NOT_STARTED"), PB__ACTION_STATUS__ACTION_STATUS_NOT_STARTED);
	assert_int_equal(enum_value(st, "unspecified"), -1);
	assert_int_equal(enum_value(st, "UNSPECIFIED"), -1);
	assert_int_equal(enum_value(st, "action_status_completed"), -1); /* the prefix is not part of it */
	assert_int_equal(enum_value(st, "complete"), -1);                /* no prefix matching */
	assert_int_equal(enum_value(st, "completed "), -1);
	assert_string_equal(enum_name(&pb__role__descriptor, PB__ROLE__ROLE_PERFORMANCE), "performance");
	/* Cached: the same pointer every time. */
	assert_ptr_equal(enum_name(st, 1), enum_name(st, 1));
	assert_ptr_equal(enum_choices(st), enum_choices(st));
}

/* ------------------------------------------------------------ pbjson */

static char *dump(const ProtobufCMessage *m)
{
	json_t *j = pbjson_from_message(m);
	assert_non_null(j);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static void expect_json(const ProtobufCMessage *m, const char *want)
{
	char *got = dump(m);
	if (strcmp(got, want) != 0) {
		char copy[2048];
		snprintf(copy, sizeof copy, "%s", got);
		free(got);
		fail_msg("JSON\n  got  %s\n  want %s", copy, want);
	}
	free(got);
}

static void test_pbjson_absent_fields_omitted(void **state)
{
	(void)state;
	Pb__Action a = PB__ACTION__INIT;
	expect_json(&a.base, "{}");
	a.ref = "N-2.3";
	a.has_version = 1;
	a.version = 3;
	a.has_overdue = 1;     /* present and false: shown */
	a.overdue = 0;
	a.rag = PB__RAG__RAG_RED;   /* set but not marked present: left out */
	expect_json(&a.base, "{\"overdue\":false,\"ref\":\"N-2.3\",\"version\":3}");
}

static void test_pbjson_enums_as_names(void **state)
{
	(void)state;
	Pb__Action a = PB__ACTION__INIT;
	a.has_status = 1;
	a.status = PB__ACTION_STATUS__ACTION_STATUS_IN_PROGRESS;
	a.has_rag = 1;
	a.rag = PB__RAG__RAG_BLUE;
	a.has_source = 1;
	a.source = PB__SOURCE__SOURCE_SERVICE_WIDE;
	expect_json(&a.base, "{\"rag\":\"blue\",\"source\":\"service_wide\",\"status\":\"in_progress\"}");
	/* A value this build does not know (from a newer peer): its number. */
	a.rag = (Pb__Rag)99;
	a.has_status = 0;
	a.has_source = 0;
	expect_json(&a.base, "{\"rag\":99}");
	Pb__Response r = PB__RESPONSE__INIT;
	r.has_status = 1;
	r.status = PB__STATUS__NOT_FOUND;
	expect_json(&r.base, "{\"status\":\"NOT_FOUND\"}");
}

static void test_pbjson_repeated_as_arrays(void **state)
{
	(void)state;
	Pb__FieldChange c1 = PB__FIELD_CHANGE__INIT, c2 = PB__FIELD_CHANGE__INIT;
	c1.field = "status";
	c1.old_value = "not_started";
	c1.new_value = "in_progress";
	c2.field = "rag";
	c2.new_value = "amber";
	Pb__FieldChange *changes[] = { &c1, &c2 };
	Pb__ProgressUpdate u = PB__PROGRESS_UPDATE__INIT;
	u.n_changes = 2;
	u.changes = changes;
	expect_json(&u.base, "{\"changes\":[{\"field\":\"status\",\"new_value\":\"in_progress\","
			     "\"old_value\":\"not_started\"},{\"field\":\"rag\",\"new_value\":\"amber\"}]}");

	Pb__Risk risk = PB__RISK__INIT;
	char *refs[] = { "N-1.1", "N-2.3", "N-4" };
	risk.n_actions = 3;
	risk.actions = refs;
	expect_json(&risk.base, "{\"actions\":[\"N-1.1\",\"N-2.3\",\"N-4\"]}");
	/* An empty list is an empty array, so a consumer can always iterate. */
	risk.n_actions = 0;
	risk.actions = NULL;
	expect_json(&risk.base, "{\"actions\":[]}");
}

static void test_pbjson_oneof_only_set_case(void **state)
{
	(void)state;
	Pb__Response r = PB__RESPONSE__INIT;
	r.has_id = 1;
	r.id = 7;
	expect_json(&r.base, "{\"id\":7}");
	Pb__WhoamiReply w = PB__WHOAMI_REPLY__INIT;
	Pb__User u = PB__USER__INIT;
	u.name = "admin";
	u.has_role = 1;
	u.role = PB__ROLE__ROLE_ADMIN;
	w.user = &u;
	r.body_case = PB__RESPONSE__BODY_WHOAMI;
	r.whoami = &w;
	expect_json(&r.base, "{\"id\":7,\"whoami\":{\"user\":{\"name\":\"admin\",\"role\":\"admin\"}}}");

	Pb__ServerFrame f = PB__SERVER_FRAME__INIT;
	f.kind_case = PB__SERVER_FRAME__KIND_RESPONSE;
	f.response = &r;
	expect_json(&f.base,
		    "{\"response\":{\"id\":7,\"whoami\":{\"user\":{\"name\":\"admin\",\"role\":\"admin\"}}}}");
}

static void test_pbjson_numbers(void **state)
{
	(void)state;
	Pb__Metric m = PB__METRIC__INIT;
	m.has_target = 1;
	m.target = 82.5;
	m.has_tolerance = 1;
	m.tolerance = 0.0 / 0.0;   /* NaN has no JSON form */
	expect_json(&m.base, "{\"target\":82.5,\"tolerance\":null}");
	/* uint64 beyond INT64_MAX is not a negative number. */
	Pb__Response r = PB__RESPONSE__INIT;
	r.has_id = 1;
	r.id = UINT64_MAX;
	json_t *j = pbjson_from_message(&r.base);
	json_t *id = json_object_get(j, "id");
	assert_non_null(id);
	assert_true(json_number_value(id) > 1.8e19);
	json_decref(j);
	r.id = (uint64_t)INT64_MAX;
	expect_json(&r.base, "{\"id\":9223372036854775807}");
	Pb__AuditRound a = PB__AUDIT_ROUND__INIT;
	a.has_required = 1;
	a.required = 4000000000u;  /* uint32 beyond INT32_MAX */
	expect_json(&a.base, "{\"required\":4000000000}");
}

static void test_pbjson_bytes(void **state)
{
	(void)state;
	Pb__ExportReply e = PB__EXPORT_REPLY__INIT;
	e.has_csv = 1;
	e.csv.data = (uint8_t *)"a,b\n1,\xc3\xa9\n";
	e.csv.len = strlen((const char *)e.csv.data);
	expect_json(&e.base, "{\"csv\":\"a,b\\n1,\xc3\xa9\\n\"}");
	/* Bytes that are not UTF-8 must still give JSON that can be printed. */
	static uint8_t raw[] = { 0xff, 0x00, 0x80, 'x' };
	e.csv.data = raw;
	e.csv.len = sizeof raw;
	expect_json(&e.base, "{\"csv\":\"/wCAeA==\"}");
	e.csv.len = 0;
	expect_json(&e.base, "{\"csv\":\"\"}");
}

/* ------------------------------------------------------------ arena */

static void test_arena_small_and_large(void **state)
{
	(void)state;
	struct arena a = { 0 };
	/* Many small allocations, each zeroed, aligned and distinct. */
	char *prev = NULL;
	for (int i = 1; i < 2000; i++) {
		char *p = arena_alloc(&a, (size_t)(i % 37) + 1);
		assert_int_equal((uintptr_t)p % sizeof(max_align_t), 0);
		for (int k = 0; k < i % 37 + 1; k++)
			assert_int_equal(p[k], 0);
		memset(p, 0xAB, (size_t)(i % 37) + 1);
		assert_ptr_not_equal(p, prev);
		prev = p;
	}
	/* Larger than a chunk: its own chunk, whole and zeroed. */
	size_t big = 1u << 20;
	unsigned char *b = arena_alloc(&a, big);
	for (size_t k = 0; k < big; k += 4096)
		assert_int_equal(b[k], 0);
	assert_int_equal(b[big - 1], 0);
	memset(b, 0x5A, big);
	/* A small one after the large one still works. */
	int *x = arena_new(&a, int);
	assert_int_equal(*x, 0);
	arena_free(&a);
	assert_null(a.head);
	arena_free(&a); /* twice is harmless */
}

static void test_arena_strings(void **state)
{
	(void)state;
	struct arena a = { 0 };
	assert_null(arena_strdup(&a, NULL));
	assert_null(arena_strndup(&a, NULL, 3));
	assert_string_equal(arena_strdup(&a, "north"), "north");
	assert_string_equal(arena_strdup(&a, ""), "");
	assert_string_equal(arena_strndup(&a, "north-2017", 5), "north");
	assert_string_equal(arena_printf(&a, "%s-%d", "N", 23), "N-23");
	char *long_text = arena_printf(&a, "%s", rep('z', 2000));
	assert_int_equal(strlen(long_text), 2000);
	arena_free(&a);
}

static void test_arena_push_grows(void **state)
{
	(void)state;
	struct arena a = { 0 };
	int **items = NULL;
	size_t n = 0, cap = 0;
	int values[1000];
	for (int i = 0; i < 1000; i++) {
		values[i] = i * 3;
		ARENA_PUSH(&a, items, n, cap, &values[i]);
		assert_int_equal(n, (size_t)i + 1);
		assert_true(cap >= n);
	}
	assert_int_equal(cap, 1024); /* 8, 16, ... doubling */
	for (int i = 0; i < 1000; i++)
		assert_ptr_equal(items[i], &values[i]);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_max_chars),
		cmocka_unit_test(test_code),
		cmocka_unit_test(test_ref),
		cmocka_unit_test(test_user_name),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_password_strength),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_pbjson_absent_fields_omitted),
		cmocka_unit_test(test_pbjson_enums_as_names),
		cmocka_unit_test(test_pbjson_repeated_as_arrays),
		cmocka_unit_test(test_pbjson_oneof_only_set_case),
		cmocka_unit_test(test_pbjson_numbers),
		cmocka_unit_test(test_pbjson_bytes),
		cmocka_unit_test(test_arena_small_and_large),
		cmocka_unit_test(test_arena_strings),
		cmocka_unit_test(test_arena_push_grows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
