/* test_compare_window.c: a comparison from month F reads only a few
 * months before F (server/metrics.c compare_start, reporting_before), not
 * the metric's whole history, and must give exactly the points a reading
 * of the whole history gives from F on: the first point's trend and gap
 * change (linked to the locality's previous figure and previous gap, which
 * may be months back) and the number of localities that had reported by
 * then. Checked on an irregular history: late starters, months where one
 * locality reports alone (a value but no gap), corrections recorded later
 * and as-recorded bounds between them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hutil.h"
#include "metrics.h"

#define N_LOC 5
#define N_MONTHS 30 /* 2015-01 .. 2017-06 */

static const char *const locs[N_LOC] = { "north", "south", "east", "west", "solo" };
/* Per mille chance of a figure each month, and the first month reported. */
static const unsigned presence[N_LOC] = { 850, 600, 300, 200, 150 };
static const unsigned first_month[N_LOC] = { 0, 4, 9, 2, 0 };
/* When figures were recorded: the first submission, and a correction. */
static const char *const recorded[] = { "2016-01-10T09:00:00Z", "2017-03-10T09:00:00Z", "2017-08-10T09:00:00Z" };
/* Bounds to compare as recorded by: none, and between the times above. */
static const char *const bounds[] = { NULL, "2016-06-30", "2017-05-31", "2017-12-31" };

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

#define PERIOD_BUF 16
static void month(char *out, unsigned k)
{
	snprintf(out, PERIOD_BUF, "%04u-%02u", 2015 + k / 12 % 100, k % 12 + 1);
}

/* A fixed pseudo-random sequence (the test must be repeatable). */
static unsigned next(unsigned *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 8) % 1000;
}

