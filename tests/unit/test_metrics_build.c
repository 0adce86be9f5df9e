/* test_metrics_build.c: metric_compare_build and audit_list_build on a
 * real (in-memory) store, as the report module calls them: pooling over
 * localities, missing figures, mean fallback, as-recorded versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "hutil.h"
#include "metrics.h"

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

struct fixture {
	struct store *st;
	struct arena arena;
	Pb__Response resp;
	struct hctx h;
};

static void reset(struct fixture *f, const char *now)
{
	pb__response__init(&f->resp);
	f->h.resp = &f->resp;
	f->h.now = now;
}

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof f);
	char *err = NULL;
	f.st = store_open(":memory:", &err);
	assert_non_null(f.st);
	f.h.st = f.st;
	f.h.arena = &f.arena;
	reset(&f, "2017-07-05T09:00:00Z");
	assert_int_equal(store_exec(f.st,
		"INSERT INTO locality(code, name) VALUES ('north','N'),('south','S'),('east','E'),('exeter','X');"
		"INSERT INTO metric(code, name, unit, better, target, tolerance) VALUES"
		" ('cp','CP visits','pct','higher',90,5), ('closures','Closures','count','higher',NULL,NULL);"),
		SQLITE_OK);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	arena_free(&f->arena);
	store_close(f->st);
	return 0;
}

static void submit(struct fixture *f, const char *metric, const char *loc, const char *period, double v, double n,
		   double d)
{
	Pb__Measurement m = PB__MEASUREMENT__INIT;
	m.metric = (char *)metric;
	m.locality = (char *)loc;
	m.period = (char *)period;
	if (d > 0) {
		m.has_numerator = m.has_denominator = 1;
		m.numerator = n;
		m.denominator = d;
	} else {
		m.has_value = 1;
		m.value = v;
	}
	assert_int_equal(measurement_store(&f->h, &m, NULL), PB__STATUS__OK);
}

/* June: north 63/100, south 80/100, east 150/200, exeter none.
 * rest = 230/300 = 76.667, county = 293/400 = 73.25, gap -13.667,
 * none of the 3 reporting by then missing (exeter starts in July); RAG: 63 vs target 90 tolerance 5 is red. */
static void compare_pooled(void **state)
{
	struct fixture *f = *state;
	submit(f, "cp", "north", "2017-06", 0, 63, 100);
	submit(f, "cp", "south", "2017-06", 0, 80, 100);
	submit(f, "cp", "east", "2017-06", 0, 150, 200);
	submit(f, "cp", "exeter", "2017-07", 0, 88, 100);
	submit(f, "cp", "north", "2017-07", 0, 87, 100);
	Pb__MetricCompareReply *r;
	assert_int_equal(metric_compare_build(&f->h, "cp", "north", NULL, NULL, NULL, &r), PB__STATUS__OK);
	assert_int_equal(r->n_points, 2);
	Pb__ComparePoint *p = r->points[0];
	assert_string_equal(p->period, "2017-06");
	NEAR(p->value, 63);
	NEAR(p->rest, 23000.0 / 300);
	NEAR(p->county, 73.25);
	NEAR(p->gap, 63 - 23000.0 / 300);
	assert_int_equal(p->rest_method, PB__METHOD__METHOD_POOLED);
	assert_false(p->favourable);
	assert_int_equal(p->rag, PB__RAG__RAG_RED);
	/* exeter reports from July only: not missing in June */
	assert_int_equal(p->localities_total, 3);
	assert_int_equal(p->localities_missing, 0);
	/* July: rest is exeter alone (88); north 87: gap -1, amber (within 5 of 90). */
	p = r->points[1];
	NEAR(p->gap, -1);
	assert_int_equal(p->rag, PB__RAG__RAG_AMBER);
	assert_int_equal(p->trend, PB__TREND__TREND_IMPROVING);
	NEAR(p->gap_change, -1 - (63 - 23000.0 / 300));
	assert_int_equal(p->localities_total, 4);
	assert_int_equal(p->localities_missing, 2);
}

