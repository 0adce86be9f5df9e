/* metrics.h: metrics, their measurements and audit rounds as the report
 * and the handlers read them. Every *_build function fills a reply from
 * h->arena and returns PB__STATUS__OK, or the status it set with
 * hctx_fail (NOT_FOUND for an unknown metric or locality,
 * INVALID_ARGUMENT for a bad period or date).
 *
 * as_recorded (NULL = now) is a date or time: the figures are those
 * recorded by the end of it — per (metric, locality, period) the newest
 * version with recorded_at <= the bound. from/to are periods YYYY-MM,
 * inclusive, either may be NULL. */
#ifndef PLANBOARD_METRICS_H
#define PLANBOARD_METRICS_H

#include "server.h"

/* The largest magnitude a figure, target or tolerance may have: far above
 * any real count, and small enough that sums, gaps and chart axes stay
 * exact and bounded. */
#define FIGURE_MAX 1e12

/* Every metric, by code. */
int metric_list_build(struct hctx *h, Pb__MetricListReply **out);

/* One point per month in which any locality has a figure: the locality's
 * value, the rest of the county pooled from the other localities, the
 * whole county pooled, the gap (value - rest, in the metric's unit),
 * whether it is favourable, the trend and gap change since the locality's
 * previous figure (even one before `from`), RAG against target and
 * tolerance, and how many of the localities that had reported this
 * metric by that month (a figure for it or an earlier month, as recorded
 * by the bound) had no figure that month: a locality that started
 * reporting later is not missing from the months before. */
int metric_compare_build(struct hctx *h, const char *metric, const char *locality, const char *from,
			 const char *to, const char *as_recorded, Pb__MetricCompareReply **out);

/* The comparison up to `to` from the earliest of the locality's last
 * `months` months with a figure (with_gap: with figures of other
 * localities too) up to `to`: the points a rule over the last months
 * needs (review criteria), exactly as metric_compare_build gives them,
 * without reading the metric's older history. */
int metric_compare_recent(struct hctx *h, const char *metric, const char *locality, const char *to, unsigned months,
			  bool with_gap, const char *as_recorded, Pb__MetricCompareReply **out);

/* The locality's measurements of one metric, oldest month first. */
int metric_series_build(struct hctx *h, const char *metric, const char *locality, const char *from,
			const char *to, const char *as_recorded, Pb__MetricSeriesReply **out);

/* Audit rounds (locality NULL = every locality), by period then locality,
 * with compliance (completed / required), on-time (on_time / completed)
 * and good-or-better (outstanding + good over the graded audits)
 * percentages. */
int audit_list_build(struct hctx *h, const char *locality, const char *from, const char *to,
		     const char *as_recorded, Pb__AuditListReply **out);

/* Metric by code: its id with *m filled (from the arena), or 0 with
 * NOT_FOUND set. */
int64_t find_metric(struct hctx *h, const char *code, Pb__Metric **m);

/* The percentages of an audit round, from its counts. */
void audit_round_derive(Pb__AuditRound *r);

/* Time bound for as_recorded (NULL -> no bound). */
int metrics_bound(struct hctx *h, const char *as_recorded, const char **bound);

/* ---------------------------------------------------------------- writes
 * Shared by the handlers and the CSV import; they run inside the
 * request's savepoint and append the event themselves. */

/* May the caller submit figures or audits for this locality? Admins and
 * performance for any; locality users for their own. FORBIDDEN if not. */
int may_submit_for(struct hctx *h, int64_t locality_id, const char *locality);

/* Check and store one measurement (m->metric, m->locality, m->period,
 * value and/or numerator + denominator). A resubmission with a different
 * figure adds a version; the same figure again changes nothing. r (may be
 * NULL) gets the stored measurement and the one it replaced. */
int measurement_store(struct hctx *h, const Pb__Measurement *m, Pb__MetricSubmitReply *r);

/* Check and store one audit round; a resubmission adds a version. */
int audit_store(struct hctx *h, const Pb__AuditRound *a, Pb__AuditRound **stored);

#endif
