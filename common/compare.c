/* compare.c: pooling, gap, polarity, trend and RAG arithmetic. */
#include "compare.h"
#include "planboard.pb-c.h"

double unit_scale(int unit)
{
	return unit == PB__UNIT__UNIT_PCT ? 100.0 : 1.0;
}

struct aggregate pool_figures(const struct figure *f, size_t n, double scale)
{
	struct aggregate a = { .method = PB__METHOD__METHOD_NONE, .value = 0, .n = n };
	if (n == 0)
		return a;
	double num = 0, den = 0, sum = 0;
	bool all_ratio = true;
	for (size_t i = 0; i < n; i++) {
		sum += f[i].value;
		if (f[i].has_ratio) {
			num += f[i].num;
			den += f[i].den;
		} else {
			all_ratio = false;
		}
	}
	if (all_ratio && den > 0) {
		a.method = PB__METHOD__METHOD_POOLED;
		a.value = num / den * scale;
	} else {
		a.method = PB__METHOD__METHOD_MEAN;
		a.value = sum / (double)n;
	}
	return a;
}

double gap_of(double value, double rest)
{
	return value - rest;
}

bool gap_favourable(double gap, int better)
{
	return better == PB__BETTER__BETTER_LOWER ? gap <= 0 : gap >= 0;
}

int trend_of(double prev, double now, int better, double steady)
{
	double d = now - prev;
	if (d < steady && d > -steady)
		return PB__TREND__TREND_STEADY;
	bool up = d > 0;
	bool good = better == PB__BETTER__BETTER_LOWER ? !up : up;
	return good ? PB__TREND__TREND_IMPROVING : PB__TREND__TREND_WORSENING;
}

int rag_of(double value, int better, double target, double tolerance)
{
	/* How far the value falls short of the target, in the better direction. */
	double shortfall = better == PB__BETTER__BETTER_LOWER ? value - target : target - value;
	/* A hair of slack so 85.0 - 5.0 == 80.0 lands on the boundary. */
	if (shortfall <= 1e-9)
		return PB__RAG__RAG_GREEN;
	if (shortfall <= tolerance + 1e-9)
		return PB__RAG__RAG_AMBER;
	return PB__RAG__RAG_RED;
}
