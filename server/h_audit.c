/* h_audit.c: case-audit rounds per locality and month. */
#include "handlers.h"
#include "hutil.h"
#include "metrics.h"

int h_audit_submit(struct hctx *h)
{
	Pb__AuditRound *stored;
	if (audit_store(h, h->req->audit_submit->round, &stored) != OK)
		return h->resp->status;
	Pb__AuditReply *r = arena_new(h->arena, Pb__AuditReply);
	pb__audit_reply__init(r);
	r->round = stored;
	SET_BODY(h, AUDIT, audit, r);
	return OK;
}

int h_audit_list(struct hctx *h)
{
	const Pb__AuditList *q = h->req->audit_list;
	Pb__AuditListReply *r;
	if (audit_list_build(h, q->locality, q->from, q->to, q->as_recorded, &r) != OK)
		return h->resp->status;
	SET_BODY(h, AUDIT_LIST, audit_list, r);
	return OK;
}
