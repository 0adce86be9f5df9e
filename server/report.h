/* report.h: the committee's progress report. report_build computes every
 * figure into one JSON document; the renderers write Markdown or HTML
 * from that document alone, so the JSON format holds every figure the
 * other formats show. */
#ifndef PLANBOARD_REPORT_H
#define PLANBOARD_REPORT_H

#include <jansson.h>

#include "server.h"

struct report_args {
	int64_t plan_id;
	const char *plan;
	const char *as_of;        /* YYYY-MM-DD: the date the report is about */
	const char *as_recorded;  /* the date asked for, or NULL */
	const char *bound;        /* its time bound, or NULL for now */
};

/* The whole document, or NULL with the response's error set. */
json_t *report_build(struct hctx *h, const struct report_args *args);

/* Metric and audit sections (report_metrics.c): adds "metrics",
 * "audits" and the metrics needing attention to doc. */
int report_metrics(struct hctx *h, const struct report_args *args, json_t *doc);

/* Renderers: a malloc'ed NUL-terminated text. */
char *report_markdown(const json_t *doc);
char *report_html(const json_t *doc);

/* "2017-09-30" -> "30 September 2017" into out (at least 32 bytes). */
const char *date_words(const char *date, char *out, size_t len);

/* "in_progress" -> "in progress", "not_met" -> "not met": a code as the
 * committee reads it, into out (at least 32 bytes; longer codes are cut).
 * NULL stays NULL. */
const char *code_words(const char *code, char *out);

#endif
