/* report_metrics.c: the report's metric and audit sections. The figures
 * come from the metrics module (branch metrics); without it the sections
 * say that no figures are available. */
#include "hutil.h"
#include "report.h"

int report_metrics(struct hctx *h, const struct report_args *args, json_t *doc)
{
	(void)h;
	(void)args;
	json_object_set_new(doc, "metrics", json_array());
	json_object_set_new(doc, "audits", json_null());
	json_object_set_new(json_object_get(doc, "attention"), "metrics", json_array());
	return OK;
}