static void submit(struct fixture *f, const char *metric, const char *loc, const char *period, double num,
		   double den, const char *at)
{
	Pb__Measurement m = PB__MEASUREMENT__INIT;
	m.metric = (char *)metric;
	m.locality = (char *)loc;
	m.period = (char *)period;
	m.has_numerator = m.has_denominator = 1;
	m.numerator = num;
	m.denominator = den;
	reset(f, at);
	assert_int_equal(measurement_store(&f->h, &m, NULL), PB__STATUS__OK);
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
	assert_int_equal(store_exec(f.st,
		"INSERT INTO locality(code, name) VALUES ('north','N'),('south','S'),('east','E'),('west','W'),"
		"('solo','Solo');"
		"INSERT INTO metric(code, name, unit, better, target, tolerance) VALUES"
		" ('cp','CP visits','pct','higher',80,5), ('other','Other','pct','higher',NULL,NULL);"),
		SQLITE_OK);
	unsigned x = 7;
	char p[PERIOD_BUF];
	for (unsigned k = 0; k < N_MONTHS; k++) {
		month(p, k);
		for (int l = 0; l < N_LOC; l++) {
			if (k < first_month[l] || next(&x) >= presence[l])
				continue;
			double den = 50 + next(&x) % 100;
			/* older months recorded first; a tenth corrected later */
			submit(&f, "cp", locs[l], p, (double)(next(&x) % 1000) / 1000 * den, den,
			       recorded[k < N_MONTHS / 2 ? 0 : 1]);
			if (next(&x) < 100)
				submit(&f, "cp", locs[l], p, (double)(next(&x) % 1000) / 1000 * den, den, recorded[2]);
			/* another metric's history in the same months */
			submit(&f, "other", locs[l], p, 1, 2, recorded[0]);
		}
	}
	/* A month in which only "solo" reports, just before a window: it has a
	 * value there but no gap, so its previous value and previous gap
	 * differ. */
	submit(&f, "cp", "solo", "2017-07", 30, 100, recorded[1]);
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

static bool same_point(const Pb__ComparePoint *a, const Pb__ComparePoint *b)
{
	size_t na = pb__compare_point__get_packed_size(a), nb = pb__compare_point__get_packed_size(b);
	if (na != nb)
		return false;
	uint8_t *pa = malloc(na + 1), *pb = malloc(nb + 1);
	pb__compare_point__pack(a, pa);
	pb__compare_point__pack(b, pb);
	bool same = memcmp(pa, pb, na) == 0;
	free(pa);
	free(pb);
	return same;
}

/* Compare from every month against the whole history, for every
 * locality and bound; counts the windows whose first point links back. */
static void window_equals_tail_of_whole_history(void **state)
{
	struct fixture *f = *state;
	const char *to = "2017-09";
	unsigned checked = 0, linked = 0, totals_before = 0;
	for (int l = 0; l < N_LOC; l++) {
		for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
			Pb__MetricCompareReply *all, *win;
			reset(f, "2018-01-01T00:00:00Z");
			assert_int_equal(metric_compare_build(&f->h, "cp", locs[l], NULL, to, bounds[b], &all), PB__STATUS__OK);
			for (unsigned k = 1; k <= N_MONTHS + 1; k++) {
				char from[PERIOD_BUF];
				month(from, k);
				reset(f, "2018-01-01T00:00:00Z");
				assert_int_equal(metric_compare_build(&f->h, "cp", locs[l], from, to, bounds[b], &win),
						 PB__STATUS__OK);
				size_t skip = 0;
				while (skip < all->n_points && strcmp(all->points[skip]->period, from) < 0)
					skip++;
				if (win->n_points != all->n_points - skip)
					fail_msg("%s from %s as recorded %s: %zu points, the whole history gives %zu", locs[l],
						 from, bounds[b] ? bounds[b] : "now", win->n_points, all->n_points - skip);
				for (size_t i = 0; i < win->n_points; i++)
					if (!same_point(win->points[i], all->points[skip + i]))
						fail_msg("%s from %s as recorded %s: point %s differs from the whole history's",
							 locs[l], from, bounds[b] ? bounds[b] : "now", win->points[i]->period);
				checked++;
				if (win->n_points && win->points[0]->has_trend &&
				    win->points[0]->trend != PB__TREND__TREND_UNKNOWN)
					linked++;
				if (win->n_points && win->points[0]->localities_total > 1)
					totals_before++;
			}
			arena_free(&f->arena);
		}
	}
	/* the data exercises what is checked: most windows' first points link
	 * to a figure before the window and count localities seen before it */
	assert_int_equal(checked, N_LOC * 4 * (N_MONTHS + 1));
	print_message("%u windows, %u with a first point linked before them, %u counting earlier localities\n", checked,
		      linked, totals_before);
	assert_true(linked > checked / 5);
	assert_true(totals_before > checked / 2);
}

/* The usable points (a value; with_gap: and a gap) among pts, last n. */
static size_t last_usable(Pb__ComparePoint **pts, size_t n_pts, bool with_gap, size_t n,
			  Pb__ComparePoint **out)
{
	size_t k = 0;
	for (size_t i = 0; i < n_pts; i++)
		if (pts[i]->has_value && (!with_gap || pts[i]->has_gap))
			out[k++] = pts[i];
	if (k > n) {
		memmove(out, out + (k - n), n * sizeof *out);
		k = n;
	}
	return k;
}

/* A criterion over the last n months reads from the earliest of them:
 * its last n usable points are the whole history's. */
