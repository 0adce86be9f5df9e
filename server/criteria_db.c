/* criteria_db.c: a metric-bound criterion evaluated from the database.
 * The figures come from the metrics module (branch metrics); until it is
 * merged, there are none and every such criterion has not enough data. */
#include "enums.h"
#include "governance.h"

void criterion_evaluate_db(struct hctx *h, Pb__Criterion *c, const char *bound, const char *as_of)
{
	(void)bound;
	(void)as_of;
	c->has_verdict = 1;
	c->verdict = PB__VERDICT__VERDICT_NOT_ENOUGH_DATA;
	c->evidence = arena_printf(h->arena, "no figures for metric %s: this server has no metrics module", c->metric);
}
