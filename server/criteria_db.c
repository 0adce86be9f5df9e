/* criteria_db.c: a metric-bound criterion evaluated from the database:
 * the metric's comparison for the criterion's locality up to the as-of
 * month, as recorded by the bound, handed to criterion_evaluate. */
#include "enums.h"
#include "governance.h"
#include "hutil.h"
#include "metrics.h"

#include <stdio.h>

void criterion_evaluate_db(struct hctx *h, Pb__Criterion *c, const char *bound, const char *as_of)
{
	char period[8];
	snprintf(period, sizeof period, "%.7s", as_of);
	/* A missing metric must not fail the whole request: keep the
	 * response's status and report it as the criterion's evidence. */
	Pb__Status status = h->resp->status;
	char *message = h->resp->error_message;
	Pb__MetricCompareReply *r = NULL;
	/* only the months the rule looks at (and the links of the first) */
	unsigned months = c->has_months && c->months ? c->months : 1;
	bool gap = c->kind == PB__CRITERION_KIND__CRITERION_KIND_GAP_WITHIN;
	if (metric_compare_recent(h, c->metric, c->locality, period, months, gap, bound, &r) != OK) {
		c->has_verdict = 1;
		c->verdict = PB__VERDICT__VERDICT_NOT_ENOUGH_DATA;
		c->evidence = arena_printf(h->arena, "no figures: %s", h->resp->error_message);
		h->resp->status = status;
		h->resp->error_message = message;
		return;
	}
	criterion_evaluate(h->arena, c, r->metric, r->points, r->n_points, period);
}
