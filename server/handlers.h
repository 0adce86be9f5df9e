/* handlers.h: every request handler, one per request type, grouped by the
 * file that holds it (h_<area>.c). The dispatch table in dispatch.c maps
 * request body cases to these. */
#ifndef PLANBOARD_HANDLERS_H
#define PLANBOARD_HANDLERS_H

#include "server.h"

/* h_session.c */
int h_hello(struct hctx *h);
int h_login(struct hctx *h);
int h_logout(struct hctx *h);
int h_whoami(struct hctx *h);
int h_ping(struct hctx *h);
int h_server_status(struct hctx *h);

/* h_plan.c: localities, plans, themes */
int h_locality_list(struct hctx *h);
int h_locality_add(struct hctx *h);
int h_plan_list(struct hctx *h);
int h_plan_show(struct hctx *h);
int h_plan_add(struct hctx *h);
int h_theme_list(struct hctx *h);
int h_theme_add(struct hctx *h);

/* h_action.c */
int h_action_list(struct hctx *h);
int h_action_show(struct hctx *h);
int h_action_add(struct hctx *h);
int h_action_update(struct hctx *h);
int h_action_history(struct hctx *h);

/* h_user.c */
int h_user_add(struct hctx *h);
int h_user_list(struct hctx *h);
int h_user_disable(struct hctx *h);
int h_user_passwd(struct hctx *h);

/* h_metric.c */
int h_metric_list(struct hctx *h);
int h_metric_define(struct hctx *h);
int h_metric_submit(struct hctx *h);
int h_metric_series(struct hctx *h);
int h_metric_compare(struct hctx *h);
int h_metric_history(struct hctx *h);

/* h_audit.c */
int h_audit_submit(struct hctx *h);
int h_audit_list(struct hctx *h);

/* h_import.c */
int h_import(struct hctx *h);
int h_export(struct hctx *h);

/* h_risk.c */
int h_risk_list(struct hctx *h);
int h_risk_show(struct hctx *h);
int h_risk_add(struct hctx *h);
int h_risk_update(struct hctx *h);

/* h_board.c: board, members, meetings, reviews, criteria */
int h_board_show(struct hctx *h);
int h_board_set(struct hctx *h);
int h_board_member_add(struct hctx *h);
int h_meeting_add(struct hctx *h);
int h_meeting_list(struct hctx *h);
int h_review_add(struct hctx *h);
int h_review_list(struct hctx *h);
int h_criterion_add(struct hctx *h);
int h_criterion_judge(struct hctx *h);

/* h_report.c */
int h_report(struct hctx *h);
/* watch.c, batch.c, h_admin.c */
int h_watch(struct hctx *h);
int h_batch_begin(struct hctx *h);
int h_batch_end(struct hctx *h);
int h_admin_stats(struct hctx *h);
/* h_admin.c */
int h_admin_backup(struct hctx *h);

#endif
