/* compare.h: the arithmetic of "locality against the rest of the county",
 * on plain numbers so it can be tested by hand-computed cases.
 *
 * A figure is a value, and for rates and ratios the numerator and
 * denominator it was computed from. Aggregates pool: sum of numerators
 * over sum of denominators (times 100 for percentages), never a mean of
 * percentages; only when some figure has no denominator do they fall back
 * to the mean of the values, and say so (METHOD_MEAN). */
#ifndef PLANBOARD_COMPARE_H
#define PLANBOARD_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

struct figure {
	double value;
	double num, den;
	bool has_ratio;   /* num and den were given */
};

struct aggregate {
	int method;       /* Pb__Method: POOLED, MEAN or NONE (no figures) */
	double value;
	size_t n;         /* figures that went into it */
};

/* 100 for a percentage, 1 for every other unit (Pb__Unit). */
double unit_scale(int unit);
/* Pool n figures: POOLED if every figure has a denominator (and their sum
 * is positive), else MEAN of the values; NONE if n == 0. */
struct aggregate pool_figures(const struct figure *f, size_t n, double scale);
/* Gap locality - rest, in the metric's unit. */
double gap_of(double value, double rest);
/* Is the gap favourable to the locality given which way is better
 * (Pb__Better)? A gap of zero counts as favourable: not behind. */
bool gap_favourable(double gap, int better);
/* Direction of travel from prev to now (Pb__Trend): a change smaller than
 * `steady` either way is STEADY. */
int trend_of(double prev, double now, int better, double steady);
/* RAG (Pb__Rag) of a value against a target: GREEN on or beyond the
 * target, AMBER within tolerance short of it, RED further off. */
int rag_of(double value, int better, double target, double tolerance);

#endif
