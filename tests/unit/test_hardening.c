/* test_hardening.c: the failed-login limiter and the loopback rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ratelimit.h"
#include "tls.h"

static void test_free_attempts_then_doubling(void **state)
{
	struct login_limiter *l = login_limiter_new();
	time_t t = 1000;
	for (int i = 1; i < LOGIN_FREE_PER_USER; i++) {
		login_failed(l, "carol", "10.0.0.1", t);
		assert_int_equal(login_wait(l, "carol", "10.0.0.1", t), 0);
	}
	login_failed(l, "carol", "10.0.0.1", t);           /* 5th: 1 s */
	assert_int_equal(login_wait(l, "carol", "10.0.0.9", t), 1);
	assert_int_equal(login_wait(l, "carol", "10.0.0.9", t + 1), 0);
	login_failed(l, "carol", "10.0.0.1", t + 1);       /* 6th: 2 s */
	assert_int_equal(login_wait(l, "carol", NULL, t + 1), 2);
	login_failed(l, "carol", "10.0.0.1", t + 3);       /* 7th: 4 s */
	assert_int_equal(login_wait(l, "carol", NULL, t + 3), 4);
	/* Others are not affected. */
	assert_int_equal(login_wait(l, "dave", "10.0.0.2", t + 3), 0);
	login_limiter_free(l);
}

static void test_wait_is_capped(void **state)
{
	struct login_limiter *l = login_limiter_new();
	for (int i = 0; i < 40; i++)
		login_failed(l, "carol", "10.0.0.1", 5000);
	assert_int_equal(login_wait(l, "carol", NULL, 5000), LOGIN_MAX_WAIT);
	login_limiter_free(l);
}

static void test_success_clears_user_not_address(void **state)
{
	struct login_limiter *l = login_limiter_new();
	for (int i = 0; i < LOGIN_FREE_PER_ADDR; i++)
		login_failed(l, i % 2 ? "carol" : "erin", "10.0.0.1", 100);
	assert_true(login_wait(l, "carol", NULL, 100) > 0);
	login_succeeded(l, "carol");
	assert_int_equal(login_wait(l, "carol", NULL, 100), 0);
	/* The address stays throttled: one good account must not reset it. */
	assert_int_equal(login_wait(l, NULL, "10.0.0.1", 100), 1);
	login_limiter_free(l);
}

static void test_failures_are_forgotten(void **state)
{
	struct login_limiter *l = login_limiter_new();
	for (int i = 0; i < LOGIN_FREE_PER_USER - 1; i++)
		login_failed(l, "carol", "10.0.0.1", 100);
	/* Long after the last failure the count starts again. */
	login_failed(l, "carol", "10.0.0.1", 100 + LOGIN_FORGET + 1);
	assert_int_equal(login_wait(l, "carol", NULL, 100 + LOGIN_FORGET + 1), 0);
	login_limiter_free(l);
}

static void test_table_is_bounded(void **state)
{
	struct login_limiter *l = login_limiter_new();
	char name[32];
	for (int i = 0; i < LOGIN_MAX_ENTRIES * 2; i++) {
		snprintf(name, sizeof name, "user%d", i);
		login_failed(l, name, NULL, 100 + i / 1000);
	}
	/* Still answers; the newest entries are kept. */
	snprintf(name, sizeof name, "user%d", LOGIN_MAX_ENTRIES * 2 - 1);
	for (int i = 1; i < LOGIN_FREE_PER_USER; i++)
		login_failed(l, name, NULL, 200);
	assert_true(login_wait(l, name, NULL, 200) > 0);
	login_limiter_free(l);
}

static bool loopback(const char *host)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	if (inet_pton(AF_INET, host, &in.sin_addr) == 1)
		return addr_is_loopback((struct sockaddr *)&in);
	assert_int_equal(inet_pton(AF_INET6, host, &in6.sin6_addr), 1);
	return addr_is_loopback((struct sockaddr *)&in6);
}

static void test_loopback_rule(void **state)
{
	assert_true(loopback("127.0.0.1"));
	assert_true(loopback("127.255.0.9"));
	assert_true(loopback("::1"));
	assert_true(loopback("::ffff:127.0.0.1"));
	assert_false(loopback("0.0.0.0"));
	assert_false(loopback("10.0.0.1"));
	assert_false(loopback("128.0.0.1"));
	assert_false(loopback("::"));
	assert_false(loopback("::ffff:10.0.0.1"));
	assert_false(loopback("fe80::1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_attempts_then_doubling),
		cmocka_unit_test(test_wait_is_capped),
		cmocka_unit_test(test_success_clears_user_not_address),
		cmocka_unit_test(test_failures_are_forgotten),
		cmocka_unit_test(test_table_is_bounded),
		cmocka_unit_test(test_loopback_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
