/* test_governance.c: risk scoring and banding, and the evaluation of a
 * metric-bound review criterion (met / not met / not enough data, with
 * the figures behind it) against hand-built comparison points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "governance.h"
#include "report.h"

/* Every cell of the 5x5 matrix: score = L x I; low <= 4, medium 5-12,
 * high >= 15. */
static void banding(void **state)
{
	(void)state;
	for (unsigned l = 1; l <= 5; l++)
		for (unsigned i = 1; i <= 5; i++) {
			unsigned s = l * i;
			int want = s >= 15 ? PB__BAND__BAND_HIGH : s >= 5 ? PB__BAND__BAND_MEDIUM : PB__BAND__BAND_LOW;
			assert_int_equal(risk_band(s), want);
		}
	assert_int_equal(risk_band(4), PB__BAND__BAND_LOW);
	assert_int_equal(risk_band(5), PB__BAND__BAND_MEDIUM);
	assert_int_equal(risk_band(12), PB__BAND__BAND_MEDIUM);
	assert_int_equal(risk_band(15), PB__BAND__BAND_HIGH);
	assert_int_equal(risk_band(25), PB__BAND__BAND_HIGH);
}

struct fixture {
	struct arena a;
	Pb__Metric m;
	Pb__Criterion c;
	Pb__ComparePoint p[8];
	Pb__ComparePoint *pts[8];
	size_t n;
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof *f);
	pb__metric__init(&f->m);
	f->m.code = "cp_visits_timely_pct";
	f->m.has_better = 1;
	f->m.better = PB__BETTER__BETTER_HIGHER;
	pb__criterion__init(&f->c);
	f->c.has_kind = f->c.has_threshold = f->c.has_months = 1;
	f->c.kind = PB__CRITERION_KIND__CRITERION_KIND_GAP_WITHIN;
	f->c.threshold = 5;
	f->c.months = 3;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(&f->a);
	test_free(f);
	return 0;
}

/* Add a month: value and rest (rest < 0: no comparison). */
static void month(struct fixture *f, const char *period, double value, double rest)
{
	Pb__ComparePoint *p = &f->p[f->n];
	pb__compare_point__init(p);
	p->period = (char *)period;
	p->has_value = 1;
	p->value = value;
	if (rest >= 0) {
		p->has_rest = p->has_gap = 1;
		p->rest = rest;
		p->gap = value - rest;
	}
	f->pts[f->n++] = p;
}

/* The seed: gaps -17, -14, -10, -4: only September is within 5. */
static void seed_not_met(void **state)
{
	struct fixture *f = *state;
	f->m.has_unit = 1;
	f->m.unit = PB__UNIT__UNIT_PCT;
	month(f, "2017-06", 61, 78);
	month(f, "2017-07", 66, 80);
	month(f, "2017-08", 72, 82);
	month(f, "2017-09", 80, 84);
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, "2017-09");
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_NOT_MET);
	assert_non_null(strstr(f->c.evidence, "July 2017: 66.0% vs rest 80.0%, gap -14.0 (outside)"));
	assert_non_null(strstr(f->c.evidence, "September 2017: 80.0% vs rest 84.0%, gap -4.0 (within)"));
	assert_null(strstr(f->c.evidence, "June 2017"));
}

/* Three consecutive months within 5 (the boundary counts). */
static void met_with_boundary(void **state)
{
	struct fixture *f = *state;
	month(f, "2017-09", 80, 84);
	month(f, "2017-10", 82, 87);
	month(f, "2017-11", 85, 86);
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, "2017-12");
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_MET);
}

/* A favourable gap, however large, is within. */
static void favourable_gap_is_within(void **state)
{
	struct fixture *f = *state;
	f->c.months = 1;
	month(f, "2017-09", 99, 80);
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, NULL);
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_MET);
	/* ...but where lower is better, the same gap is 19 points worse */
	f->m.better = PB__BETTER__BETTER_LOWER;
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, NULL);
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_NOT_MET);
}

/* Fewer months than asked for: not enough data, saying how many. */
static void too_few_months(void **state)
{
	struct fixture *f = *state;
	month(f, "2017-08", 80, 82);
	month(f, "2017-09", 80, 82);
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, "2017-09");
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_NOT_ENOUGH_DATA);
	assert_non_null(strstr(f->c.evidence, "2 months with figures up to September 2017"));
}

/* A missing month breaks "consecutive". */
static void gap_in_months(void **state)
{
	struct fixture *f = *state;
	month(f, "2017-06", 80, 82);
	month(f, "2017-08", 80, 82);
	month(f, "2017-09", 80, 82);
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, NULL);
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_NOT_ENOUGH_DATA);
	assert_non_null(strstr(f->c.evidence, "not consecutive"));
}

/* Months after as-of, and months without a comparison, are not used. */
static void ignores_later_and_uncompared(void **state)
{
	struct fixture *f = *state;
	month(f, "2017-07", 80, 82);
	month(f, "2017-08", 80, 82);
	month(f, "2017-09", 80, -1);
	month(f, "2017-10", 50, 90);
	f->c.months = 2;
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, "2017-09");
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_MET);
	assert_non_null(strstr(f->c.evidence, "August 2017"));
}

/* Value thresholds: at least / at most. */
static void value_thresholds(void **state)
{
	struct fixture *f = *state;
	f->c.kind = PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_LEAST;
	f->c.threshold = 80;
	f->c.months = 2;
	month(f, "2017-08", 80, -1);
	month(f, "2017-09", 81, -1);
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, NULL);
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_MET);
	f->c.kind = PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_MOST;
	criterion_evaluate(&f->a, &f->c, &f->m, f->pts, f->n, NULL);
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_NOT_MET);
	assert_non_null(strstr(f->c.evidence, "September 2017: 81.0 (does not meet)"));
}

static void no_points(void **state)
{
	struct fixture *f = *state;
	criterion_evaluate(&f->a, &f->c, &f->m, NULL, 0, "2017-09");
	assert_int_equal(f->c.verdict, PB__VERDICT__VERDICT_NOT_ENOUGH_DATA);
}

static void words(void **state)
{
	(void)state;
	struct arena a = { 0 };
	assert_string_equal(period_name(&a, "2017-06"), "June 2017");
	assert_string_equal(period_name(&a, "nonsense"), "nonsense");
	assert_int_equal(period_index("2017-01") + 11, period_index("2017-12"));
	assert_int_equal(period_index("2017-12") + 1, period_index("2018-01"));
	char d[32];
	assert_string_equal(date_words("2017-09-30", d, sizeof d), "30 September 2017");
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(banding),
		cmocka_unit_test_setup_teardown(seed_not_met, setup, teardown),
		cmocka_unit_test_setup_teardown(met_with_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(favourable_gap_is_within, setup, teardown),
		cmocka_unit_test_setup_teardown(too_few_months, setup, teardown),
		cmocka_unit_test_setup_teardown(gap_in_months, setup, teardown),
		cmocka_unit_test_setup_teardown(ignores_later_and_uncompared, setup, teardown),
		cmocka_unit_test_setup_teardown(value_thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(no_points, setup, teardown),
		cmocka_unit_test(words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
