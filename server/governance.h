/* governance.h: risks, the board and its reviews as the report reads
 * them, and the pure rules behind them (risk banding, criterion
 * evaluation) so they can be unit-tested without a database. */
#ifndef PLANBOARD_GOVERNANCE_H
#define PLANBOARD_GOVERNANCE_H

#include "server.h"

/* Score = likelihood x impact (1..25). Bands follow the usual 5x5 risk
 * matrix: low up to 4, medium 5 to 12, high 15 and above. */
int risk_band(unsigned score);

/* Risks of a plan (plan_id) as recorded by bound (NULL: now), highest
 * score first. */
int risk_list_build(struct hctx *h, int64_t plan_id, const char *bound, Pb__Risk ***out, size_t *n);

/* Board, meetings and reviews of a plan as recorded by bound (NULL: now).
 * Criteria come evaluated (see criterion_evaluate) as of as_of. */
Pb__Board *board_build(struct hctx *h, int64_t plan_id, const char *plan, const char *bound);
int meetings_build(struct hctx *h, int64_t plan_id, const char *plan, const char *bound,
		   Pb__Meeting ***out, size_t *n);
int reviews_build(struct hctx *h, int64_t plan_id, const char *plan, const char *bound,
		  const char *as_of, Pb__Review ***out, size_t *n);

/* Evaluate a metric-bound criterion on the comparison points of its
 * metric (oldest first), using months up to as_of_period. Sets verdict
 * and evidence (text from the arena). The last `months` months with
 * figures must be consecutive calendar months ending at the newest one;
 * otherwise there is not enough data. For gap_within, the locality meets
 * it when it is no more than threshold worse than the rest of the county
 * (a gap in its favour is within). */
void criterion_evaluate(struct arena *a, Pb__Criterion *c, const Pb__Metric *m, Pb__ComparePoint *const *pts,
			size_t n, const char *as_of_period);

/* Fill a metric-bound criterion's verdict from the database: fetches the
 * comparison and calls criterion_evaluate. */
void criterion_evaluate_db(struct hctx *h, Pb__Criterion *c, const char *bound, const char *as_of);

/* "2017-06" -> "June 2017" (from the arena); anything else as given. */
const char *period_name(struct arena *a, const char *period);
/* "YYYY-MM" -> months since year 0, or -1. */
int period_index(const char *period);

#endif
