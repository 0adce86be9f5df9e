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

/* h_admin.c */
int h_admin_backup(struct hctx *h);

#endif
