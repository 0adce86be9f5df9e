/* test_compare.c: pooling, gap, polarity, trend and RAG against
 * hand-computed cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "compare.h"
#include "planboard.pb-c.h"

#define assert_double_equal(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

#define HIGHER PB__BETTER__BETTER_HIGHER
#define LOWER PB__BETTER__BETTER_LOWER

/* 30/40 and 45/50 pooled = 75/90 = 83.33%, not the mean 82.5%. */
static void pooled_not_mean(void **state)
{
	struct figure f[] = { { 75, 30, 40, true }, { 90, 45, 50, true } };
	struct aggregate a = pool_figures(f, 2, 100);
	assert_int_equal(a.method, PB__METHOD__METHOD_POOLED);
	assert_double_equal(a.value, 7500.0 / 90.0, 1e-9);
	assert_int_equal(a.n, 2);
}

/* Without denominators: the mean of the values, labelled MEAN. */
static void mean_without_denominators(void **state)
{
	struct figure f[] = { { 20, 0, 0, false }, { 30, 0, 0, false }, { 25, 0, 0, false } };
	struct aggregate a = pool_figures(f, 3, 1);
	assert_int_equal(a.method, PB__METHOD__METHOD_MEAN);
	assert_double_equal(a.value, 25, 1e-9);
}

/* One figure without a denominator makes the whole aggregate a mean. */
static void mixed_is_mean(void **state)
{
	struct figure f[] = { { 50, 1, 2, true }, { 100, 0, 0, false } };
	struct aggregate a = pool_figures(f, 2, 100);
	assert_int_equal(a.method, PB__METHOD__METHOD_MEAN);
	assert_double_equal(a.value, 75, 1e-9);
}

static void none_without_figures(void **state)
{
	struct aggregate a = pool_figures(NULL, 0, 100);
	assert_int_equal(a.method, PB__METHOD__METHOD_NONE);
	assert_int_equal(a.n, 0);
}

/* A ratio (caseload): cases / FTE, no scaling. 560/20 + 300/12 = 860/32. */
static void ratio_scale_one(void **state)
{
	struct figure f[] = { { 28, 560, 20, true }, { 25, 300, 12, true } };
	struct aggregate a = pool_figures(f, 2, unit_scale(PB__UNIT__UNIT_RATIO));
	assert_double_equal(a.value, 26.875, 1e-9);
	assert_double_equal(unit_scale(PB__UNIT__UNIT_PCT), 100, 0);
	assert_double_equal(unit_scale(PB__UNIT__UNIT_COUNT), 1, 0);
}

static void gap_and_polarity(void **state)
{
	double g = gap_of(63, 80);
	assert_double_equal(g, -17, 1e-9);
	assert_false(gap_favourable(g, HIGHER));
	assert_true(gap_favourable(g, LOWER));
	assert_true(gap_favourable(4, HIGHER));
	assert_false(gap_favourable(4, LOWER));
	assert_true(gap_favourable(0, HIGHER));
	assert_true(gap_favourable(0, LOWER));
}

static void trend(void **state)
{
	assert_int_equal(trend_of(63, 76, HIGHER, 0.05), PB__TREND__TREND_IMPROVING);
	assert_int_equal(trend_of(63, 76, LOWER, 0.05), PB__TREND__TREND_WORSENING);
	assert_int_equal(trend_of(28, 24, LOWER, 0.05), PB__TREND__TREND_IMPROVING);
	assert_int_equal(trend_of(28, 24, HIGHER, 0.05), PB__TREND__TREND_WORSENING);
	assert_int_equal(trend_of(50, 50.04, HIGHER, 0.05), PB__TREND__TREND_STEADY);
	assert_int_equal(trend_of(50, 49.96, LOWER, 0.05), PB__TREND__TREND_STEADY);
}

/* Target 90, tolerance 5: 90+ green, 85..90 amber, below 85 red; and the
 * mirror for lower-is-better (caseload target 20, tolerance 3). */
static void rag(void **state)
{
	assert_int_equal(rag_of(95, HIGHER, 90, 5), PB__RAG__RAG_GREEN);
	assert_int_equal(rag_of(90, HIGHER, 90, 5), PB__RAG__RAG_GREEN);
	assert_int_equal(rag_of(85, HIGHER, 90, 5), PB__RAG__RAG_AMBER);
	assert_int_equal(rag_of(84.9, HIGHER, 90, 5), PB__RAG__RAG_RED);
	assert_int_equal(rag_of(19, LOWER, 20, 3), PB__RAG__RAG_GREEN);
	assert_int_equal(rag_of(23, LOWER, 20, 3), PB__RAG__RAG_AMBER);
	assert_int_equal(rag_of(23.1, LOWER, 20, 3), PB__RAG__RAG_RED);
	/* No tolerance: anything short of target is red. */
	assert_int_equal(rag_of(89.9, HIGHER, 90, 0), PB__RAG__RAG_RED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pooled_not_mean),
		cmocka_unit_test(mean_without_denominators),
		cmocka_unit_test(mixed_is_mean),
		cmocka_unit_test(none_without_figures),
		cmocka_unit_test(ratio_scale_one),
		cmocka_unit_test(gap_and_polarity),
		cmocka_unit_test(trend),
		cmocka_unit_test(rag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