static void recent_months_equal_whole_history(void **state)
{
	struct fixture *f = *state;
	Pb__ComparePoint *want[N_MONTHS + 8], *got[N_MONTHS + 8];
	unsigned short_histories = 0;
	for (int l = 0; l < N_LOC; l++)
		for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++)
			for (unsigned k = 2; k < N_MONTHS; k += 3) /* includes Decembers */
				for (unsigned n = 1; n <= 7; n += 3)
					for (int gap = 0; gap < 2; gap++) {
						char to[PERIOD_BUF];
						month(to, k);
						Pb__MetricCompareReply *all, *rec;
						reset(f, "2018-01-01T00:00:00Z");
						assert_int_equal(metric_compare_build(&f->h, "cp", locs[l], NULL, to, bounds[b], &all),
								 PB__STATUS__OK);
						assert_int_equal(metric_compare_recent(&f->h, "cp", locs[l], to, n, gap, bounds[b], &rec),
								 PB__STATUS__OK);
						size_t nw = last_usable(all->points, all->n_points, gap, n, want);
						size_t ng = last_usable(rec->points, rec->n_points, gap, n, got);
						if (nw != ng)
							fail_msg("%s to %s, last %u: %zu usable points, the whole history has %zu",
								 locs[l], to, n, ng, nw);
						for (size_t i = 0; i < nw; i++)
							assert_true(same_point(want[i], got[i]));
						short_histories += nw < n;
						arena_free(&f->arena);
					}
	/* both cases occur: enough months, and fewer than asked for */
	assert_true(short_histories > 0);
	assert_int_equal(metric_compare_recent(&f->h, "cp", "north", "2017-13", 3, false, NULL, &(Pb__MetricCompareReply *){ 0 }),
			 PB__STATUS__INVALID_ARGUMENT);
	reset(f, "2018-01-01T00:00:00Z");
}

/* The case the look-back exists for, spelt out: "solo" reported alone in
 * 2017-07 (a value, no gap), so a window from 2017-08 takes its trend from
 * 2017-07 and its gap change from an earlier month with a gap. */
static void previous_gap_is_before_previous_value(void **state)
{
	struct fixture *f = *state;
	reset(f, "2018-01-01T00:00:00Z");
	submit(f, "cp", "solo", "2017-08", 40, 100, recorded[2]);
	submit(f, "cp", "north", "2017-08", 60, 100, recorded[2]);
	Pb__MetricCompareReply *all, *win;
	reset(f, "2018-01-01T00:00:00Z");
	assert_int_equal(metric_compare_build(&f->h, "cp", "solo", NULL, "2017-08", NULL, &all), PB__STATUS__OK);
	reset(f, "2018-01-01T00:00:00Z");
	assert_int_equal(metric_compare_build(&f->h, "cp", "solo", "2017-08", "2017-08", NULL, &win), PB__STATUS__OK);
	assert_int_equal(win->n_points, 1);
	const Pb__ComparePoint *p = win->points[0];
	assert_true(p->has_gap && p->has_gap_change && p->has_trend);
	assert_int_equal(p->trend, PB__TREND__TREND_IMPROVING); /* 30% in July, 40% in August */
	assert_true(same_point(p, all->points[all->n_points - 1]));
	arena_free(&f->arena);
}

/* "Now" reads each figure's current version by measurement.version, one
 * look-up; as recorded by a date, the newest version recorded by then.
 * With a bound after everything the two must agree, on measurements with
 * several versions as well. */
static void now_equals_bound_after_everything(void **state)
{
	struct fixture *f = *state;
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), "SELECT count(*) FROM measurement WHERE version > 1", -1,
					    &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_true(sqlite3_column_int(q, 0) > 0);   /* revised figures are in the data */
	sqlite3_finalize(q);
	for (int l = 0; l < N_LOC; l++) {
		for (unsigned k = 1; k <= N_MONTHS; k += 5) {
			char from[PERIOD_BUF];
			month(from, k);
			Pb__MetricCompareReply *now, *bounded;
			reset(f, "2018-01-01T00:00:00Z");
			assert_int_equal(metric_compare_build(&f->h, "cp", locs[l], from, "2017-09", NULL, &now),
					 PB__STATUS__OK);
			assert_int_equal(metric_compare_build(&f->h, "cp", locs[l], from, "2017-09", "2999-12-31", &bounded),
					 PB__STATUS__OK);
			assert_int_equal(now->n_points, bounded->n_points);
			for (size_t i = 0; i < now->n_points; i++)
				if (!same_point(now->points[i], bounded->points[i]))
					fail_msg("%s from %s: point %s differs now and as recorded by 2999-12-31", locs[l],
						 from, now->points[i]->period);
			arena_free(&f->arena);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_equals_tail_of_whole_history),
		cmocka_unit_test(previous_gap_is_before_previous_value),
		cmocka_unit_test(recent_months_equal_whole_history),
		cmocka_unit_test(now_equals_bound_after_everything),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
