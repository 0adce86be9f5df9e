/* criteria.c: evaluating a review's success criterion that is bound to a
 * metric — met, not met, or not enough data — with the figures behind the
 * verdict written out so the committee can check it. */
#include "enums.h"
#include "governance.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *period_name(struct arena *a, const char *period)
{
	static const char *const months[] = { "January", "February", "March", "April", "May", "June", "July",
					      "August", "September", "October", "November", "December" };
	int y, m;
	if (period == NULL || sscanf(period, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
		return period;
	return arena_printf(a, "%s %d", months[m - 1], y);
}

int period_index(const char *period)
{
	int y, m;
	if (period == NULL || sscanf(period, "%4d-%2d", &y, &m) != 2)
		return -1;
	return y * 12 + (m - 1);
}

/* How far the locality is worse than the rest: positive = worse. */
static double shortfall(const Pb__Metric *m, double gap)
{
	return m && m->better == PB__BETTER__BETTER_LOWER ? gap : -gap;
}

static bool point_usable(const Pb__ComparePoint *p, int kind, const char *as_of_period)
{
	if (!p->has_value || (as_of_period && strcmp(p->period, as_of_period) > 0))
		return false;
	return kind != PB__CRITERION_KIND__CRITERION_KIND_GAP_WITHIN || p->has_gap;
}

static bool point_meets(const Pb__Criterion *c, const Pb__Metric *m, const Pb__ComparePoint *p)
{
	switch (c->kind) {
	case PB__CRITERION_KIND__CRITERION_KIND_GAP_WITHIN: return shortfall(m, p->gap) <= c->threshold + 1e-9;
	case PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_LEAST: return p->value >= c->threshold - 1e-9;
	case PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_MOST: return p->value <= c->threshold + 1e-9;
	default: return false;
	}
}

static const char *rule_text(struct arena *a, const Pb__Criterion *c, unsigned months)
{
	const char *rule = c->kind == PB__CRITERION_KIND__CRITERION_KIND_GAP_WITHIN
				   ? arena_printf(a, "no more than %.1f worse than the rest of the county", c->threshold)
			   : c->kind == PB__CRITERION_KIND__CRITERION_KIND_VALUE_AT_LEAST
				   ? arena_printf(a, "at least %.1f", c->threshold)
				   : arena_printf(a, "at most %.1f", c->threshold);
	return arena_printf(a, "needs %s for %u consecutive month%s", rule, months, months == 1 ? "" : "s");
}

void criterion_evaluate(struct arena *a, Pb__Criterion *c, const Pb__Metric *m, Pb__ComparePoint *const *pts,
			size_t n, const char *as_of_period)
{
	unsigned months = c->has_months && c->months ? c->months : 1;
	c->has_verdict = 1;
	const Pb__ComparePoint **use = arena_array(a, const Pb__ComparePoint *, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (point_usable(pts[i], c->kind, as_of_period))
			use[k++] = pts[i];
	const char *rule = rule_text(a, c, months);
	if (k < months) {
		c->verdict = PB__VERDICT__VERDICT_NOT_ENOUGH_DATA;
		c->evidence = arena_printf(a, "%zu month%s with figures%s%s; %s", k, k == 1 ? "" : "s",
					   as_of_period ? " up to " : "", as_of_period ? period_name(a, as_of_period) : "",
					   rule);
		return;
	}
	const Pb__ComparePoint **last = use + (k - months);
	struct buf b = { 0 };
	bool all = true, consecutive = true;
	for (unsigned i = 0; i < months; i++) {
		const Pb__ComparePoint *p = last[i];
		if (i && period_index(p->period) != period_index(last[i - 1]->period) + 1)
			consecutive = false;
		bool ok = point_meets(c, m, p);
		all &= ok;
		const char *pc = m && m->unit == PB__UNIT__UNIT_PCT ? "%" : "";
		if (c->kind == PB__CRITERION_KIND__CRITERION_KIND_GAP_WITHIN)
			buf_printf(&b, "%s%s: %.1f%s vs rest %.1f%s, gap %+.1f (%s)", i ? "; " : "",
				   period_name(a, p->period), p->value, pc, p->rest, pc, p->gap, ok ? "within" : "outside");
		else
			buf_printf(&b, "%s%s: %.1f%s (%s)", i ? "; " : "", period_name(a, p->period), p->value, pc,
				   ok ? "meets" : "does not meet");
	}
	buf_append(&b, "", 1);
	if (!consecutive) {
		c->verdict = PB__VERDICT__VERDICT_NOT_ENOUGH_DATA;
		c->evidence = arena_printf(a, "the last %u months with figures are not consecutive (%s); %s", months,
					   (char *)b.data, rule);
	} else {
		c->verdict = all ? PB__VERDICT__VERDICT_MET : PB__VERDICT__VERDICT_NOT_MET;
		c->evidence = arena_printf(a, "%s; %s", (char *)b.data, rule);
	}
	buf_free(&b);
}
