/* h_report.c: the Report request: check the arguments, compute the
 * document (report.c) and render it in the format asked for. */
#include "handlers.h"
#include "hutil.h"
#include "report.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

static char *render(const json_t *doc, int format)
{
	switch (format) {
	case PB__REPORT_FORMAT__REPORT_FORMAT_HTML: return report_html(doc);
	/* compact on the wire (the frame limit); the client indents it */
	case PB__REPORT_FORMAT__REPORT_FORMAT_JSON: return json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	default: return report_markdown(doc);
	}
}

int h_report(struct hctx *h)
{
	const Pb__ReportRequest *in = h->req->report;
	char today[11];
	today_date(today);
	struct report_args args = {
		.plan = in->plan,
		.as_of = in->as_of ? in->as_of : arena_strdup(h->arena, today),
		.as_recorded = in->as_recorded,
	};
	int format = in->has_format && in->format ? (int)in->format : PB__REPORT_FORMAT__REPORT_FORMAT_MD;
	if (check_enum(h, "format", &pb__report_format__descriptor, format) != OK ||
	    check_date(h, "as_of", args.as_of, false) != OK ||
	    (in->as_recorded && as_recorded_bound(h, in->as_recorded, &args.bound) != OK) ||
	    (args.plan_id = find_plan(h, in->plan)) == 0)
		return h->resp->status;
	json_t *doc = report_build(h, &args);
	if (doc == NULL)
		return h->resp->status;
	char *text = render(doc, format);
	json_decref(doc);
	if (text == NULL)
		return hctx_fail(h, PB__STATUS__INTERNAL, "the report could not be rendered");
	Pb__ReportReply *r = arena_new(h->arena, Pb__ReportReply);
	pb__report_reply__init(r);
	r->has_format = r->has_content = 1;
	r->format = format;
	r->content.len = strlen(text);
	r->content.data = (uint8_t *)arena_strdup(h->arena, text);
	free(text);
	SET_BODY(h, REPORT, report, r);
	return OK;
}