/* A resubmission recorded later: the earlier bound still sees the first. */
static void compare_as_recorded(void **state)
{
	struct fixture *f = *state;
	reset(f, "2017-08-01T10:00:00Z");
	submit(f, "cp", "north", "2017-06", 0, 70, 100);
	Pb__MetricCompareReply *r;
	assert_int_equal(metric_compare_build(&f->h, "cp", "north", "2017-06", "2017-06", "2017-07-31", &r),
			 PB__STATUS__OK);
	assert_int_equal(r->n_points, 1);
	NEAR(r->points[0]->value, 63);
	assert_int_equal(metric_compare_build(&f->h, "cp", "north", "2017-06", "2017-06", NULL, &r), PB__STATUS__OK);
	NEAR(r->points[0]->value, 70);
	/* Before anything was recorded: no points, no localities. */
	assert_int_equal(metric_compare_build(&f->h, "cp", "north", NULL, NULL, "2017-01-01", &r), PB__STATUS__OK);
	assert_int_equal(r->n_points, 0);
}

static void compare_mean_for_counts(void **state)
{
	struct fixture *f = *state;
	submit(f, "closures", "north", "2017-06", 20, 0, 0);
	submit(f, "closures", "south", "2017-06", 30, 0, 0);
	submit(f, "closures", "east", "2017-06", 16, 0, 0);
	Pb__MetricCompareReply *r;
	assert_int_equal(metric_compare_build(&f->h, "closures", "north", NULL, NULL, NULL, &r), PB__STATUS__OK);
	assert_int_equal(r->points[0]->rest_method, PB__METHOD__METHOD_MEAN);
	NEAR(r->points[0]->rest, 23);
	NEAR(r->points[0]->county, 22);
	assert_false(r->points[0]->has_rag);
}

static void compare_errors(void **state)
{
	struct fixture *f = *state;
	Pb__MetricCompareReply *r;
	assert_int_equal(metric_compare_build(&f->h, "nope", "north", NULL, NULL, NULL, &r), PB__STATUS__NOT_FOUND);
	reset(f, "2017-08-01T10:00:00Z");
	assert_int_equal(metric_compare_build(&f->h, "cp", "atlantis", NULL, NULL, NULL, &r), PB__STATUS__NOT_FOUND);
	reset(f, "2017-08-01T10:00:00Z");
	assert_int_equal(metric_compare_build(&f->h, "cp", "north", "2017-9", NULL, NULL, &r),
			 PB__STATUS__INVALID_ARGUMENT);
	reset(f, "2017-08-01T10:00:00Z");
	assert_int_equal(metric_compare_build(&f->h, "cp", "north", NULL, NULL, "soon", &r),
			 PB__STATUS__INVALID_ARGUMENT);
	reset(f, "2017-08-01T10:00:00Z");
}

static void audits(void **state)
{
	struct fixture *f = *state;
	Pb__AuditRound a = PB__AUDIT_ROUND__INIT;
	a.locality = "north";
	a.period = "2017-08";
	a.has_required = a.has_completed = a.has_on_time = 1;
	a.required = 22, a.completed = 22, a.on_time = 18;
	a.outstanding = 1, a.good = 9, a.requires_improvement = 10, a.inadequate = 2;
	assert_int_equal(audit_store(&f->h, &a, NULL), PB__STATUS__OK);
	Pb__AuditListReply *r;
	assert_int_equal(audit_list_build(&f->h, "north", NULL, NULL, NULL, &r), PB__STATUS__OK);
	assert_int_equal(r->n_rounds, 1);
	NEAR(r->rounds[0]->compliance_pct, 100);
	NEAR(r->rounds[0]->on_time_pct, 1800.0 / 22);
	NEAR(r->rounds[0]->good_or_better_pct, 1000.0 / 22);
	assert_int_equal(audit_list_build(&f->h, NULL, NULL, NULL, "2017-07-01", &r), PB__STATUS__OK);
	assert_int_equal(r->n_rounds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compare_pooled),
		cmocka_unit_test(compare_as_recorded),
		cmocka_unit_test(compare_mean_for_counts),
		cmocka_unit_test(compare_errors),
		cmocka_unit_test(audits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
